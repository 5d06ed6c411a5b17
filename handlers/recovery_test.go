package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
)

// requestRecovery asks for a reset mail through the form as tr sends it
// and returns the link of the newest mail to email.
func requestRecovery(t *testing.T, p *portal, c *client, tr transport, email string) string {
	t.Helper()
	c.getOK("/recovery")
	if to := c.submit(tr, "/recovery", url.Values{"email": {email}}); to != "/recovery/sent" {
		t.Fatalf("recovery request: sent to %q, want /recovery/sent", to)
	}
	return linkIn(t, p.lastMail(t, email), "/recovery/confirm?token=")
}

// confirmLink opens a link from a mail and presses "Weiter"; it expects
// the set-password step.
func confirmLink(t *testing.T, c *client, tr transport, link string) {
	t.Helper()
	page := c.getOK(link)
	u, _ := url.Parse(link)
	if to := c.submit(tr, u.Path, page.Form(t, "main form")); to != "/password" {
		t.Fatalf("confirm %s: sent to %q, want /password", u.Path, to)
	}
}

// setPassword fills the set-password form and returns where the portal
// sends the customer.
func setPassword(t *testing.T, c *client, tr transport, pw string) string {
	t.Helper()
	c.getOK("/password")
	return c.submit(tr, "/password", url.Values{"new_password": {pw}, "confirm_password": {pw}})
}

func TestRecoveryAnswersTheSameForKnownAndUnknownAddresses(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const knownAddr, unknownAddr = "kunde@example.de", "niemand@example.de"
			p.passwordUser(t, knownAddr, goodPassword)

			type answer struct {
				status           int
				location, hxTo   string
				body             string
				took             time.Duration
				sentPage, failed string
			}
			ask := func(email string) answer {
				c := p.client(t)
				c.getOK("/recovery")
				start := time.Now()
				r := c.post(tr, "/recovery", url.Values{"email": {email}})
				a := answer{
					status: r.StatusCode, location: r.Header.Get("Location"), hxTo: r.Header.Get("HX-Redirect"),
					body: c.withoutCSRF(r.Body), took: time.Since(start),
				}
				a.sentPage = c.withoutCSRF(c.getOK("/recovery/sent").Body)
				c.getOK("/recovery")
				a.failed = c.withoutCSRF(c.postInvalid(tr, "/recovery", url.Values{"email": {"kein-at-zeichen"}}, http.StatusUnprocessableEntity, "email-form").Body)
				return a
			}
			known, unknown := ask(knownAddr), ask(unknownAddr)

			wantTo := known.location
			if tr.htmx {
				wantTo = known.hxTo
			}
			if wantTo != "/recovery/sent" {
				t.Errorf("known address: sent to %q (Location %q, HX-Redirect %q), want /recovery/sent", wantTo, known.location, known.hxTo)
			}
			if known.status != unknown.status || known.location != unknown.location || known.hxTo != unknown.hxTo {
				t.Errorf("answers differ: known %d %q %q, unknown %d %q %q",
					known.status, known.location, known.hxTo, unknown.status, unknown.location, unknown.hxTo)
			}
			if known.body != unknown.body {
				t.Errorf("redirect bodies differ:\nknown:   %q\nunknown: %q", known.body, unknown.body)
			}
			if known.sentPage != unknown.sentPage {
				t.Errorf("/recovery/sent differs:\nknown:\n%s\nunknown:\n%s", known.sentPage, unknown.sentPage)
			}
			if !strings.Contains(known.sentPage, p.msg(t, "recovery.sent.title")) {
				t.Errorf("/recovery/sent lacks its title:\n%s", known.sentPage)
			}
			if known.failed != unknown.failed {
				t.Errorf("422 pages for an invalid address differ:\nfirst:\n%s\nsecond:\n%s", known.failed, unknown.failed)
			}
			for _, a := range []answer{known, unknown} {
				if a.took < 400*time.Millisecond {
					t.Errorf("a recovery request took %v; both answers must take at least 400ms", a.took)
				}
			}

			m := p.lastMail(t, knownAddr)
			if m.Subject != "Passwort zurücksetzen" {
				t.Errorf("known address got %q, want the reset mail", m.Subject)
			}
			linkIn(t, m, "/recovery/confirm?token=")
			m = p.lastMail(t, unknownAddr)
			if m.Subject != p.msg(t, "mail.recovery_unknown.subject") {
				t.Errorf("unknown address got %q, want the no-account mail", m.Subject)
			}
			if strings.Contains(m.TextBody, "token=") || strings.Contains(m.HTMLBody, "token=") {
				t.Errorf("the no-account mail carries a token:\n%s", m.TextBody)
			}
		})
	}
}

func TestRecoveryInvalidAddressKeepsTheInputAndNamesTheField(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	cases := []struct{ name, email, msg string }{
		{"empty address", "", "email.error.missing"},
		{"no at sign", "kunde.example.de", "email.error.invalid"},
		{"no domain dot", "kunde@example", "email.error.invalid"},
		{"display name", "Kunde <kunde@example.de>", "email.error.invalid"},
	}
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(tr.name+"/"+tc.name, func(t *testing.T) {
				c := p.client(t)
				c.getOK("/recovery")
				r := c.postInvalid(tr, "/recovery", url.Values{"email": {tc.email}}, http.StatusUnprocessableEntity, "email-form")
				link := r.Doc(t).Find(`#error-summary a[href="#email"]`)
				if link.Length() != 1 || squash(link.Text()) != p.msg(t, tc.msg) {
					t.Errorf("error summary link = %q, want %q", squash(link.Text()), p.msg(t, tc.msg))
				}
				if v := r.Doc(t).Find("input#email").AttrOr("value", ""); v != tc.email {
					t.Errorf("typed address = %q, want %q kept", v, tc.email)
				}
				if got := r.Doc(t).Find("input#email").AttrOr("aria-invalid", ""); got != "true" {
					t.Errorf("aria-invalid = %q, want true", got)
				}
			})
		}
	}
	if n := len(p.mails(t, "kunde@example.de")) + len(p.mails(t, "kunde.example.de")); n != 0 {
		t.Errorf("%d mail(s) sent for invalid addresses", n)
	}
}

func TestRecoveryLinkIsUsedOnlyByWeiter(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const email = "kunde@example.de"
			p.passwordUser(t, email, goodPassword)
			c := p.client(t)
			link := requestRecovery(t, p, c, tr, email)

			var page *response
			for i := range 2 {
				page = c.getOK(link) // mail scanners open links: this must not use the token
				button := page.Doc(t).Find(`main form[action="/recovery/confirm"] button[type="submit"]`)
				if squash(button.Text()) != "Weiter" {
					t.Fatalf("GET %d of the link: no Weiter button:\n%s", i+1, page.Body)
				}
			}
			form := page.Form(t, "main form")
			if form.Get("token") != tokenOf(t, link) {
				t.Errorf("form token = %q, want the link's", form.Get("token"))
			}
			if to := c.submit(tr, "/recovery/confirm", form); to != "/password" {
				t.Fatalf("Weiter: sent to %q, want /password", to)
			}
			again := c.post(tr, "/recovery/confirm", form)
			if again.StatusCode != http.StatusGone || !strings.Contains(again.Text(t), p.msg(t, "link.used.title")) {
				t.Errorf("second Weiter: status %d, want 410 with %q\n%s", again.StatusCode, p.msg(t, "link.used.title"), again.Body)
			}
			if r := c.get(link); r.StatusCode != http.StatusGone || !strings.Contains(r.Text(t), p.msg(t, "link.used.title")) {
				t.Errorf("GET of a used link: status %d, want 410 with the used page", r.StatusCode)
			}
		})
	}
}

func TestRecoveryLinkProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		spoil  func(t *testing.T, p *portal, c *client, link string) string // returns the link to open
		status int
		title  string
	}{
		{"expired link shows the expired page", func(t *testing.T, p *portal, c *client, link string) string {
			p.Clock.Advance(61 * time.Minute)
			return link
		}, http.StatusGone, "link.expired.title"},
		{"a new request voids the older link", func(t *testing.T, p *portal, c *client, link string) string {
			newer := requestRecovery(t, p, c, plainForm, "kunde@example.de")
			if newer == link {
				t.Fatal("the second request sent the same link")
			}
			c.getOK(newer)
			return link
		}, http.StatusGone, "link.used.title"},
		{"unknown token shows the invalid page", func(t *testing.T, p *portal, c *client, link string) string {
			return "/recovery/confirm?token=" + strings.Repeat("A", 43)
		}, http.StatusNotFound, "link.invalid.title"},
		{"token of another kind is not accepted", func(t *testing.T, p *portal, c *client, link string) string {
			return "/invite/confirm?token=" + tokenOf(t, link)
		}, http.StatusNotFound, "link.invalid.title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			p.passwordUser(t, "kunde@example.de", goodPassword)
			c := p.client(t)
			link := requestRecovery(t, p, c, plainForm, "kunde@example.de")
			open := tc.spoil(t, p, c, link)
			r := c.get(open)
			if r.StatusCode != tc.status || !strings.Contains(r.Text(t), p.msg(t, tc.title)) {
				t.Fatalf("GET %s: status %d, want %d with %q\n%s", open, r.StatusCode, tc.status, p.msg(t, tc.title), r.Body)
			}
			u, _ := url.Parse(open)
			c.getOK("/recovery")
			for _, tr := range transports {
				posted := c.post(tr, u.Path, url.Values{"token": {u.Query().Get("token")}})
				if posted.StatusCode != tc.status || !strings.Contains(posted.Text(t), p.msg(t, tc.title)) {
					t.Errorf("Weiter (%s): status %d, want %d with %q", tr.name, posted.StatusCode, tc.status, p.msg(t, tc.title))
				}
			}
			if restart := r.Doc(t).Find(`main a[href="/recovery"]`); restart.Length() == 0 {
				t.Errorf("the problem page offers no new request:\n%s", r.Body)
			}
		})
	}
}

func TestRecoverySetsNewPasswordAndEndsOtherSessions(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const email = "kunde@example.de"
			p.passwordUser(t, email, goodPassword)
			elsewhere := p.client(t)
			elsewhere.login(email, goodPassword)

			c := p.client(t)
			confirmLink(t, c, tr, requestRecovery(t, p, c, tr, email))
			page := c.getOK("/password")
			if got := page.Doc(t).Find(`input[name="username"]`).AttrOr("value", ""); got != email {
				t.Errorf("hidden username = %q, want %q for password managers", got, email)
			}
			weak := "qwxzy7"
			r := c.postInvalid(tr, "/password", url.Values{"new_password": {weak}, "confirm_password": {weak}}, http.StatusUnprocessableEntity, "password-form")
			if strings.Contains(r.Body, weak) {
				t.Errorf("the 422 answer contains the typed password")
			}
			if to := c.submit(tr, "/password", url.Values{"new_password": {otherPassword}, "confirm_password": {otherPassword}}); to != "/login?notice=password_changed" {
				t.Fatalf("good password: sent to %q, want /login?notice=password_changed", to)
			}
			notice := c.getOK("/login?notice=password_changed")
			if !strings.Contains(notice.Text(t), p.msg(t, "notice.password_changed")) {
				t.Errorf("login page lacks the success notice")
			}
			if elsewhere.loggedIn() {
				t.Errorf("the session opened before the reset still works")
			}
			if r := c.get("/password"); r.StatusCode != http.StatusGone {
				t.Errorf("GET /password after the reset: status %d, want 410 (the step is done)", r.StatusCode)
			}

			old := p.client(t)
			old.getOK("/login")
			if r := old.post(plainForm, "/login", url.Values{"email": {email}, "password": {goodPassword}}); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("login with the old password: status %d, want 422", r.StatusCode)
			}
			p.client(t).login(email, otherPassword)
		})
	}
}

func TestLegacyAccountRecoversAndLogsIn(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "import@example.de"
	if err := p.Store.CreateUser(t.Context(), &store.User{Email: email, Legacy: true}); err != nil {
		t.Fatal(err)
	}
	c := p.client(t)
	confirmLink(t, c, plainForm, requestRecovery(t, p, c, plainForm, email))
	if to := setPassword(t, c, plainForm, goodPassword); to != "/login?notice=password_changed" {
		t.Fatalf("password: sent to %q", to)
	}
	c.loginFirst(email, goodPassword) // an imported account has no second factor yet
	if u := p.user(t, email); u.Legacy {
		t.Errorf("the account is still marked legacy after a new password")
	}
}
