package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store/factor"
)

// wantDeviceMail checks the newest mail to email: a security notice with
// the message id filled with date, time of day and browser (the test
// client sends no User-Agent, so "Browser"), plus extra.
func wantDeviceMail(t *testing.T, p *portal, email, id string, extra map[string]any) {
	t.Helper()
	m := p.lastMail(t, email)
	if m.Subject != p.msg(t, "mail.security.subject") {
		t.Fatalf("newest mail to %s is %q, want a security notice", email, m.Subject)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	found := false
	for _, at := range []time.Time{p.Clock.Now(), p.Clock.Now().Add(-time.Minute)} {
		data := map[string]any{"Date": at.In(berlin).Format("02.01.2006"), "Clock": at.In(berlin).Format("15:04")}
		for k, v := range extra {
			data[k] = v
		}
		found = found || strings.Contains(m.TextBody, p.msg(t, id, data))
	}
	if !found {
		t.Errorf("security mail lacks %s (%v):\n%s", id, extra, m.TextBody)
	}
	for _, want := range []string{
		p.msg(t, "mail.security.browser", map[string]any{"Browser": "Browser"}),
		p.msg(t, "mail.security.not_you", map[string]any{"RecoveryURL": baseURL + "/recovery"}),
	} {
		if !strings.Contains(m.TextBody, want) {
			t.Errorf("security mail lacks %q:\n%s", want, m.TextBody)
		}
	}
}

func TestPasswordChangeWhileLoggedIn(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const newPassword = "Neues&Passwort-Hobel77"
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "wechsel")
			u := p.passwordUser(t, email, goodPassword)
			other := p.client(t)
			other.login(email, goodPassword)
			c := p.client(t)
			c.login(email, goodPassword)
			page := c.getOK("/account/security")
			form := page.Doc(t).Find(`form#password-form[action="/account/security/password"]`)
			if form.Length() == 0 || form.Find(`input[name="current_password"][autocomplete="current-password"]`).Length() == 0 ||
				form.Find(`input[name="new_password"][autocomplete="new-password"]`).Length() == 0 || form.Find("#password-rules").Length() == 0 {
				t.Fatalf("security page has no form 'Passwort ändern' with current, new password and rules:\n%s", page.Body)
			}

			r := c.postInvalid(tr, "/account/security/password", url.Values{
				"current_password": {"Falsch-geraten1!"}, "new_password": {newPassword}, "confirm_password": {newPassword},
			}, http.StatusUnprocessableEntity, "password-form")
			if !strings.Contains(r.Text(t), p.msg(t, "password_change.error.current_wrong")) || strings.Contains(r.Body, newPassword) {
				t.Errorf("wrong current password: want the message and no typed password:\n%s", r.Body)
			}
			// The logged-in browser is known: its failures count for it alone.
			device, _, _ := strings.Cut(c.cookie("device"), ".")
			if n, err := p.Store.Attempts(t.Context(), "login.device", device); err != nil || n != 1 {
				t.Errorf("failures of this browser after a wrong current password: %d (%v), want 1", n, err)
			}
			r = c.postInvalid(tr, "/account/security/password", url.Values{
				"current_password": {goodPassword}, "new_password": {"kurz"}, "confirm_password": {"kurz"},
			}, http.StatusUnprocessableEntity, "password-form")
			if !strings.Contains(r.Text(t), p.msg(t, "password.error.min_length")) {
				t.Errorf("short new password: want the rule's message:\n%s", r.Body)
			}

			to := c.submit(tr, "/account/security/password", url.Values{
				"current_password": {goodPassword}, "new_password": {newPassword}, "confirm_password": {newPassword},
			})
			if to != "/account/security?notice=password_changed" {
				t.Fatalf("password change: sent to %q", to)
			}
			if !strings.Contains(c.getOK(to).Text(t), p.msg(t, "password_change.notice.done")) {
				t.Errorf("no notice of the change")
			}
			if !c.loggedIn() || other.loggedIn() {
				t.Errorf("after the change: this session logged in %v (want true), other %v (want false)", c.loggedIn(), other.loggedIn())
			}
			if evs := p.eventsOf(t, "password.changed", u); len(evs) != 1 {
				t.Errorf("%d password.changed events, want 1", len(evs))
			}
			wantDeviceMail(t, p, email, "mail.security.password_changed", nil)
			fresh := p.client(t)
			fresh.getOK("/login")
			fresh.passwordStep(plainForm, url.Values{"email": {email}, "password": {newPassword}}, "/mfa/verify")
		})
	}
}

// TestConfirmationStepBeforeRemoval: "Entfernen" leads to a "Sind Sie
// sicher?" page (a plain form and a way back); only its button removes.
func TestConfirmationStepBeforeRemoval(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	email := "sicher@example.de"
	u := p.passwordUser(t, email, goodPassword)
	p.addTOTP(t, u)
	c := p.client(t)
	c.login(email, goodPassword)
	totpID := methodOf(t, p, u, factor.TOTP).ID.String()
	link := "/account/security/remove?id=" + totpID
	if c.getOK("/account/security").Doc(t).Find(`a[href="`+link+`"]`).Length() == 0 {
		t.Fatalf("security page has no link to the confirmation step %s", link)
	}
	page := c.getOK(link)
	doc := page.Doc(t)
	if got := strings.TrimSpace(doc.Find("h1").Text()); got != p.msg(t, "confirmstep.title") {
		t.Errorf("confirmation step h1 = %q", got)
	}
	if doc.Find(`form[action="/account/security/remove"][method="post"] input[name="id"][value="`+totpID+`"]`).Length() != 1 ||
		doc.Find(`a[href="/account/security"]`).Length() == 0 {
		t.Errorf("confirmation step lacks the form with the method or the way back:\n%s", page.Body)
	}
	if n := len(p.methods(t, u)); n != 2 {
		t.Fatalf("opening the confirmation step removed a method (%d left)", n)
	}
	if c.getOK("/account/security/codes").Doc(t).Find(`form[action="/account/security/codes"][method="post"]`).Length() != 1 {
		t.Errorf("renewing recovery codes has no confirmation step")
	}
	if r := c.get("/account/security/remove?id=" + "00000000-0000-0000-0000-000000000000"); r.StatusCode != http.StatusNotFound {
		t.Errorf("confirmation step for an unknown method: status %d, want 404", r.StatusCode)
	}
}

// TestGermanAddressAliases: addresses customers may type lead to the page.
func TestGermanAddressAliases(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	for alias, want := range map[string]string{"/anmelden": "/login", "/registrieren": "/register", "/hilfe": "/help", "/Anmelden": "/login"} {
		r := c.get(alias)
		if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != want {
			t.Errorf("GET %s: status %d, Location %q; want 301 to %s", alias, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
}

// TestThrottledRequestFormKeepsTheAddressAndSaysHowLong: past the limit of
// mail requests from one address, the recovery and registration forms come
// back with the typed address and say how many minutes to wait (issue 10,
// item 12), as a plain form and as an htmx fragment.
func TestThrottledRequestFormKeepsTheAddressAndSaysHowLong(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			c := p.client(t)
			c.getOK("/recovery")
			for range 10 {
				c.postInvalid(tr, "/recovery", url.Values{"email": {"kaputt"}}, http.StatusUnprocessableEntity, "email-form")
			}
			for _, path := range []string{"/recovery", "/register"} {
				r := c.postInvalid(tr, path, url.Values{"email": {"kunde@example.de"}}, http.StatusTooManyRequests, "email-form")
				if got := r.Doc(t).Find("input#email").AttrOr("value", ""); got != "kunde@example.de" {
					t.Errorf("%s: throttled form shows the address %q, want what was typed", path, got)
				}
				if want := p.msg(t, "request.error.throttled", map[string]any{"Count": 10}); !strings.Contains(r.Doc(t).Text(), want) {
					t.Errorf("%s: throttled form does not say how long to wait (%q):\n%s", path, want, r.Doc(t).Text())
				}
				if r.Header.Get("Retry-After") == "" {
					t.Errorf("%s: no Retry-After", path)
				}
			}
			if n := len(p.mails(t, "kunde@example.de")); n != 0 {
				t.Errorf("%d mail(s) queued past the limit", n)
			}
		})
	}
}
