//go:build benchload

package benchload

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
)

// customerPassword meets the chamber's policy.
const customerPassword = "Zimmerei#Hobel2024x"

// register creates a customer the way customers do: the registration
// form, the link in the verification mail, the confirmation page and the
// new password. It returns the address.
func register(t *testing.T, s *server, sink *smtptest.Server) string {
	t.Helper()
	const email = "last.test@betrieb.example"
	if err := registerSteps(s, sink, email, func() string {
		mails := sink.WaitFor(t, 1, 30*time.Second)
		for _, link := range smtptest.Links(mails[len(mails)-1]) {
			if strings.Contains(link, "/register/confirm") {
				return link
			}
		}
		return ""
	}); err != nil {
		t.Fatalf("register a customer: %v", err)
	}
	return email
}

func registerSteps(s *server, sink *smtptest.Server, email string, mailLink func() string) error {
	b := newBrowser(s.base, http.DefaultTransport)
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
