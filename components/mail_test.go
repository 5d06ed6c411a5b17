package components_test

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/locales"
)

func TestRenderMailGivesTextAndHTMLInTheRecipientsLanguage(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	m := components.Mail{
		Subject: "mail.recovery.subject", Paragraphs: []string{"mail.recovery.body"},
		Action: "mail.recovery.action", ActionURL: "https://portal.example.de/recovery/confirm?token=abc&x=1",
		After: []string{"mail.recovery.expiry"},
		Data:  map[string]any{"Name": "Anna Müller", "Minutes": 60, "Contact": "kundenlogin@hwk-ufr.de"},
	}
	for _, c := range []struct{ lang, subject, greeting string }{
		{"de", "Passwort zurücksetzen", "Guten Tag Anna Müller,"},
		{"en", "Reset your password", "Hello Anna Müller,"},
	} {
		ctx := components.WithLocalizer(context.Background(), cat.Localizer(c.lang))
		ctx = components.WithPage(ctx, components.Page{Lang: c.lang})
		r, err := components.RenderMail(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != c.subject {
			t.Errorf("%s subject = %q", c.lang, r.Subject)
		}
		if !strings.HasPrefix(r.Text, c.greeting) || !strings.Contains(r.Text, "\n"+m.ActionURL+"\n") || !strings.Contains(r.Text, "60") {
			t.Errorf("%s text part:\n%s", c.lang, r.Text)
		}
		if strings.Contains(r.Text, "&amp;") || strings.Contains(r.Text, "<") {
			t.Errorf("%s text part has HTML in it:\n%s", c.lang, r.Text)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.HTML))
		if err != nil {
			t.Fatal(err)
		}
		if lang, _ := doc.Find("html").Attr("lang"); lang != c.lang {
			t.Errorf("%s html lang = %q", c.lang, lang)
		}
		links := doc.Find(`a[href="` + m.ActionURL + `"]`)
		if links.Length() != 2 {
			t.Errorf("%s: want the button and the written-out link, got %d links", c.lang, links.Length())
		}
		if !strings.Contains(doc.Text(), "kundenlogin@hwk-ufr.de") {
			t.Errorf("%s: footer without the contact address", c.lang)
		}
	}
}
