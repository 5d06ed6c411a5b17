package e2e

import (
	"testing"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store/factor"
)

// TestFlowSeedPathByKeyboardAlone walks the seed's path without a mouse
// and without JavaScript: only Tab, Enter and typing, from the login page
// named in the invitation to the account page, TOTP setup included. On
// every page the skip link leads into the content, and the focus goes
// where a person expects it.
func TestFlowSeedPathByKeyboardAlone(t *testing.T) {
	t.Parallel()
	p := startFlowPortal(t)
	b := p.NewBrowser(t, Options{JavaScript: false, Lang: "de"})
	tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
	const email = "bernd.keller@example.de"

	b.Visit(mailLink(t, p.invite(t, email, "de"), paths.Login))
	skipToMain(t, b)
	tabs(t, b, "#email", "#password", `#login-form button[type="submit"]`, `main a[href="/recovery"]`)
	if got := focusedText(b); got != "Benutzername oder Passwort vergessen?" {
		t.Errorf("focused link = %q, want the seed's \"Benutzername oder Passwort vergessen?\"", got)
	}
	pressEnter(b)
	wantPath(t, b, paths.Recovery)

	skipToMain(t, b)
	tabs(t, b, "#email")
	b.PressKey(email)
	pressEnter(b)
	wantPath(t, b, paths.RecoverySent)

	b.Visit(mailLink(t, p.waitMail(t, email, tr("mail.recovery.subject")), paths.RecoveryConfirm))
	skipToMain(t, b)
	tabs(t, b, `main form button[type="submit"]`)
	if got := focusedText(b); got != "Weiter" {
		t.Errorf("focused button = %q, want \"Weiter\"", got)
	}
	pressEnter(b)
	wantPath(t, b, paths.Password)

	skipToMain(t, b)
	tabs(t, b, "#new_password")
	b.PressKey(flowWeakPassword)
	tabs(t, b, "#confirm_password")
	b.PressKey(flowWeakPassword)
	pressEnter(b)
	wantPath(t, b, paths.Password)
	if got := b.Focused(); got != "#error-summary" {
		t.Fatalf("focus after the weak password = %s, want #error-summary", got)
	}
	// The first error's link leads to the field to correct.
	tabs(t, b, `#error-summary a[href="#new_password"]`)
	pressEnter(b)
	if !focusIs(b, "#new_password") {
		t.Fatalf("focus after Enter on the error's link = %s, want #new_password", b.Focused())
	}
	b.PressKey(flowGoodPassword)
	tabs(t, b, "#confirm_password")
	b.PressKey(flowGoodPassword)
	pressEnter(b)
	wantPath(t, b, paths.Login)
	wantText(t, b, "main .notice", tr("notice.password_changed"))

	skipToMain(t, b)
	tabs(t, b, "#email")
	b.PressKey(email)
	tabs(t, b, "#password")
	b.PressKey(flowGoodPassword)
	pressEnter(b)
	wantPath(t, b, paths.MFAChoose)

	skipToMain(t, b)
	tabs(t, b, choiceButton(factor.TOTP))
	if got, want := focusedText(b), tr("mfa.choose.select", map[string]any{"Method": "TOTP Device"}); got != want {
		t.Errorf("first choice = %q, want %q", got, want)
	}
	pressEnter(b)
	wantPath(t, b, paths.MFATOTP)

	secret := readTOTPKey(t, b)
	skipToMain(t, b)
	tabs(t, b, ".totp-app-link a", "#code") // the otpauth:// link, for the app on the same phone
	b.PressKey(p.totpNow(t, secret))
	pressEnter(b)
	wantPath(t, b, paths.RecoveryCodes)

	skipToMain(t, b)
	tabs(t, b, `a[href="/mfa/recovery-codes.txt"]`, `a[href="/mfa/recovery-codes?print=1"]`,
		`form[action="/mfa/recovery-codes"] button`)
	if got, want := focusedText(b), tr("mfa.codes.done"); got != want {
		t.Errorf("focused button = %q, want %q", got, want)
	}
	pressEnter(b)
	wantPath(t, b, paths.Account)
	wantContains(t, b, "main", tr("account.logged_in_as", map[string]any{"Email": email}))
}

// skipToMain uses the skip link, the first stop of the Tab key on every
// page, to reach the content.
func skipToMain(t *testing.T, b *Browser) {
	t.Helper()
	b.PressTab()
	if !focusIs(b, "a.skip-link") {
		t.Fatalf("first Tab on %s focused %s, want the skip link", b.CurrentPath(), b.Focused())
	}
	if !visible(b, "a.skip-link") {
		t.Errorf("the focused skip link on %s is not visible", b.CurrentPath())
	}
	pressEnter(b)
	if got := b.Focused(); got != "#main" {
		t.Fatalf("focus after the skip link on %s = %s, want #main", b.CurrentPath(), got)
	}
}

// tabs presses Tab once per selector and checks that the focus lands on
// each in turn.
func tabs(t *testing.T, b *Browser, sels ...string) {
	t.Helper()
	for _, sel := range sels {
		b.PressTab()
		if !focusIs(b, sel) {
			t.Fatalf("Tab on %s focused %s (%q), want %s", b.CurrentPath(), b.Focused(), focusedText(b), sel)
		}
	}
}
