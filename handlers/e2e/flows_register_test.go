package e2e

import (
	"maps"
	"testing"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/policy"
)

// flowTypedSteps type the password "wurzEL7%baumkrone" piece by piece:
// each piece meets one more rule (lower case, upper case, digit, special
// character, length).
var flowTypedSteps = []string{"wurz", "EL", "7", "%", "baumkrone"}

// TestFlowRegistrationToTOTP registers with an address, follows the
// verification mail ("Weiter"), sets the password and chooses TOTP. With
// JavaScript the rule list ticks each rule live while the password is
// typed, in a polite live region.
func TestFlowRegistrationToTOTP(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			const email = "dora.neumann@example.de"

			b.Visit(paths.Register)
			wantText(t, b, "h1", tr("register.title"))
			b.Fill("#email", email)
			submit(b, "#email-form")
			wantPath(t, b, paths.RegisterSent)
			wantText(t, b, "main .notice", tr("register.sent.body"))

			b.Visit(mailLink(t, p.waitMail(t, email, tr("mail.register.subject")), paths.RegisterConfirm))
			wantText(t, b, "h1", tr("register.confirm.title"))
			wantText(t, b, "main form button", "Weiter")
			submit(b, `main form[action="`+paths.RegisterConfirm+`"]`)
			wantPath(t, b, paths.Password)

			states := ruleStates(b)
			for _, rule := range policy.Rules {
				if got := states[tr(rule)]; got != "open" {
					t.Errorf("rule %s before typing = %q, want open", rule, got)
				}
			}
			if got := b.Attr("#password-rules-status", "role"); got != "status" {
				t.Errorf("rule summary role = %q, want status (a polite live region)", got)
			}
			if m.js {
				rulesTickWhileTyping(t, p, b, email)
			} else {
				p.typePassword(t, b, email, flowGoodPassword, flowGoodPassword)
			}
			submit(b, "#password-form")
			p.setUpTOTP(t, b)
			keepCodes(t, b, paths.Account)
			wantContains(t, b, "main", tr("account.logged_in_as", map[string]any{"Email": email}))
		})
	}
}

// rulesTickWhileTyping types the password piece by piece and waits after
// each piece until the live rule list shows one more rule met, then types
// the repetition, which ticks the last rule.
func rulesTickWhileTyping(t *testing.T, p *flowPortal, b *Browser, email string) {
	t.Helper()
	lang := b.Options().Lang
	field := "#" + string(components.FieldNewPassword)
	b.Click(field)
	typed := ""
	met := 0
	for _, piece := range flowTypedSteps {
		b.PressKey(piece)
		typed += piece
		p.awaitRules(t, b, typed, "", email, false)
		now := 0
		for _, state := range ruleStates(b) {
			if state == "ok" {
				now++
			}
		}
		if now <= met {
			t.Errorf("after typing %q the list shows %d rules met, before %d", typed, now, met)
		}
		met = now
		if !focusIs(b, field) {
			t.Fatalf("the live check moved the focus to %s while typing", b.Focused())
		}
	}
	want := p.wantRuleStates(t, lang, typed, typed, email, true)
	for _, rule := range policy.Rules {
		if rule != policy.RuleMatch && want[p.T(t, lang, rule)] != "ok" {
			t.Fatalf("fixture: %q does not meet %s", typed, rule)
		}
	}
	if !Eval[bool](b, `!!document.querySelector('#password-rules #password-rules-status[role="status"]') && !document.querySelector('#password-rules[aria-live]')`) {
		t.Errorf("the rule list lacks its spoken summary, or the whole list is live")
	}
	b.Fill("#"+string(components.FieldConfirm), typed)
	p.awaitRules(t, b, typed, typed, email, true)
	if got := ruleStates(b); !maps.Equal(got, want) {
		t.Errorf("rules after the repetition = %v, want all met %v", got, want)
	}
}
