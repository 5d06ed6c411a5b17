package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/store/factor"
)

// enrolEmail sets up the e-mail code as the first second factor (the
// client's session waits at the choice after the password) and returns the
// recovery codes shown once; the customer ends on /account.
func enrolEmail(t *testing.T, p *portal, c *client, tr transport, email string) []string {
	t.Helper()
	c.getOK("/mfa/choose")
	if to := c.submit(tr, "/mfa/choose", url.Values{"method": {"email"}}); to != "/mfa/email" {
		t.Fatalf("choose the e-mail code: sent to %q, want /mfa/email", to)
	}
	c.getOK("/mfa/email")
	if to := c.submit(tr, "/mfa/email", url.Values{"code": {p.mailCode(t, email)}}); to != "/mfa/recovery-codes" {
		t.Fatalf("confirm the e-mail code: sent to %q, want /mfa/recovery-codes", to)
	}
	return finishCodes(t, c, tr, "/account")
}

// wantRedirect checks that a GET answers 303 to want.
func wantRedirect(t *testing.T, c *client, path, want string) {
	t.Helper()
	r := c.get(path)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
		t.Errorf("GET %s: status %d to %q, want 303 to %s", path, r.StatusCode, r.Header.Get("Location"), want)
	}
}

func TestFirstLoginAllowsNothingButChoosingAMethod(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			email := addrFor(tr, "neu")
			p.passwordUserNoMFA(t, email, goodPassword)
			c := p.client(t)
			c.getOK("/login")
			c.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/choose")

			// Until a method is set up, every other page leads back to the choice.
			for _, path := range []string{"/account", "/account/security", "/account/confirm", "/mfa/verify", "/mfa/recovery-codes"} {
				wantRedirect(t, c, path, "/mfa/choose")
			}
			page := c.getOK("/mfa/choose")
			if to := redirectOf(t, tr, c.post(tr, "/account/sessions/end-others", nil), "POST end-others before a second factor"); to != "/mfa/choose" {
				t.Errorf("POST end-others before a second factor: sent to %q, want /mfa/choose", to)
			}

			doc := page.Doc(t)
			if got := squash(doc.Find("main p").First().Text()); got != p.msg(t, "mfa.choose.intro_first") {
				t.Errorf("intro = %q, want the first-login text", got)
			}
			for method, name := range map[string]string{"totp": "TOTP Device", "email": "2-Faktor-Authentifikation per E-Mail"} {
				form := doc.Find(`li.choice form[action="/mfa/choose"]:has(input[name="method"][value="` + method + `"])`)
				if form.Length() != 1 || squash(form.Find("h2").Text()) != name || form.Closest("[hidden]").Length() != 0 {
					t.Errorf("the choice has no visible form for %q (%s):\n%s", name, method, page.Body)
				}
			}
			passkey := doc.Find(`li[data-needs-webauthn]`)
			if passkey.Length() != 1 || !strings.Contains(squash(passkey.Text()), "WebAuthn Device") ||
				passkey.Find(`input[name="method"][value="webauthn"]`).Length() != 1 {
				t.Fatalf("the choice has no passkey option:\n%s", page.Body)
			}
			if _, hidden := passkey.Attr("hidden"); !hidden {
				t.Errorf("the passkey option is not hidden without JavaScript")
			}
			explain := doc.Find("[data-no-webauthn]")
			if _, hidden := explain.Attr("hidden"); explain.Length() != 1 || hidden ||
				!strings.Contains(squash(explain.Text()), p.msg(t, "mfa.method.webauthn.needs_js")) {
				t.Errorf("without JavaScript the page must say that passkeys need it:\n%s", page.Body)
			}
		})
	}
}

func TestSecondStepAllowsNothingElse(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
	for _, path := range []string{"/account", "/account/security", "/mfa/choose", "/mfa/totp", "/mfa/recovery-codes"} {
		wantRedirect(t, c, path, "/mfa/verify")
	}
	if c.loggedIn() {
		t.Errorf("logged in with the password alone")
	}
	// The customer may give up and log out.
	c.getOK("/mfa/verify")
	if to := c.submit(plainForm, "/logout", nil); to != "/login?notice=logged_out" || c.cookie("session") != "" {
		t.Errorf("logout at the second step: sent to %q, cookie %q", to, c.cookie("session"))
	}
	if sessions, err := p.Store.SessionsOfUser(t.Context(), p.user(t, email).ID); err != nil || len(sessions) != 0 {
		t.Errorf("%d sessions left after logout (%v), want 0", len(sessions), err)
	}
}

func TestPassingTheSecondFactorRenewsTheSessionID(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	u := p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
	half := c.cookie("session")
	if to := c.emailCode(plainForm, email); to != "/account" {
		t.Fatalf("second factor: sent to %q, want /account", to)
	}
	full := c.cookie("session")
	if half == "" || full == "" || half == full {
		t.Fatalf("session cookie after the password %q, after the second factor %q; want a new value", half, full)
	}
	if !c.loggedIn() {
		t.Fatalf("not logged in with the renewed cookie")
	}
	stale := p.client(t)
	stale.cookies["session"] = &http.Cookie{Name: "session", Value: half}
	if stale.loggedIn() {
		t.Errorf("the cookie from before the second factor logs in")
	}
	if r := stale.get("/mfa/verify"); r.StatusCode == http.StatusOK {
		t.Errorf("the cookie from before the second factor still opens the second step")
	}
	sessions, err := p.Store.SessionsOfUser(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 {
		t.Errorf("%d sessions after one login, want 1 (the half-done one became the logged-in one)", len(sessions))
	}
}

func TestVerifyOffersTheOtherMethodsLastUsedFirst(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			email := addrFor(tr, "kunde")
			u := p.passwordUser(t, email, goodPassword)
			secret := p.addTOTP(t, u)
			if err := p.Store.TouchMethod(t.Context(), methodOf(t, p, u, factor.TOTP).ID); err != nil {
				t.Fatal(err)
			}

			// The app was used last: it is asked for first, and no mail is sent.
			c := p.client(t)
			c.getOK("/login")
			c.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
			page := c.getOK("/mfa/verify")
			wantVerifyForm(t, page, "/mfa/verify/totp")
			if n := len(p.codeMails(t, email)); n != 0 {
				t.Errorf("%d code mails while the app is asked for", n)
			}
			wantOtherMethod(t, page, "email", "2-Faktor-Authentifikation per E-Mail")
			wantOtherMethod(t, page, "recovery", p.msg(t, "mfa.method.recovery.use"))

			// Switch to the e-mail code: it is sent on request.
			page = c.getOK("/mfa/verify?method=email")
			if page.Doc(t).Find(`form[action="/mfa/verify/email"]`).Length() != 0 ||
				!strings.Contains(page.Text(t), p.msg(t, "mfa.verify.email.intro", map[string]any{"Email": email})) {
				t.Errorf("e-mail step before a code was sent:\n%s", page.Body)
			}
			wantOtherMethod(t, page, "totp", "TOTP Device ("+p.msg(t, "mfa.method.totp.plain")+")")
			if to := c.submit(tr, "/mfa/verify/email/send", nil); to != "/mfa/verify?method=email&notice=sent" {
				t.Fatalf("send a code: sent to %q", to)
			}
			page = c.getOK("/mfa/verify?method=email&notice=sent")
			wantVerifyForm(t, page, "/mfa/verify/email")
			if !strings.Contains(page.Text(t), p.msg(t, "mfa.email.notice.sent")) {
				t.Errorf("no notice that the code was sent")
			}
			if to := c.submit(tr, "/mfa/verify/email", url.Values{"code": {p.mailCode(t, email)}}); to != "/account" {
				t.Fatalf("e-mail code: sent to %q, want /account", to)
			}

			// Now the e-mail code was used last: it comes first and is sent at once.
			b := p.client(t)
			b.getOK("/login")
			b.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
			if n := len(p.codeMails(t, email)); n != 2 {
				t.Errorf("%d code mails, want 2 (one sent at the login)", n)
			}
			page = b.getOK("/mfa/verify")
			wantVerifyForm(t, page, "/mfa/verify/email")
			wantOtherMethod(t, page, "totp", "TOTP Device ("+p.msg(t, "mfa.method.totp.plain")+")")
			// A method she does not have shows the one used last.
			wantVerifyForm(t, b.getOK("/mfa/verify?method=webauthn"), "/mfa/verify/email")
			wantVerifyForm(t, b.getOK("/mfa/verify?method=totp"), "/mfa/verify/totp")
			if to := b.submit(tr, "/mfa/verify/totp", url.Values{"code": {totpCode(t, p, secret, 0)}}); to != "/account" {
				t.Fatalf("app code: sent to %q, want /account", to)
			}
		})
	}
}

// wantVerifyForm checks that the second step asks for the code posted to action.
func wantVerifyForm(t *testing.T, page *response, action string) {
	t.Helper()
	forms := page.Doc(t).Find(`form:has(input[name="code"])`)
	if forms.Length() != 1 || forms.AttrOr("action", "") != action {
		t.Errorf("second step: code forms %d, action %q; want one posting to %s\n%s", forms.Length(), forms.AttrOr("action", ""), action, page.Body)
	}
}

// wantOtherMethod checks that the second step links to another method.
func wantOtherMethod(t *testing.T, page *response, method, text string) {
	t.Helper()
	if got := squash(page.Doc(t).Find(`ul.other-methods a[href="/mfa/verify?method=` + method + `"]`).Text()); got != text {
		t.Errorf("link to %s = %q, want %q", method, got, text)
	}
}
