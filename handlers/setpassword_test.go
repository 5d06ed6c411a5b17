package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/handlers/policy"
)

// openPasswordStep invites email and confirms the link in c, so c stands
// at the set-password form.
func openPasswordStep(t *testing.T, p *portal, c *client, email string) {
	t.Helper()
	confirmLink(t, c, plainForm, p.inviteUser(t, email))
	c.getOK("/password")
}

func TestPasswordFormListsEveryFailingRuleAtOnce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, pw, confirm string
		mustFail          []string // rules this case is about (the policy decides the rest)
	}{
		{"short lower-case and different", "qqxzvw", "qqxzvv", []string{policy.RuleMinLength, policy.RuleUpper, policy.RuleDigit, policy.RuleSpecial, policy.RuleMatch}},
		{"only the repetition differs", "Fensterbank-Grün5", "Fensterbank-Grün6", []string{policy.RuleMatch}},
		{"common word dressed up", "Passwort2024!!", "Passwort2024!!", []string{policy.RuleNotCommon}},
		{"common password as typed", "Password123!", "Password123!", []string{policy.RuleNotCommon}},
		{"contains the address", "Kachel#Ofen#2024x", "Kachel#Ofen#2024x", []string{policy.RuleNotEmail}},
	}
	p := newPortal(t)
	for _, tr := range transports {
		account := "meister.kachel+plain@example.de"
		if tr.htmx {
			account = "meister.kachel+htmx@example.de"
		}
		c := p.client(t)
		openPasswordStep(t, p, c, account)
		for _, tc := range cases {
			t.Run(tr.name+"/"+tc.name, func(t *testing.T) {
				result := policy.Check(tc.pw, tc.confirm, account)
				failed := result.Failed()
				for _, id := range tc.mustFail {
					if !slices.Contains(failed, id) {
						t.Fatalf("test case is wrong: the policy accepts rule %s for %q", id, tc.pw)
					}
				}
				r := c.postInvalid(tr, "/password", url.Values{"new_password": {tc.pw}, "confirm_password": {tc.confirm}}, http.StatusUnprocessableEntity, "password-form")
				doc := r.Doc(t)

				var summary []string
				doc.Find("#error-summary li").Each(func(_ int, li *goquery.Selection) {
					href, _ := li.Find("a").Attr("href")
					summary = append(summary, href+" "+squash(li.Text()))
				})
				var want []string
				for _, id := range failed {
					field := "#new_password"
					if id == policy.RuleMatch {
						field = "#confirm_password"
					}
					want = append(want, field+" "+p.msg(t, ruleError(result, id)))
				}
				if !slices.Equal(summary, want) {
					t.Errorf("error summary:\n  %s\nwant every failed rule:\n  %s", strings.Join(summary, "\n  "), strings.Join(want, "\n  "))
				}

				var marked []string
				doc.Find("#password-rules li").Each(func(_ int, li *goquery.Selection) {
					if li.AttrOr("data-state", "") == "failed" {
						marked = append(marked, squash(li.Contents().First().Text()))
					}
				})
				var wantMarked []string
				for _, id := range failed {
					wantMarked = append(wantMarked, p.msg(t, id))
				}
				if !slices.Equal(marked, wantMarked) {
					t.Errorf("rules marked failed:\n  %s\nwant:\n  %s", strings.Join(marked, "\n  "), strings.Join(wantMarked, "\n  "))
				}
				if n := doc.Find("#password-rules li").Length(); n != len(policy.Rules) {
					t.Errorf("rule list has %d rules, want %d", n, len(policy.Rules))
				}
				for _, typed := range []string{tc.pw, tc.confirm} {
					if typed != "" && strings.Contains(r.Body, typed) {
						t.Errorf("the answer contains the typed password %q", typed)
					}
				}
				for _, field := range []string{"new_password", "confirm_password"} {
					if v, ok := doc.Find("input#" + field).Attr("value"); ok && v != "" {
						t.Errorf("field %s is refilled with %q", field, v)
					}
				}
			})
		}
	}
}

// ruleError is the message id of the error of a failed rule: its reason
// where it has one ("password.error.common_word"), else the rule's error.
func ruleError(result policy.Result, id string) string {
	for _, rr := range result {
		if rr.ID == id && rr.Reason != "" {
			return rr.Reason
		}
	}
	return strings.Replace(id, "password.rule.", "password.error.", 1)
}

func TestLivePasswordCheckAnswersOnlyTheRules(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "meisterin@example.de"
	c := p.client(t)
	openPasswordStep(t, p, c, email)

	const typed = "Werkbank"
	r := c.post(htmxPost, "/password/check", url.Values{"new_password": {typed}, "confirm_password": {""}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("live check: status %d\n%s", r.StatusCode, r.Body)
	}
	if strings.Contains(r.Body, "<html") || strings.Contains(r.Body, "<form") || strings.Contains(r.Body, `id="password-rules"`) {
		t.Errorf("live check answers more than the rule list's content:\n%s", r.Body)
	}
	if strings.Contains(r.Body, typed) {
		t.Errorf("live check echoes the typed password")
	}
	states := map[string]string{}
	r.Doc(t).Find("li").Each(func(_ int, li *goquery.Selection) {
		states[squash(li.Contents().First().Text())] = li.AttrOr("data-state", "")
	})
	want := map[string]string{
		policy.RuleMinLength: "failed", policy.RuleUpper: "ok", policy.RuleLower: "ok", policy.RuleDigit: "failed",
		policy.RuleSpecial: "failed", policy.RuleNotEmail: "ok", policy.RuleMatch: "open",
	}
	for id, state := range want {
		if got := states[p.msg(t, id)]; got != state {
			t.Errorf("rule %s: data-state %q, want %q", id, got, state)
		}
	}

	noToken := c.rawPost("/password/check", url.Values{"new_password": {typed}}, http.Header{"Hx-Request": {"true"}})
	if noToken.StatusCode != http.StatusForbidden {
		t.Errorf("live check without CSRF token: status %d, want 403", noToken.StatusCode)
	}
	wrongToken := c.rawPost("/password/check", url.Values{"new_password": {typed}}, http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {"falsch"}})
	if wrongToken.StatusCode != http.StatusForbidden {
		t.Errorf("live check with a wrong CSRF token: status %d, want 403", wrongToken.StatusCode)
	}
}

func TestLivePasswordCheckSaysWhyAPasswordIsGuessable(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	openPasswordStep(t, p, c, "meisterin@example.de")
	cases := []struct {
		name, typed string
		state       string // data-state of the not-common rule
		reason      string // message id shown beside it, "" for none
	}{
		{"one word dressed up", "Handwerk2024!!", "failed", "password_live.reason.common_word"},
		{"leetspeak", "P@ssw0rt2024!", "failed", "password_live.reason.common_word"},
		{"common password", "password123", "failed", "password_live.reason.common_password"},
		{"passphrase", "Werkstatt Tor 99!", "ok", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.post(htmxPost, "/password/check", url.Values{"new_password": {tc.typed}, "confirm_password": {tc.typed}})
			if r.StatusCode != http.StatusOK {
				t.Fatalf("live check: status %d\n%s", r.StatusCode, r.Body)
			}
			var li *goquery.Selection
			r.Doc(t).Find("li").Each(func(_ int, s *goquery.Selection) {
				if squash(s.Contents().First().Text()) == p.msg(t, policy.RuleNotCommon) {
					li = s
				}
			})
			if li == nil {
				t.Fatalf("no not-common rule in the list:\n%s", r.Body)
			}
			if got := li.AttrOr("data-state", ""); got != tc.state {
				t.Errorf("data-state %q, want %q", got, tc.state)
			}
			got := squash(li.Find(".rules__reason").Text())
			want := ""
			if tc.reason != "" {
				want = p.msg(t, tc.reason)
			}
			if got != want {
				t.Errorf("reason %q, want %q", got, want)
			}
		})
	}
}

func TestSetPasswordWithoutAFlowSaysTheStepIsClosed(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	r := c.get("/password")
	if r.StatusCode != http.StatusGone || !strings.Contains(r.Text(t), p.msg(t, "flow.expired.title")) {
		t.Fatalf("GET /password without a flow: status %d\n%s", r.StatusCode, r.Body)
	}
	c.getOK("/login")
	for _, tr := range transports {
		r := c.post(tr, "/password", url.Values{"new_password": {goodPassword}, "confirm_password": {goodPassword}})
		if r.StatusCode != http.StatusGone {
			t.Errorf("POST /password without a flow (%s): status %d, want 410", tr.name, r.StatusCode)
		}
	}
}

func TestSetPasswordStepExpiresAfterHalfAnHour(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	openPasswordStep(t, p, c, "meisterin@example.de")
	p.Clock.Advance(31 * time.Minute)
	for _, tr := range transports {
		r := c.post(tr, "/password", url.Values{"new_password": {goodPassword}, "confirm_password": {goodPassword}})
		if r.StatusCode != http.StatusGone || !strings.Contains(r.Text(t), p.msg(t, "flow.expired.title")) {
			t.Errorf("%s: status %d, want 410 with the closed-step page", tr.name, r.StatusCode)
		}
	}
	if p.user(t, "meisterin@example.de").PasswordHash != "" {
		t.Errorf("the password was set after the step expired")
	}
}

// An empty submission must not be blamed for what it is not: it contains
// no e-mail address, and two empty fields do not differ.
func TestEmptyPasswordGetsOnlyTrueReasons(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			c := p.client(t)
			openPasswordStep(t, p, c, "meister.kachel+"+strings.Fields(tr.name)[0]+"@example.de")
			r := c.postInvalid(tr, "/password", url.Values{"new_password": {""}, "confirm_password": {""}}, http.StatusUnprocessableEntity, "password-form")
			summary := squash(r.Doc(t).Find("#error-summary").Text())
			if !strings.Contains(summary, p.msg(t, "password.error.min_length")) {
				t.Errorf("error summary does not say the password is too short:\n%s", summary)
			}
			for _, id := range []string{"password.error.not_email", "password.error.match"} {
				if strings.Contains(summary, p.msg(t, id)) {
					t.Errorf("error summary for an empty password says %q", p.msg(t, id))
				}
			}
		})
	}
}
