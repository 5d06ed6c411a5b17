package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/policy"
	"github.com/hwk/kundenportal/store/storetest"
)

// flowWeakPassword fails several rules at once: too short, no upper-case
// letter, no digit, no special character, a common word.
const flowWeakPassword = "sommer"

// flowWeakFails are the rules flowWeakPassword (typed twice) fails, in the
// order the page lists them.
var flowWeakFails = []string{policy.RuleMinLength, policy.RuleUpper, policy.RuleDigit, policy.RuleSpecial, policy.RuleNotCommon}

// TestFlowSeedInvitationThroughRecoveryToTOTP walks the seed's exact path:
// the invitation mail, the login page, "Benutzername oder Passwort
// vergessen?", the reset mail, "Weiter", a weak password (every failing
// rule at once), a good one, login, "TOTP Device", recovery codes, account.
// Once on SQLite, the database of `make run`.
func TestFlowSeedInvitationThroughRecoveryToTOTP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		js     bool
		lang   string
		sqlite bool
	}{{"js-de", true, "de", false}, {"nojs-de", false, "de", false}, {"js-en", true, "en", false}, {"js-de-sqlite", true, "de", true}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			open := storetest.Postgres
			if tc.sqlite {
				open = storetest.SQLite
			}
			p := startFlowPortalOn(t, open(t))
			b := p.NewBrowser(t, Options{JavaScript: tc.js, Lang: tc.lang})
			seedPath(t, p, b, "anna.berger@example.de")
		})
	}
}

// seedPath is the seed's path for email in the browser's language.
func seedPath(t *testing.T, p *flowPortal, b *Browser, email string) {
	lang := b.Options().Lang
	tr := func(id string, data ...map[string]any) string { return p.T(t, lang, id, data...) }
	seed := lang == "de" // the seed's wording, where the customers know it

	// The invitation mail names the login page; the customer opens it.
	invitation := p.invite(t, email, lang)
	b.Visit(mailLink(t, invitation, paths.Login))
	wantPath(t, b, paths.Login)
	forgot := `main a[href="` + paths.Recovery + `"]`
	wantText(t, b, forgot, tr("login.forgot"))
	if seed {
		wantText(t, b, forgot, "Benutzername oder Passwort vergessen?")
	}
	click(b, forgot)
	wantPath(t, b, paths.Recovery)

	b.Fill("#email", email)
	wantText(t, b, "#email-form button", tr("recovery.submit"))
	if seed {
		wantText(t, b, "#email-form button", "Weiter")
	}
	submit(b, "#email-form")
	wantPath(t, b, paths.RecoverySent)
	wantText(t, b, "main .notice", tr("recovery.sent.body"))

	reset := p.waitMail(t, email, tr("mail.recovery.subject"))
	if action := tr("mail.recovery.action"); !strings.Contains(reset.HTML, action) || !strings.Contains(reset.Text, action) {
		t.Errorf("reset mail lacks the action %q", action)
	}
	if seed && !strings.Contains(reset.HTML, ">Passwort zurücksetzen<") {
		t.Errorf("reset mail has no \"Passwort zurücksetzen\" button:\n%s", reset.HTML)
	}
	b.Visit(mailLink(t, reset, paths.RecoveryConfirm))
	confirm := `main form[action="` + paths.RecoveryConfirm + `"]`
	wantText(t, b, confirm+" button", tr("confirm.submit"))
	if seed {
		wantText(t, b, confirm+" button", "Weiter")
	}
	submit(b, confirm)
	wantPath(t, b, paths.Password)

	weakPasswordShowsEveryRule(t, p, b, email)

	p.submitPassword(t, b, email, flowGoodPassword, flowGoodPassword)
	wantPath(t, b, paths.Login)
	wantText(t, b, "main .notice", tr("notice.password_changed"))

	submitLogin(b, email, flowGoodPassword)
	wantPath(t, b, paths.MFAChoose)
	wantText(t, b, `form:has(input[value="totp"]) h2`, tr("mfa.method.totp.name"))
	wantText(t, b, `form:has(input[value="email"]) h2`, tr("mfa.method.email.name"))
	if seed {
		wantText(t, b, `form:has(input[value="totp"]) h2`, "TOTP Device")
		wantText(t, b, `form:has(input[value="email"]) h2`, "2-Faktor-Authentifikation per E-Mail")
	}
	p.setUpTOTP(t, b)
	keepCodes(t, b, paths.Account)
	wantContains(t, b, "main", tr("account.logged_in_as", map[string]any{"Email": email}))
}

// weakPasswordShowsEveryRule sends a weak password twice and checks the
// answer: every failing rule in the error summary (linked to the field)
// and marked in the rule list, the focus on the summary, nothing kept.
func weakPasswordShowsEveryRule(t *testing.T, p *flowPortal, b *Browser, email string) {
	t.Helper()
	lang := b.Options().Lang
	if got := policy.Check(flowWeakPassword, flowWeakPassword, email).Failed(); !slices.Equal(got, flowWeakFails) {
		t.Fatalf("fixture: %q fails %v, the test expects %v", flowWeakPassword, got, flowWeakFails)
	}
	p.submitPassword(t, b, email, flowWeakPassword, flowWeakPassword)
	wantPath(t, b, paths.Password)

	type link struct {
		Href string `json:"href"`
		Text string `json:"text"`
	}
	got := Eval[[]link](b, `Array.from(document.querySelectorAll("#error-summary li"),
		li => ({href: li.querySelector("a") ? li.querySelector("a").getAttribute("href") : "", text: li.textContent.trim()}))`)
	var want []link
	for _, rr := range policy.Check(flowWeakPassword, flowWeakPassword, email) {
		if rr.OK {
			continue
		}
		msg := strings.Replace(rr.ID, "password.rule.", "password.error.", 1)
		if rr.Reason != "" { // why it is too easy to guess
			msg = rr.Reason
		}
		want = append(want, link{"#" + string(components.FieldNewPassword), p.T(t, lang, msg)})
	}
	if !slices.Equal(got, want) {
		t.Errorf("error summary = %q,\nwant %q", got, want)
	}
	if got := b.Focused(); got != "#error-summary" {
		t.Errorf("focus after the weak password = %s, want #error-summary", got)
	}
	if !Eval[bool](b, `!!(document.querySelector("#error-summary").compareDocumentPosition(document.querySelector("#new_password")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Errorf("the error summary is not above the fields")
	}
	states := ruleStates(b)
	for _, rule := range policy.Rules {
		wantState := "ok"
		if slices.Contains(flowWeakFails, rule) {
			wantState = "failed"
		}
		if got := states[p.T(t, lang, rule)]; got != wantState {
			t.Errorf("rule %s shows %q, want %q (all: %v)", rule, got, wantState, states)
		}
	}
	field := "#" + string(components.FieldNewPassword)
	if got := b.Attr(field, "aria-invalid"); got != "true" {
		t.Errorf("%s aria-invalid = %q, want true", field, got)
	}
	if got := strings.Fields(b.Attr(field, "aria-describedby")); !slices.Contains(got, "new_password-error") || !slices.Contains(got, "password-rules") {
		t.Errorf("%s aria-describedby = %v, want the error and the rule list", field, got)
	}
	if Eval[string](b, `document.querySelector("#new_password").value + document.querySelector("#confirm_password").value`) != "" {
		t.Errorf("the password fields kept the password")
	}
}
