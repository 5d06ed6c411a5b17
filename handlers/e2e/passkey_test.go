package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/e2e"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

const passkeyPassword = "Kachelofen-Blau7!"

// waitForPath waits until the window shows path (after a script navigated
// there: webauthn.js follows the server's {"redirect"}), then lets the page
// settle and checks it.
func waitForPath(t *testing.T, b *e2e.Browser, path string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.Context(), time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.pathname : ""`))
		cancel()
		if err == nil && got == path {
			break
		}
		if time.Now().After(deadline) {
			msg, _ := chromedp.Run(b.Context(), chromedp.Evaluate[string](`(document.querySelector("[data-webauthn-error]:not([hidden])") || {}).textContent || ""`))
			t.Fatalf("still at %q, want %s (error shown: %q)", got, path, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.WaitVisible("h1")
}

// inviteAndSetPassword invites email as staff do and sets the password
// through the invitation link, ending on the login page.
func inviteAndSetPassword(t *testing.T, p *e2e.Portal, b *e2e.Browser, email string) {
	t.Helper()
	if _, err := p.Handler.Invite(context.Background(), handlers.Invitation{Email: email}); err != nil {
		t.Fatalf("invite: %v", err)
	}
	mails := p.Mail.WaitFor(t, 1, 10*time.Second)
	var link string
	for _, l := range smtptest.Links(mails[len(mails)-1]) {
		if strings.Contains(l, paths.InviteConfirm) {
			link = l
		}
	}
	if link == "" {
		t.Fatalf("invitation mail has no link to %s", paths.InviteConfirm)
	}
	b.Visit(link)
	b.Submit("main form")
	b.Fill("#new_password", passkeyPassword)
	b.Fill("#confirm_password", passkeyPassword)
	b.Submit("#password-form")
	waitForPath(t, b, paths.Login)
}

// passwordLogin logs in with e-mail and password and waits for the step
// that follows.
func passwordLogin(t *testing.T, b *e2e.Browser, email, next string) {
	t.Helper()
	b.Fill("#email", email)
	b.Fill("#password", passkeyPassword)
	b.Submit("#login-form")
	waitForPath(t, b, next)
}

// logout logs out from the account page; the browser lands on the login
// page (where passkey autofill may log it in again at once).
func logout(t *testing.T, b *e2e.Browser) {
	t.Helper()
	b.Visit(paths.Account)
	b.Submit(`form[action="/logout"]`)
}

// withoutAutofill makes the window's pages behave as in a browser without
// passkey autofill (conditional mediation), until the returned function is
// called. Chromium's virtual authenticator answers an autofill request at
// once, as if the customer had picked the passkey, which would log in
// before a test could use the button or type a password.
func withoutAutofill(t *testing.T, b *e2e.Browser) func() {
	t.Helper()
	res, err := chromedp.Call(b.Context(), page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `if (window.PublicKeyCredential) { PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false); }`,
	})
	if err != nil {
		t.Fatalf("switch off passkey autofill: %v", err)
	}
	return func() {
		t.Helper()
		if _, err := chromedp.Call(b.Context(), page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: res.Identifier}); err != nil {
			t.Fatalf("switch on passkey autofill: %v", err)
		}
	}
}

// lastLogin is the detail of the newest successful login event.
func lastLogin(t *testing.T, p *e2e.Portal) (int, string) {
	t.Helper()
	evs, err := p.Store.AuditEvents(context.Background(), store.AuditFilter{Events: []string{"login.ok"}})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	if len(evs) == 0 {
		return 0, ""
	}
	return len(evs), evs[0].Detail
}

// storedCredential is the customer's one passkey as the portal keeps it.
func storedCredential(t *testing.T, p *e2e.Portal, email string) webauthn.Credential {
	t.Helper()
	ctx := context.Background()
	u, err := p.Store.UserByEmail(ctx, email)
	if err != nil {
		t.Fatalf("user: %v", err)
	}
	ms, err := p.Store.MethodsOf(ctx, u.ID)
	if err != nil {
		t.Fatalf("methods: %v", err)
	}
	var creds []webauthn.Credential
	for _, m := range ms {
		if m.Kind == factor.WebAuthn {
			var c webauthn.Credential
			if err := json.Unmarshal([]byte(m.Credential), &c); err != nil {
				t.Fatalf("credential: %v", err)
			}
			creds = append(creds, c)
		}
	}
	if len(creds) != 1 {
		t.Fatalf("%s has %d passkeys, want 1", email, len(creds))
	}
	return creds[0]
}

func TestPasskeySetupThenLoginWithoutPasswordAndAsSecondFactor(t *testing.T) {
	const email = "anna@example.de"
	p := e2e.StartPortal(t)
	b := p.NewBrowser(t, e2e.Options{JavaScript: true, Lang: "de"})
	inviteAndSetPassword(t, p, b, email)
	authenticator := b.AddVirtualAuthenticator()

	// First login: the password, then the choice of a second factor.
	passwordLogin(t, b, email, paths.MFAChoose)
	if b.Exists(`[data-no-webauthn]:not([hidden])`) {
		t.Errorf("the choice page says passkeys need JavaScript although they work here")
	}
	b.Click(`li[data-needs-webauthn] button[type="submit"]`)
	waitForPath(t, b, paths.MFAPasskey)
	b.Fill("#name", "Laptop Büro")
	b.Click(`#passkey-form button[type="submit"]`)
	waitForPath(t, b, paths.RecoveryCodes)
	if n := len(b.Credentials(authenticator)); n != 1 {
		t.Fatalf("authenticator holds %d credentials, want 1", n)
	}
	if c := storedCredential(t, p, email); !c.Flags.UserVerified {
		t.Errorf("stored passkey flags %+v, want user verified", c.Flags)
	}
	b.Submit(`form[action="/mfa/recovery-codes"]`)
	waitForPath(t, b, paths.Account)

	// Passwordless: the button on the login page, no password typed (in a
	// browser without passkey autofill).
	autofillOn := withoutAutofill(t, b)
	logout(t, b)
	waitForPath(t, b, paths.Login)
	b.Click(`[data-webauthn-login]`)
	waitForPath(t, b, paths.Account)
	if got := e2e.Eval[string](b, `document.querySelector("main").textContent`); !strings.Contains(got, email) {
		t.Errorf("account page does not show %s", email)
	}
	logins, detail := lastLogin(t, p)
	if detail != "method=passkey" {
		t.Errorf("last login %q, want method=passkey", detail)
	}

	// Passwordless by autofill: the login page offers the passkey in the
	// e-mail field's autofill (the virtual authenticator picks it at once).
	autofillOn()
	logout(t, b)
	waitForPath(t, b, paths.Account)
	if n, detail := lastLogin(t, p); n != logins+1 || detail != "method=passkey" {
		t.Errorf("after autofill: %d logins (want %d), last %q", n, logins+1, detail)
	}

	// Password, then the passkey as second factor.
	withoutAutofill(t, b)
	logout(t, b)
	waitForPath(t, b, paths.Login)
	passwordLogin(t, b, email, paths.MFAVerify)
	b.Click(`[data-webauthn-verify]`)
	waitForPath(t, b, paths.Account)
	if c := storedCredential(t, p, email); c.Authenticator.SignCount < 3 {
		t.Errorf("stored sign count %d after three logins, want at least 3", c.Authenticator.SignCount)
	}
	evs, err := p.Store.AuditEvents(context.Background(), store.AuditFilter{Events: []string{"mfa.passed"}})
	if err != nil || len(evs) == 0 || evs[0].Detail != "method=webauthn" {
		t.Errorf("last mfa.passed: %+v (%v), want method=webauthn", evs, err)
	}

	// A second passkey on the same device, from the account: the device
	// refuses (the portal excluded its passkey). The page says so, moves
	// the focus to the message and the button works again.
	b.Visit(paths.MFAPasskey)
	b.Click(`#passkey-form button[type="submit"]`)
	b.WaitVisible(`#passkey-error`)
	if got, want := b.Text(`#passkey-error`), p.T(t, "de", "passkey.error.exists"); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if got := b.Focused(); got != "#passkey-error" {
		t.Errorf("focus after the failure on %s, want #passkey-error", got)
	}
	if got := b.Attr(`#passkey-form button[type="submit"]`, "aria-busy"); got != "" {
		t.Errorf("button still aria-busy=%q after the failure", got)
	}
	if n := len(b.Credentials(authenticator)); n != 1 {
		t.Errorf("authenticator holds %d credentials, want 1", n)
	}
}

func TestPasskeyChoiceWithoutJavaScriptExplains(t *testing.T) {
	const email = "bernd@example.de"
	p := e2e.StartPortal(t)
	b := p.NewBrowser(t, e2e.Options{JavaScript: false, Lang: "de"})
	inviteAndSetPassword(t, p, b, email)
	passwordLogin(t, b, email, paths.MFAChoose)
	if got := e2e.Eval[bool](b, `(() => { const li = document.querySelector("li[data-needs-webauthn]"); return !!li && li.hidden && li.offsetParent === null; })()`); !got {
		t.Errorf("the passkey choice is shown without JavaScript")
	}
	if got, want := b.Text(`[data-no-webauthn] p`), p.T(t, "de", "mfa.method.webauthn.needs_js"); got != want {
		t.Errorf("explanation = %q, want %q", got, want)
	}
	visible := e2e.Eval[[]string](b, `[...document.querySelectorAll("main button")].filter(b => b.offsetParent !== null).map(b => b.textContent.trim())`)
	for _, label := range visible {
		if strings.Contains(label, p.T(t, "de", "mfa.method.webauthn.name")) {
			t.Errorf("a visible button offers passkeys without JavaScript: %q", label)
		}
	}
	if len(visible) != 2 {
		t.Errorf("visible buttons %q, want the two other methods", visible)
	}
	// The login page has no passkey button either.
	b.Visit(paths.Login)
	if e2e.Eval[bool](b, `[...document.querySelectorAll("button")].some(b => b.offsetParent !== null && b.hasAttribute("data-webauthn-login"))`) {
		t.Errorf("the login page shows the passkey button without JavaScript")
	}
}
