package components_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/locales"
)

// mailPage is the page-wide data a mail is rendered with: the chamber's
// identity and the portal's address.
func mailPage(lang string) components.Page {
	return components.Page{
		Lang: lang, Contact: "kundenlogin@hwk-ufr.de", OrgName: "Handwerkskammer für Unterfranken",
		OrgAddress: "Rennweger Ring 3, 97070 Würzburg", PortalURL: "https://portal.example.de/",
		ImprintURL: "https://www.hwk-ufr.de/impressum",
	}
}

func renderMail(t *testing.T, lang string, m components.Mail) (components.RenderedMail, *goquery.Document) {
	t.Helper()
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ctx := components.WithLocalizer(context.Background(), cat.Localizer(lang))
	ctx = components.WithPage(ctx, mailPage(lang))
	r, err := components.RenderMail(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.HTML))
	if err != nil {
		t.Fatal(err)
	}
	return r, doc
}

func translate(t *testing.T, lang, id string, data map[string]any) string {
	t.Helper()
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return components.T(components.WithLocalizer(context.Background(), cat.Localizer(lang)), id, data)
}

func TestRenderMailGivesTextAndHTMLInTheRecipientsLanguage(t *testing.T) {
	m := components.Mail{
		Subject: "mail.recovery.subject", Paragraphs: []string{"mail.recovery.body"},
		Action: "mail.recovery.action", ActionURL: "https://portal.example.de/recovery/confirm?token=abc&x=1",
		After: []string{"mail.recovery.expiry"},
		Data:  map[string]any{"Name": "Anna Müller", "Minutes": 60},
	}
	for _, c := range []struct{ lang, subject, greeting string }{
		{"de", "Passwort zurücksetzen", "Guten Tag Anna Müller,"},
		{"en", "Reset your password", "Hello Anna Müller,"},
	} {
		r, doc := renderMail(t, c.lang, m)
		if r.Subject != c.subject {
			t.Errorf("%s subject = %q", c.lang, r.Subject)
		}
		if !strings.HasPrefix(r.Text, c.greeting) || !strings.Contains(r.Text, "\n"+m.ActionURL+"\n") || !strings.Contains(r.Text, "60") {
			t.Errorf("%s text part:\n%s", c.lang, r.Text)
		}
		if strings.Contains(r.Text, "&amp;") || strings.Contains(r.Text, "<") {
			t.Errorf("%s text part has HTML in it:\n%s", c.lang, r.Text)
		}
		if lang, _ := doc.Find("html").Attr("lang"); lang != c.lang {
			t.Errorf("%s html lang = %q", c.lang, lang)
		}
		links := doc.Find(`a[href="` + m.ActionURL + `"]`)
		if links.Length() != 2 {
			t.Errorf("%s: want the button and the written-out link, got %d links", c.lang, links.Length())
		}
		if style, _ := links.Last().Attr("style"); !strings.Contains(style, "overflow-wrap: anywhere") || !strings.Contains(style, "word-break: break-all") {
			t.Errorf("%s: the written-out link does not wrap on a phone: style %q", c.lang, style)
		}
		if doc.Find(`a[href="mailto:kundenlogin@hwk-ufr.de"]`).Length() != 1 {
			t.Errorf("%s: footer without the contact address", c.lang)
		}
	}
}

// urlInText finds the addresses in a text part with what stands around
// them on their line.
var urlInText = regexp.MustCompile(`(?m)^(.*?)(https?://\S+|mailto:\S+|\S+@\S+\.\S+)(.*)$`)

// TestMailLayout: every link in the text part stands on a line of its
// own, so no punctuation follows it; the footer names the chamber with
// its postal address, the portal's address and the imprint; the
// signature keeps its line breaks; a code stands out.
func TestMailLayout(t *testing.T) {
	m := components.Mail{
		Subject: "mail.code.subject", Paragraphs: []string{"mail.code.body"}, Code: "482913",
		After: []string{"mail.code.expiry", "mail.security.not_you"},
		Links: map[string]string{"mail.security.not_you": "https://portal.example.de/Passwort-vergessen"},
		Data:  map[string]any{"Name": "Anna Müller", "Minutes": 10},
	}
	for _, lang := range []string{"de", "en"} {
		r, doc := renderMail(t, lang, m)
		for _, line := range urlInText.FindAllStringSubmatch(r.Text, -1) {
			if strings.TrimSpace(line[1]) != "" || strings.TrimSpace(line[3]) != "" {
				t.Errorf("%s: link %q is not on a line of its own: %q", lang, line[2], line[0])
			}
		}
		for _, want := range []string{
			"\nhttps://portal.example.de/Passwort-vergessen\n", "\n482913\n",
			"\n-- \nHandwerkskammer für Unterfranken\nRennweger Ring 3, 97070 Würzburg\n",
			"\nhttps://portal.example.de/\n", "\nhttps://www.hwk-ufr.de/impressum\n", "\nkundenlogin@hwk-ufr.de\n",
		} {
			if !strings.Contains(r.Text, want) {
				t.Errorf("%s: text part lacks %q:\n%s", lang, want, r.Text)
			}
		}
		if lang == "de" && !strings.Contains(r.Text, "Sie finden das Portal unter:\nhttps://portal.example.de/\n") {
			t.Errorf("de: the portal's address is not written out:\n%s", r.Text)
		}
		if !strings.Contains(r.Text, "\nHandwerkskammer für Unterfranken\n\n-- ") {
			t.Errorf("%s: the signature does not name the chamber:\n%s", lang, r.Text)
		}
		sig := strings.Split(translate(t, lang, "mail.signature", map[string]any{"OrgName": "Handwerkskammer für Unterfranken"}), "\n")
		sigPara := doc.Find("p").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), sig[0]) })
		if sigPara.Length() != 1 || sigPara.Find("br").Length() != len(sig)-1 {
			html, _ := sigPara.Html()
			t.Errorf("%s: the HTML signature lost its line breaks: %q", lang, html)
		}
		code := doc.Find("p").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.TrimSpace(s.Text()) == "482913" })
		if style, _ := code.Attr("style"); code.Length() != 1 || !strings.Contains(style, "font-size: 32px") || !strings.Contains(style, "letter-spacing") {
			t.Errorf("%s: the code is not set apart (%d paragraphs, style %q)", lang, code.Length(), style)
		}
		for _, href := range []string{"https://portal.example.de/Passwort-vergessen", "https://portal.example.de/", "https://www.hwk-ufr.de/impressum"} {
			a := doc.Find(`a[href="` + href + `"]`)
			if style, _ := a.Attr("style"); a.Length() != 1 || strings.TrimSpace(a.Text()) != href || !strings.Contains(style, "overflow-wrap: anywhere") {
				t.Errorf("%s: link %s: %d links, text %q, style %q", lang, href, a.Length(), a.Text(), style)
			}
		}
		if !strings.Contains(doc.Text(), "Rennweger Ring 3, 97070 Würzburg") {
			t.Errorf("%s: HTML footer without the postal address", lang)
		}
	}
}
