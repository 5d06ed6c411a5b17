package components_test

import (
	"strings"
	"testing"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/store/factor"
)

func TestHelpLostAccessNamesCodesBeforeContact(t *testing.T) {
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			doc := renderDoc(t, lang, components.HelpPage(components.HelpView{PINValidDays: 60}))
			for _, id := range []string{"lost-access", "pin"} {
				if doc.Find(`nav.toc a[href="#`+id+`"]`).Length() != 1 {
					t.Errorf("the table of contents does not link to #%s", id)
				}
			}
			lost := doc.Find("#lost-access")
			if lost.Length() != 1 {
				t.Fatal("no section #lost-access")
			}
			if lang == "de" && squash(lost.Find("h2").Text()) != "Zugang verloren?" {
				t.Errorf("heading %q, want Zugang verloren?", squash(lost.Find("h2").Text()))
			}
			html, _ := lost.Html()
			codes := strings.Index(html, "ol class=\"steps\"")
			mail := strings.Index(html, "mailto:"+testContact)
			if codes < 0 || mail < 0 || codes > mail {
				t.Errorf("lost access: recovery code steps at %d, contact address at %d; want the steps first, then the address", codes, mail)
			}
			pin := squash(doc.Find("#pin").Text())
			for _, want := range map[string][]string{
				"de": {"Betrieb verknüpfen", "per Post", "60 Tage", "Betriebsnummer"},
				"en": {"by post", "60 days", "business number"},
			}[lang] {
				if !strings.Contains(pin, want) {
					t.Errorf("PIN section lacks %q:\n%s", want, pin)
				}
			}
			if doc.Find(`#pin a[href="/account/companies"]`).Length() != 1 {
				t.Error("the PIN section does not link to the page that requests the PIN")
			}
		})
	}
}

func TestEverySecondFactorStepLinksToLostAccess(t *testing.T) {
	for _, method := range []factor.Kind{factor.TOTP, factor.Email, factor.WebAuthn, factor.Recovery} {
		t.Run(string(method), func(t *testing.T) {
			doc := renderDoc(t, "de", components.VerifyPage(components.VerifyView{
				Method: method, Methods: []factor.Kind{factor.TOTP, factor.Email, factor.WebAuthn}, Email: "a@example.de",
			}))
			a := doc.Find(`main a[href="/help#lost-access"]`)
			if a.Length() != 1 || squash(a.Text()) != "Zugang verloren?" {
				t.Errorf("links to /help#lost-access: %d (%q), want one named Zugang verloren?", a.Length(), squash(a.Text()))
			}
		})
	}
}
