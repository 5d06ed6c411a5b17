//go:build benchload

package benchload

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/handlers/totp"
)

// customerPassword meets the chamber's policy.
const customerPassword = "Zimmerei#Hobel2024x"

// customer is a registered customer with the device cookie of the browser
// that completed their first login: later logins from it are counted
// against that browser alone, as a returning customer's are.
type customer struct {
	email, address string
	device         *http.Cookie
}

// newCustomers registers n customers and completes a first login for each
// (password, then an authenticator app as second factor), so each has a
// known browser. Each comes from an address of their own (as X-Forwarded-
// For through the loopback proxy the portal trusts), as customers do: the
// registration form sends at most ten mails per address in ten minutes.
func newCustomers(t *testing.T, s *server, sink *smtptest.Server, n int) []customer {
	t.Helper()
	cs := make([]customer, n)
	for i := range cs {
		email := fmt.Sprintf("kunde%d@betrieb.example", i+1)
		address := fmt.Sprintf("192.0.2.%d", i+1) // TEST-NET-1 (RFC 5737)
		if err := registerSteps(s, email, address, func() string { return confirmLink(t, sink, email) }); err != nil {
			t.Fatalf("register %s: %v", email, err)
		}
		device, err := firstLogin(s, email, address)
		if err != nil {
			t.Fatalf("first login of %s: %v", email, err)
		}
		cs[i] = customer{email: email, address: address, device: device}
	}
	return cs
}

// confirmLink waits for the verification mail to email and returns its
// /register/confirm link.
func confirmLink(t *testing.T, sink *smtptest.Server, email string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for n := 1; time.Now().Before(deadline); n++ {
		for _, m := range sink.WaitFor(t, n, time.Until(deadline)) {
			if len(m.To) == 0 || !strings.EqualFold(m.To[0], email) {
				continue
			}
			for _, link := range smtptest.Links(m) {
				if strings.Contains(link, "/register/confirm") {
					return link
				}
			}
		}
	}
	return ""
}

func registerSteps(s *server, email, address string, mailLink func() string) error {
	b := newBrowser(s.base, address, http.DefaultTransport)
	p, err := b.get("/register")
	if err != nil {
		return err
	}
	if _, err := redirected(b.submit(p, "#email-form", map[string]string{"email": email})); err != nil {
		return fmt.Errorf("registration form: %w", err)
	}
	link := mailLink()
	if link == "" {
		return fmt.Errorf("the verification mail has no /register/confirm link")
	}
	if p, err = b.get(link); err != nil {
		return err
	}
	to, err := redirected(b.submit(p, "main form[method=post]", nil))
	if err != nil {
		return fmt.Errorf("confirmation page: %w", err)
	}
	if p, err = b.get(to); err != nil {
		return err
	}
	values := map[string]string{"new_password": customerPassword, "confirm_password": customerPassword}
	if _, err := redirected(b.submit(p, "#password-form", values)); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// firstLogin logs in as email for the first time: the password, the
// choice of an authenticator app, its key read from the setup page and a
// current code. It returns the device cookie the portal set for the
// browser at the end.
func firstLogin(s *server, email, address string) (*http.Cookie, error) {
	b := newBrowser(s.base, address, http.DefaultTransport)
	p, err := b.get("/login")
	if err != nil {
		return nil, err
	}
	to, err := redirected(b.submit(p, "#login-form", map[string]string{"email": email, "password": customerPassword}))
	if err != nil {
		return nil, fmt.Errorf("password: %w", err)
	}
	if p, err = b.get(to); err != nil {
		return nil, err
	}
	if to, err = redirected(b.submit(p, `form:has(input[name=method][value=totp])`, nil)); err != nil {
		return nil, fmt.Errorf("choose the authenticator app: %w", err)
	}
	if p, err = b.get(to); err != nil {
		return nil, err
	}
	secret := strings.ReplaceAll(p.doc.Find("code.secret").Text(), " ", "")
	code, err := totp.Code(secret, time.Now())
	if err != nil {
		return nil, fmt.Errorf("authenticator key %q on the setup page: %w", secret, err)
	}
	if _, err = redirected(b.submit(p, "form.code-form", map[string]string{"code": code})); err != nil {
		return nil, fmt.Errorf("authenticator code: %w", err)
	}
	for _, c := range b.cookies() {
		if strings.HasSuffix(c.Name, "device") {
			return c, nil
		}
	}
	return nil, fmt.Errorf("no device cookie after the second factor")
}
