package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/policy"
)

// axLive is what Chromium's accessibility tree holds for the element with
// id: its role, its live property ("" when not live) and its text.
type axLive struct{ role, live, text string }

func axValue(v *accessibility.Value) string {
	if v == nil {
		return ""
	}
	var s string
	if json.Unmarshal(v.Value, &s) != nil {
		return strings.Trim(string(v.Value), `"`)
	}
	return s
}

// axOf reads the accessibility node of the element with id, with the text
// of its children, from Chromium's accessibility tree (not the DOM).
func axOf(t *testing.T, b *Browser, id string) axLive {
	t.Helper()
	var out axLive
	b.call("accessibility tree of #"+id, func(ctx context.Context) error {
		obj, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: `document.getElementById("` + id + `")`})
		if err != nil {
			return err
		}
		if obj.Result == nil || obj.Result.ObjectID == "" {
			return nil
		}
		relatives := true
		tree, err := chromedp.Call(ctx, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{ObjectID: obj.Result.ObjectID, FetchRelatives: &relatives})
		if err != nil {
			return err
		}
		byID := map[accessibility.NodeID]*accessibility.Node{}
		for _, n := range tree.Nodes {
			byID[n.NodeID] = n
		}
		var self *accessibility.Node
		for _, n := range tree.Nodes {
			if n.BackendDOMNodeID != 0 && self == nil && !n.Ignored && n.Role != nil {
				if axValue(n.Role) == "status" || id == "password-rules" && n.ParentID != "" {
					self = n
				}
			}
		}
		if self == nil {
			return nil
		}
		out.role = axValue(self.Role)
		for _, p := range self.Properties {
			if p.Name == accessibility.PropertyNameLive {
				out.live = axValue(p.Value)
			}
		}
		var text []string
		for _, c := range self.ChildIDs {
			if n := byID[c]; n != nil && axValue(n.Role) == "StaticText" {
				text = append(text, axValue(n.Name))
			}
		}
		out.text = strings.Join(text, "")
		return nil
	})
	return out
}

// wantSummary is the spoken summary for what was typed.
func (p *flowPortal) wantSummary(t *testing.T, pw, confirm, email string) string {
	t.Helper()
	if pw == "" {
		return ""
	}
	var open []string
	for _, r := range policy.Check(pw, confirm, email) {
		if r.ID == policy.RuleMatch && confirm == "" || r.OK {
			continue
		}
		open = append(open, p.T(t, "de", strings.Replace(r.ID, "password.rule.", "password_live.", 1)))
	}
	switch {
	case len(open) > 0:
		return p.T(t, "de", "password_live.open", map[string]any{"Rules": strings.Join(open, ", ")})
	case confirm == "":
		return ""
	}
	return p.T(t, "de", "password_live.all_met")
}

// TestLiveRuleAnnouncementsInTheAccessibilityTree types a password step
// by step and reads from Chromium's accessibility tree what a screen
// reader is given: one polite status with the names of the rules still
// open, nothing live in the rule list itself.
func TestLiveRuleAnnouncementsInTheAccessibilityTree(t *testing.T) {
	t.Parallel()
	p := startFlowPortal(t)
	b := p.NewBrowser(t, Options{JavaScript: true, Lang: "de"})
	const email = "tom.berger@example.de"
	b.Visit(mailLink(t, p.invite(t, email, "de"), paths.InviteConfirm))
	submit(b, `form[action="`+paths.InviteConfirm+`"]`)
	wantPath(t, b, paths.Password)

	if got := axOf(t, b, "password-rules-status"); got.role != "status" || got.live != "polite" || got.text != "" {
		t.Errorf("before typing the status is %+v, want a polite, empty status", got)
	}
	if got := axOf(t, b, "password-rules"); got.live != "" {
		t.Errorf("the rule list itself is live (%q): every changed rule state would be read out", got.live)
	}
	// Typed piece by piece, as a person does (flowGoodPassword in pieces).
	b.Click("#" + string(components.FieldNewPassword))
	typed := ""
	for _, piece := range []string{"Hobel", "&Amboss", "-Werkbank", "42", ""} {
		step := struct{ pw, confirm string }{typed + piece, ""}
		if piece == "" {
			step.confirm = step.pw
			b.Fill("#"+string(components.FieldConfirm), step.pw)
		} else {
			b.PressKey(piece)
		}
		typed = step.pw
		p.awaitRules(t, b, step.pw, step.confirm, email, step.confirm != "")
		want := p.wantSummary(t, step.pw, step.confirm, email)
		waitUntil(t, "the accessibility tree to say "+want, func() (bool, string) {
			got := axOf(t, b, "password-rules-status")
			return got.text == want && got.live == "polite", got.text
		})
	}
}

// TestNoStaleErrorOnceEveryRuleIsMet: after a refused password the error
// summary goes away as soon as the live check shows every rule met.
func TestNoStaleErrorOnceEveryRuleIsMet(t *testing.T) {
	t.Parallel()
	p := startFlowPortal(t)
	b := p.NewBrowser(t, Options{JavaScript: true, Lang: "de"})
	const email = "ute.kraus@example.de"
	b.Visit(mailLink(t, p.invite(t, email, "de"), paths.InviteConfirm))
	submit(b, `form[action="`+paths.InviteConfirm+`"]`)
	wantPath(t, b, paths.Password)
	p.submitPassword(t, b, email, "kurz", "kurz")
	wantContains(t, b, "#error-summary", p.T(t, "de", "password.error.min_length"))
	p.typePassword(t, b, email, flowGoodPassword, flowGoodPassword)
	waitUntil(t, "the stale error summary to go", func() (bool, string) {
		return !b.Exists("#error-summary") && !b.Exists("#new_password-error") && b.Attr("#new_password", "aria-invalid") == "", textOf(b, "#error-summary")
	})
	b.CheckA11y()
}
