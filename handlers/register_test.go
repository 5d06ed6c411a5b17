package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRegistrationVerifiesTheAddressAndLogsIn(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const email = "neu@example.de"
			c := p.client(t)
			c.getOK("/register")
			if to := c.submit(tr, "/register", url.Values{"email": {email}}); to != "/register/sent" {
				t.Fatalf("register: sent to %q, want /register/sent", to)
			}
			if _, err := p.Store.UserByEmail(t.Context(), email); err == nil {
				t.Fatalf("the account exists before the address is verified")
			}
			m := p.lastMail(t, email)
			if m.Subject != p.msg(t, "mail.register.subject") {
				t.Errorf("mail subject %q, want the verification mail", m.Subject)
			}
			confirmLink(t, c, tr, linkIn(t, m, "/register/confirm?token="))
			// The new customer is logged in as far as the choice of a
			// second factor, and nothing else until one is set up.
			if to := setPassword(t, c, tr, goodPassword); to != "/mfa/choose" {
				t.Fatalf("password: sent to %q, want /mfa/choose", to)
			}
			if c.cookie("session") == "" {
				t.Fatalf("no session cookie after registration")
			}
			if c.loggedIn() {
				t.Fatalf("the account page opens before a second factor is set up")
			}
			enrolEmail(t, p, c, tr, email)
			account := c.getOK("/account")
			if want := p.msg(t, "account.logged_in_as", map[string]any{"Email": email}); !strings.Contains(account.Text(t), want) {
				t.Errorf("account page lacks %q:\n%s", want, account.Body)
			}
			u := p.user(t, email)
			if u.EmailVerifiedAt == nil || u.PasswordHash == "" || u.LastLoginAt == nil {
				t.Errorf("registered account: verified %v, password %v, last login %v", u.EmailVerifiedAt, u.PasswordHash != "", u.LastLoginAt)
			}
		})
	}
}

func TestRegistrationOfARegisteredAddressLooksTheSame(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const taken, fresh = "kunde@example.de", "neu@example.de"
			p.passwordUser(t, taken, goodPassword)
			type answer struct {
				status                int
				location, hxTo, body  string
				sentPage, invalidPage string
			}
			ask := func(email string) answer {
				c := p.client(t)
				c.getOK("/register")
				r := c.post(tr, "/register", url.Values{"email": {email}})
				a := answer{status: r.StatusCode, location: r.Header.Get("Location"), hxTo: r.Header.Get("HX-Redirect"), body: c.withoutCSRF(r.Body)}
				a.sentPage = c.withoutCSRF(c.getOK("/register/sent").Body)
				c.getOK("/register")
				a.invalidPage = c.withoutCSRF(c.postInvalid(tr, "/register", url.Values{"email": {"kein-at"}}, http.StatusUnprocessableEntity, "email-form").Body)
				return a
			}
			a, b := ask(taken), ask(fresh)
			if a != b {
				t.Errorf("answers differ:\nregistered: %+v\nnew:        %+v", a, b)
			}
			if to := a.location + a.hxTo; to != "/register/sent" {
				t.Errorf("sent to %q, want /register/sent", to)
			}
			m := p.lastMail(t, taken)
			if m.Subject != "Registrierung mit Ihrer E-Mail-Adresse" {
				t.Errorf("owner of the registered address got %q", m.Subject)
			}
			if strings.Contains(m.TextBody, "token=") || strings.Contains(m.HTMLBody, "token=") {
				t.Errorf("the mail to a registered address carries a token:\n%s", m.TextBody)
			}
			linkIn(t, m, "/login")
			if len(p.mails(t, taken)) != 1 {
				t.Errorf("%d mails to the registered address, want 1", len(p.mails(t, taken)))
			}
		})
	}
}

func TestRegistrationThatLostTheAddressToAnInvitationCannotFinish(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "neu@example.de"
	c := p.client(t)
	c.getOK("/register")
	c.submit(plainForm, "/register", url.Values{"email": {email}})
	confirmLink(t, c, plainForm, linkIn(t, p.lastMail(t, email), "/register/confirm?token="))
	p.inviteUser(t, email) // staff invite the address meanwhile
	c.getOK("/password")
	r := c.post(plainForm, "/password", url.Values{"new_password": {goodPassword}, "confirm_password": {goodPassword}})
	if r.StatusCode != http.StatusGone || !strings.Contains(r.Text(t), p.msg(t, "flow.expired.title")) {
		t.Fatalf("finishing the registration: status %d, want 410 with the closed-step page\n%s", r.StatusCode, r.Body)
	}
	if c.cookie("session") != "" {
		t.Errorf("a session cookie was set")
	}
	if u := p.user(t, email); u.PasswordHash != "" {
		t.Errorf("the invited account got the registration's password")
	}
	if evs := p.events(t, "register.done"); len(evs) != 0 {
		t.Errorf("register.done audited for a registration that failed")
	}
}
