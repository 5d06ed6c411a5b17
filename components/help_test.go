package components_test

import (
	"strings"
	"testing"

	"github.com/hwk/kundenportal/components"
)

// specialChars are the seed's example special characters.
const specialChars = "!@#$%^&*()_+-={};:<>/?~"

func TestHelpPage(t *testing.T) {
	tests := []struct {
		lang  string
		title string
		rules []string // the seven policy rules, in order
	}{
		{
			lang:  "de",
			title: "Hilfe zum Kundenportal",
			rules: []string{"mindestens 12 Zeichen", "mindestens 1 Großbuchstabe", "mindestens 1 Kleinbuchstabe", "mindestens 1 Zahl", "mindestens 1 Sonderzeichen",
				"kein häufig verwendetes Passwort und kein einzelnes häufiges Wort", "nicht Ihre E-Mail-Adresse"},
		},
		{
			lang:  "en",
			title: "Help with the customer portal",
			rules: []string{"at least 12 characters", "at least 1 upper-case letter", "at least 1 lower-case letter", "at least 1 digit", "at least 1 special character",
				"not a common password, and not a single common word", "not your e-mail address"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			doc := renderDoc(t, tt.lang, components.HelpPage(components.HelpView{PINValidDays: 60}))

			if got := doc.Find("html").AttrOr("lang", ""); got != tt.lang {
				t.Errorf("html lang = %q, want %q", got, tt.lang)
			}
			assertHeadingOrder(t, doc)
			if got := squash(doc.Find("h1").Text()); got != tt.title {
				t.Errorf("h1 = %q, want %q", got, tt.title)
			}
			if got := doc.Find("title").Text(); !strings.HasPrefix(got, tt.title) {
				t.Errorf("title = %q, want it to start with %q", got, tt.title)
			}

			rules := doc.Find("#policy ul.policy-rules > li")
			if rules.Length() != len(tt.rules) {
				t.Fatalf("policy lists %d rules, want %d", rules.Length(), len(tt.rules))
			}
			for i, want := range tt.rules {
				if got := squash(rules.Eq(i).Text()); !strings.HasPrefix(got, want) {
					t.Errorf("rule %d = %q, want it to start with %q", i+1, got, want)
				}
			}
			if got := strings.Join(strings.Fields(doc.Find("#policy code").Text()), ""); got != specialChars {
				t.Errorf("special characters = %q, want %q", got, specialChars)
			}

			steps := doc.Find("#new-password ol > li")
			if steps.Length() < 4 {
				t.Errorf("new password section has %d steps, want an ordered list of steps", steps.Length())
			}
			if steps.Find(`a[href="/Passwort-vergessen"]`).Length() != 1 {
				t.Errorf("the steps do not link to /Passwort-vergessen")
			}
			if doc.Find(`#not-registered a[href="/register"]`).Length() != 1 {
				t.Errorf("the not-registered section does not link to /register")
			}
			if got := doc.Find("#second-factor dt").Length(); got != 3 {
				t.Errorf("second factor section names %d methods, want 3", got)
			}

			mail := doc.Find(`#contact a[href="mailto:` + testContact + `"]`)
			if mail.Length() != 1 || strings.TrimSpace(mail.Text()) != testContact {
				t.Errorf("contact section has no mailto link showing %s", testContact)
			}

			skip := doc.Find("body a").First()
			if !skip.HasClass("skip-link") || skip.AttrOr("href", "") != "#main" {
				t.Errorf("first link of the body is %q to %q, want the skip link to #main", skip.Text(), skip.AttrOr("href", ""))
			}
			if doc.Find("main#main").Length() != 1 {
				t.Errorf("no <main id=\"main\"> for the skip link")
			}
			assertFragmentTargets(t, doc)
			assertNoRawIDs(t, doc)
		})
	}
}
