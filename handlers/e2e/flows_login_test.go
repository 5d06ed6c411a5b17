package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hwk/kundenportal/handlers/paths"
)

// TestFlowRecoveryCodeWorksOnce logs in with a recovery code in place of
// the authenticator app, then tries the same code again.
func TestFlowRecoveryCodeWorksOnce(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			acc := p.enrolWithTOTP(t, b, "emil.vogt@example.de")
			useCode := func() {
				t.Helper()
				logOut(t, b)
				submitLogin(b, acc.email, acc.password)
				wantPath(t, b, paths.MFAVerify)
				wantContains(t, b, "main", tr("mfa.verify.totp.intro"))
				other := `main a[href="` + paths.MFAVerify + `?method=recovery"]`
				wantText(t, b, other, tr("mfa.method.recovery.use"))
				click(b, other)
				wantContains(t, b, "main", tr("mfa.verify.recovery.intro"))
				b.Fill("#code", acc.codes[0])
				submit(b, ".code-form")
			}
			useCode()
			wantPath(t, b, paths.RecoveryCodeUsed) // how many remain, then on
			click(b, `main a.button[href="`+paths.Account+`"]`)
			wantPath(t, b, paths.Account)

			useCode()
			wantText(t, b, "h1", tr("mfa.verify.title")) // the form again, with the reason
			wantText(t, b, "#error-summary li", tr("mfa.recovery.error.wrong"))
			if got := b.Focused(); got != "#error-summary" {
				t.Errorf("focus after the refused code = %s, want #error-summary", got)
			}
		})
	}
}

// TestFlowTOTPCodeCannotBeReplayed logs in with an app code, logs out and
// tries the same code again within its time step.
func TestFlowTOTPCodeCannotBeReplayed(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			acc := p.enrolWithTOTP(t, b, "frieda.lang@example.de")
			// The setup used the current time step; the login takes the next.
			p.clock.advance(30 * time.Second)
			code := p.totpNow(t, acc.secret)
			login := func() {
				t.Helper()
				logOut(t, b)
				submitLogin(b, acc.email, acc.password)
				wantPath(t, b, paths.MFAVerify)
				b.Fill("#code", code)
				submit(b, ".code-form")
			}
			login()
			wantPath(t, b, paths.Account)

			login()
			wantText(t, b, "h1", p.T(t, "de", "mfa.verify.title")) // the form again, with the reason
			wantText(t, b, "#error-summary li", p.T(t, "de", "mfa.totp.error.wrong"))
			if got := b.Attr("#code", "aria-invalid"); got != "true" {
				t.Errorf("code field aria-invalid = %q, want true", got)
			}
		})
	}
}

// TestFlowLogoutEndsSession presses "Abmelden": the account is then out of
// reach, also with the old session cookie put back.
func TestFlowLogoutEndsSession(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			p.enrolWithTOTP(t, b, "gerd.huber@example.de")
			var session *network.Cookie
			for _, c := range b.Cookies() {
				if c.Name == "__Host-session" {
					session = c
				}
			}
			if session == nil {
				t.Fatalf("no session cookie after login: %v", b.Cookies())
			}
			wantText(t, b, `form[action="`+paths.Logout+`"] button`, p.T(t, "de", "account.logout"))
			logOut(t, b)
			wantText(t, b, "main .notice", p.T(t, "de", "notice.logged_out"))
			b.Visit(paths.Account)
			wantPath(t, b, paths.Login)

			restoreCookie(t, b, p.BaseURL, session)
			b.Visit(paths.Account)
			wantPath(t, b, paths.Login)
			if b.Exists(`a[href="` + paths.Account + `"]`) {
				t.Errorf("the page still offers the account link")
			}
		})
	}
}

// restoreCookie puts a cookie back into the browser, as someone who kept
// a copy would.
func restoreCookie(t *testing.T, b *Browser, base string, c *network.Cookie) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), DefaultTimeout)
	defer cancel()
	secure, httpOnly := c.Secure, c.HTTPOnly
	_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
		Name: c.Name, Value: c.Value, URL: base + "/", Path: c.Path,
		Secure: &secure, HTTPOnly: &httpOnly, SameSite: c.SameSite,
	})
	if err != nil {
		t.Fatalf("restore cookie %s: %v", c.Name, err)
	}
}
