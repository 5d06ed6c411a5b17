package e2e

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/policy"
	"github.com/hwk/kundenportal/store/factor"
)

// The steps the flow tests share: the forms of login, password and second
// factor as a customer fills them.

// flowGoodPassword meets every rule of the policy for the addresses the
// flow tests use.
const flowGoodPassword = "Hobel&Amboss-Werkbank42"

// submitLogin fills the login form on the current page and sends it.
func submitLogin(b *Browser, email, pw string) {
	b.t.Helper()
	b.Fill("#"+string(components.FieldEmail), email)
	b.Fill("#"+string(components.FieldPassword), pw)
	submit(b, "#login-form")
}

// typePassword types the new password and its repetition as a person
// does. With JavaScript it waits after each field until the live rule list
// shows the result (so no check is pending when the form is sent) and
// checks that the focus stayed in the field being typed in.
func (p *flowPortal) typePassword(t *testing.T, b *Browser, email, pw, confirm string) {
	t.Helper()
	for _, f := range []struct {
		field components.Field
		value string
	}{
		{components.FieldNewPassword, pw}, {components.FieldConfirm, confirm},
	} {
		b.Fill("#"+string(f.field), f.value)
		if !b.Options().JavaScript {
			continue
		}
		p.awaitRules(t, b, pw, confirm, email, f.field == components.FieldConfirm)
		if !focusIs(b, "#"+string(f.field)) {
			t.Errorf("the live rule check moved the focus from #%s (typing) to %s", f.field, b.Focused())
		}
	}
}

// submitPassword types both fields and sends the set-password form.
func (p *flowPortal) submitPassword(t *testing.T, b *Browser, email, pw, confirm string) {
	t.Helper()
	p.typePassword(t, b, email, pw, confirm)
	submit(b, "#password-form")
}

// wantRuleStates is what the live rule list shows for what was typed, by
// rule text: open before anything is typed (the match rule until the
// repetition is typed too), then ok or failed.
func (p *flowPortal) wantRuleStates(t *testing.T, lang, pw, confirm, email string, confirmTyped bool) map[string]string {
	t.Helper()
	want := map[string]string{}
	for _, r := range policy.Check(pw, confirm, email) {
		state := "failed"
		switch {
		case pw == "" || r.ID == policy.RuleMatch && !confirmTyped:
			state = "open"
		case r.OK:
			state = "ok"
		}
		want[p.T(t, lang, r.ID)] = state
	}
	return want
}

// awaitRules waits until the live rule list shows the states for what was
// typed, then checks the page's accessibility.
func (p *flowPortal) awaitRules(t *testing.T, b *Browser, pw, confirm, email string, confirmTyped bool) {
	t.Helper()
	want := p.wantRuleStates(t, b.Options().Lang, pw, confirm, email, confirmTyped)
	waitUntil(t, "the live rule list to show "+fmt.Sprint(want), func() (bool, string) {
		got := ruleStates(b)
		return maps.Equal(got, want), fmt.Sprint(got)
	})
	b.CheckA11y()
}

// choiceButton is the button that picks method kind on the choice page.
func choiceButton(kind factor.Kind) string {
	return choiceForm(kind) + ` button[type="submit"]`
}

// choiceForm is the form that picks method kind on the choice page.
func choiceForm(kind factor.Kind) string {
	return `form:has(input[name="` + string(components.FieldMethod) + `"][value="` + string(kind) + `"])`
}

// setUpTOTP chooses "TOTP Device" on the choice page, reads the key from
// the page as a person typing it into an app does, confirms a current code
// and returns the key.
func (p *flowPortal) setUpTOTP(t *testing.T, b *Browser) string {
	t.Helper()
	wantPath(t, b, paths.MFAChoose)
	click(b, choiceButton(factor.TOTP))
	wantPath(t, b, paths.MFATOTP)
	secret := readTOTPKey(t, b)
	b.Fill("#"+string(components.FieldCode), p.totpNow(t, secret))
	submit(b, ".code-form")
	return secret
}

// readTOTPKey reads the key shown as text (in groups of four) for typing
// into an app, without the spaces.
func readTOTPKey(t *testing.T, b *Browser) string {
	t.Helper()
	grouped := b.Text("code.secret")
	secret := strings.ReplaceAll(grouped, " ", "")
	if len(secret) < 16 || !strings.Contains(grouped, " ") {
		t.Fatalf("TOTP key on the page = %q, want a grouped key of at least 16 characters", grouped)
	}
	return secret
}

// keepCodes reads the recovery codes shown once and continues ("Ich habe
// die Codes sicher aufbewahrt"), landing on want.
func keepCodes(t *testing.T, b *Browser, want string) []string {
	t.Helper()
	wantPath(t, b, paths.RecoveryCodes)
	codes := Eval[[]string](b, `Array.from(document.querySelectorAll("ol.recovery-codes code"), c => c.textContent.trim())`)
	if len(codes) != 10 {
		t.Fatalf("recovery codes shown: %d %v, want 10", len(codes), codes)
	}
	submit(b, `form[action="`+paths.RecoveryCodes+`"]`)
	wantPath(t, b, want)
	return codes
}

// logOut presses "Abmelden" on the account page.
func logOut(t *testing.T, b *Browser) {
	t.Helper()
	if b.CurrentPath() != paths.Account {
		b.Visit(paths.Account)
	}
	submit(b, `form[action="`+paths.Logout+`"]`)
	wantPath(t, b, paths.Login)
}

// flowAccount is a customer who finished the invitation with TOTP.
type flowAccount struct {
	email, password, secret string
	codes                   []string
}

// invitedOverHTTP invites email and, as the customer, confirms the
// invitation, sets the password and logs in, over plain HTTP
// (pageClient): the client ends on the choice of a second factor. Those
// pages are tested in the browser, in every mode, by the flows about them
// (the seed's path, registration, the invitation with an e-mail code);
// for the other flows they are only the way to a customer.
func (p *flowPortal) invitedOverHTTP(t *testing.T, b *Browser, email string) *pageClient {
	t.Helper()
	lang := b.Options().Lang
	c := newPageClient(t, p.BaseURL, userAgent(b), lang)
	c.get(mailLink(t, p.invite(t, email, lang), paths.InviteConfirm))
	c.submit(`form[action="`+paths.InviteConfirm+`"]`, nil)
	c.wantPath(paths.Password)
	c.submit("#password-form", map[components.Field]string{
		components.FieldNewPassword: flowGoodPassword, components.FieldConfirm: flowGoodPassword})
	c.wantPath(paths.Login)
	c.submit("#login-form", map[components.Field]string{components.FieldEmail: email, components.FieldPassword: flowGoodPassword})
	c.wantPath(paths.MFAChoose)
	return c
}

// atFactorChoice is invitedOverHTTP with the browser taking over on the
// choice of a second factor.
func (p *flowPortal) atFactorChoice(t *testing.T, b *Browser, email string) {
	t.Helper()
	p.invitedOverHTTP(t, b, email).handTo(b)
	b.Visit(paths.MFAChoose)
	wantPath(t, b, paths.MFAChoose)
}

// enrolWithTOTP is invitedOverHTTP, then sets up TOTP and keeps the
// recovery codes over HTTP too: the browser gets the cookies and ends on
// the account page, logged in.
func (p *flowPortal) enrolWithTOTP(t *testing.T, b *Browser, email string) flowAccount {
	t.Helper()
	c := p.invitedOverHTTP(t, b, email)
	c.submit(choiceForm(factor.TOTP), nil)
	c.wantPath(paths.MFATOTP)
	secret := strings.ReplaceAll(c.text("code.secret"), " ", "")
	c.submit(".code-form", map[components.Field]string{components.FieldCode: p.totpNow(t, secret)})
	c.wantPath(paths.RecoveryCodes)
	var codes []string
	c.page.Find("ol.recovery-codes code").Each(func(_ int, s *goquery.Selection) {
		codes = append(codes, strings.TrimSpace(s.Text()))
	})
	if len(codes) != 10 {
		t.Fatalf("recovery codes shown: %d %v, want 10", len(codes), codes)
	}
	c.submit(`form[action="`+paths.RecoveryCodes+`"]`, nil)
	c.wantPath(paths.Account)
	c.handTo(b)
	b.Visit(paths.Account)
	wantPath(t, b, paths.Account)
	return flowAccount{email: email, password: flowGoodPassword, secret: secret, codes: codes}
}

// ruleStates maps the text of each rule in the live rule list to its
// data-state (open, ok, failed).
func ruleStates(b *Browser) map[string]string {
	b.t.Helper()
	return Eval[map[string]string](b, `Object.fromEntries(Array.from(
		document.querySelectorAll("#password-rules li"),
		li => [li.firstChild.textContent.trim(), li.dataset.state]))`)
}

// flowModes are the two ways a customer's browser runs the flows.
var flowModes = []struct {
	name string
	js   bool
}{{"js", true}, {"nojs", false}}
