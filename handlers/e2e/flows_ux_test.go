package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store/factor"
)

// The customer-experience flows of issue 10: no dead ends, confirmation
// steps, password change, show password, recovery codes on phones, the
// security mails.

// securityMail waits for the next security notice to addr and checks that
// it has the paragraph want and names the browser.
func (p *flowPortal) securityMail(t *testing.T, addr, want string) smtptest.Mail {
	t.Helper()
	m := p.waitMail(t, addr, p.T(t, "de", "mail.security.subject"))
	if !strings.Contains(m.Text, want) {
		t.Errorf("security mail lacks %q:\n%s", want, m.Text)
	}
	if !strings.Contains(m.Text, p.T(t, "de", "mail.security.browser", map[string]any{"Browser": "Chrome (Linux)"})) {
		t.Errorf("security mail does not name the browser:\n%s", m.Text)
	}
	return m
}

// mailTimeText fills a security paragraph with the portal's current time
// as the mail writes it ("am 01.12.2026 um 19:10 Uhr").
func (p *flowPortal) mailTimeText(t *testing.T, id string, data map[string]any) []string {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	var out []string
	for _, at := range []time.Time{p.Store.Now(), p.Store.Now().Add(-time.Minute)} {
		d := map[string]any{"Date": at.In(berlin).Format("02.01.2006"), "Clock": at.In(berlin).Format("15:04")}
		for k, v := range data {
			d[k] = v
		}
		out = append(out, p.T(t, "de", id, d))
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestFlowPasswordChangeOnTheSecurityPage changes the password while
// logged in, with the live rules, and reads the notice from the SMTP sink.
func TestFlowPasswordChangeOnTheSecurityPage(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			acc := p.enrolWithTOTP(t, b, "paula.brandt@example.de")
			p.waitMail(t, acc.email, tr("mail.security.subject")) // the notice of the new method

			b.Visit(paths.Security)
			wantText(t, b, "#password-change", tr("password_change.title"))
			const newPassword = "Neuer&Hobel-Werkbank99"
			b.Fill("#"+string(components.FieldCurrentPassword), "Falsch-geraten1!")
			p.submitPassword(t, b, acc.email, newPassword, newPassword)
			wantText(t, b, "#error-summary li", tr("password_change.error.current_wrong"))
			if got := Eval[string](b, `document.querySelector("#new_password").value`); got != "" {
				t.Errorf("the refused form kept the new password %q", got)
			}

			b.Fill("#"+string(components.FieldCurrentPassword), acc.password)
			p.submitPassword(t, b, acc.email, newPassword, newPassword)
			wantPath(t, b, paths.Security)
			wantContains(t, b, "main .notice", tr("password_change.notice.done"))
			mail := p.securityMail(t, acc.email, "")
			if !containsAny(mail.Text, p.mailTimeText(t, "mail.security.password_changed", nil)) {
				t.Errorf("password change mail lacks what happened and when:\n%s", mail.Text)
			}
			logOut(t, b)
			submitLogin(b, acc.email, newPassword)
			wantPath(t, b, paths.MFAVerify)
		})
	}
}

// TestFlowShowPassword: with JavaScript every password field has a
// "Passwort anzeigen" toggle whose state is announced; without it, none.
func TestFlowShowPassword(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			b.Visit(paths.Login)
			const toggle = `button[data-show-password="password"]`
			if !m.js {
				if visible(b, toggle) {
					t.Errorf("without JavaScript the login page shows a toggle that cannot work")
				}
				return
			}
			waitUntil(t, "the toggle to show", func() (bool, string) { return visible(b, toggle), "hidden" })
			wantText(t, b, toggle, tr("password_show.button"))
			b.Fill("#password", "Geheim-123!")
			b.Click(toggle)
			if got := b.Attr("#password", "type"); got != "text" {
				t.Errorf("after the toggle the field is type=%q, want text", got)
			}
			if got := b.Attr(toggle, "aria-pressed"); got != "true" {
				t.Errorf("aria-pressed = %q, want true", got)
			}
			wantText(t, b, "#password-visibility", tr("password_show.shown"))
			b.Click(toggle)
			if got := b.Attr("#password", "type"); got != "password" || b.Attr(toggle, "aria-pressed") != "false" {
				t.Errorf("after the second press: type %q, aria-pressed %q", got, b.Attr(toggle, "aria-pressed"))
			}
			wantText(t, b, "#password-visibility", tr("password_show.concealed"))
			b.CheckA11y()
		})
	}
}

// TestFlowConfirmationSteps removes a method and renews the recovery codes
// through "Sind Sie sicher?"; "Abbrechen" changes nothing; after the
// password confirmation the change asked for is carried out.
func TestFlowConfirmationSteps(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			acc := p.enrolWithTOTP(t, b, "marta.keller@example.de")

			// Renew the codes: confirm step, cancel, then confirm.
			b.Visit(paths.Security)
			click(b, `main a[href="`+paths.SecurityCodes+`"]`)
			wantPath(t, b, paths.SecurityCodes)
			wantText(t, b, "h1", tr("confirmstep.title"))
			click(b, `main a[href="`+paths.Security+`"]`)
			wantPath(t, b, paths.Security)
			click(b, `main a[href="`+paths.SecurityCodes+`"]`)
			submit(b, "form.confirm-step")
			codes := keepCodes(t, b, paths.Security)
			if codes[0] == acc.codes[0] {
				t.Errorf("renewing kept the old codes")
			}

			// Add the e-mail method, so the app may be removed.
			b.Visit(paths.MFAChoose)
			click(b, choiceButton(factor.Email))
			wantPath(t, b, paths.MFAEmail)
			b.Fill("#code", mailCode(t, p.waitMail(t, acc.email, tr("mail.code.subject"))))
			submit(b, ".code-form")
			wantPath(t, b, paths.Security)

			// Ten minutes later the removal waits for the password and
			// is then carried out.
			p.clock.advance(6 * time.Minute)
			b.Visit(paths.Security)
			remove := `main li.method:has(h3) a[href^="` + paths.SecurityRemove + `"]`
			click(b, remove)
			wantPath(t, b, paths.SecurityRemove)
			wantText(t, b, "h1", tr("confirmstep.title"))
			wantContains(t, b, "main", tr("security.remove_confirm.body", map[string]any{"Method": tr("mfa.method.totp.name") + " (" + tr("mfa.method.totp.plain") + ")"}))
			submit(b, "form.confirm-step")
			wantPath(t, b, paths.Reauth)
			if !b.Exists(`main a[href="` + paths.Security + `"]`) {
				t.Errorf("the password confirmation has no way back (Abbrechen)")
			}
			b.Fill("#password", acc.password)
			submit(b, `form[action="`+paths.Reauth+`"]`)
			wantPath(t, b, paths.Security)
			wantContains(t, b, "main .notice", tr("security.notice.removed"))
			if n := Eval[int](b, `document.querySelectorAll("li.method").length`); n != 1 {
				t.Errorf("%d methods after the removal, want 1", n)
			}
		})
	}
}

// TestFlowLeavingSetup: the setup pages at first login lead to another
// method or out; TOTP setup has the otpauth:// link for the same phone.
func TestFlowLeavingSetup(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			const email = "lea.fuchs@example.de"
			p.atFactorChoice(t, b, email)
			click(b, choiceButton(factor.TOTP))
			wantPath(t, b, paths.MFATOTP)
			if href := b.Attr(".totp-app-link a", "href"); !strings.HasPrefix(href, "otpauth://totp/") || !strings.Contains(href, "secret=") {
				t.Errorf("TOTP setup app link = %q, want an otpauth:// link with the key", href)
			}
			other := `nav.setup-exit a[href="` + paths.MFAChoose + `"]`
			wantText(t, b, other, tr("mfa.setup_exit.other_method"))
			click(b, other)
			wantPath(t, b, paths.MFAChoose)
			click(b, choiceButton(factor.Email))
			wantPath(t, b, paths.MFAEmail)
			wantText(t, b, "nav.setup-exit button", tr("mfa.setup_exit.logout"))
			submit(b, `nav.setup-exit form`)
			wantPath(t, b, paths.Login)
			b.Visit(paths.MFAEmail)
			wantPath(t, b, paths.Login) // logged out for real
		})
	}
}

// TestFlowRecoveryCodesOnAPhone: the code field opens the full keyboard;
// the print view names account and date and leads back; after a login
// with a code the customer learns how many remain, and gets a mail.
func TestFlowRecoveryCodesOnAPhone(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			const email = "ida.roth@example.de"
			p.atFactorChoice(t, b, email)
			p.setUpTOTP(t, b)
			wantPath(t, b, paths.RecoveryCodes)
			click(b, `main a[href="`+paths.RecoveryCodes+`?print=1"]`)
			berlin, _ := time.LoadLocation("Europe/Berlin")
			wantText(t, b, ".codes-for", tr("mfa.codes.print_view.for", map[string]any{"Email": email, "Date": p.Store.Now().In(berlin).Format("02.01.2006")}))
			if m.js != visible(b, "button[data-print]") {
				t.Errorf("print button visible = %v with JavaScript %v", !m.js, m.js)
			}
			if ws := Eval[string](b, `getComputedStyle(document.querySelector("ol.recovery-codes code")).whiteSpace`); ws != "nowrap" {
				t.Errorf("recovery codes may break inside (white-space %q)", ws)
			}
			click(b, `main a[href="`+paths.RecoveryCodes+`"]`)
			codes := keepCodes(t, b, paths.Account)
			p.waitMail(t, email, tr("mail.security.subject")) // the notice of the new method

			logOut(t, b)
			submitLogin(b, email, flowGoodPassword)
			wantPath(t, b, paths.MFAVerify)
			click(b, `main a[href="`+paths.MFAVerify+`?method=recovery"]`)
			if got := b.Attr("#code", "inputmode"); got != "text" {
				t.Errorf("recovery code field inputmode = %q, want text (codes have letters)", got)
			}
			b.Fill("#code", codes[0])
			submit(b, ".code-form")
			wantPath(t, b, paths.RecoveryCodeUsed)
			wantText(t, b, "#codes-left", tr("mfa.recovery_used.left", map[string]any{"Count": 9}))
			mail := p.securityMail(t, email, "")
			if !containsAny(mail.Text, p.mailTimeText(t, "mail.security.recovery_used", map[string]any{"Left": 9})) {
				t.Errorf("recovery code mail lacks when and how many remain:\n%s", mail.Text)
			}
			click(b, `main a.button[href="`+paths.Account+`"]`)
			wantPath(t, b, paths.Account)
		})
	}
}

// TestFlowGermanAddresses: the German addresses customers may type.
func TestFlowGermanAddresses(t *testing.T) {
	t.Parallel()
	p := startFlowPortal(t)
	b := p.NewBrowser(t, Options{JavaScript: false, Lang: "de"})
	for alias, want := range map[string]string{"/anmelden": paths.Login, "/registrieren": paths.Register, "/hilfe": paths.Help} {
		b.Visit(alias)
		wantPath(t, b, want)
	}
	b.Visit("/anmelden")
	wantText(t, b, "#email-hint", p.T(t, "de", "login_help.username_hint"))
	click(b, `footer a[href="`+paths.Accessibility+`"]`)
	wantPath(t, b, paths.Accessibility) // the built-in statement, checked by axe
	wantText(t, b, "h1", p.T(t, "de", "brand.accessibility"))
}
