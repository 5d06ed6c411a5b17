package components_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/locales"
)

// renderWith renders c with loc and page, as a request's context has them.
func renderWith(t *testing.T, loc *locales.Localizer, page components.Page, c templ.Component) string {
	t.Helper()
	ctx := components.WithPage(components.WithLocalizer(context.Background(), loc), page)
	var b bytes.Buffer
	if err := c.Render(ctx, &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

// The layout keeps its brand and footer per language and site: two
// portals with one catalog (as in one test process) each show their own
// chamber, and a page without a site key is rendered afresh.
func TestKeptLayoutFollowsTheSite(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	loc := cat.Localizer("de")
	pageOf := func(org, contact string, site bool) components.Page {
		p := components.Page{Lang: "de", Path: "/help", OrgName: org, Contact: contact, AccessibilityURL: "/barrierefreiheit"}
		if site {
			p.Site = components.SiteKey(p)
		}
		return p
	}
	for _, c := range []struct {
		org, contact string
		site         bool
	}{
		{"Handwerkskammer A", "a@hwk-a.de", true},
		{"Handwerkskammer B", "b@hwk-b.de", true},
		{"Handwerkskammer A", "a@hwk-a.de", true}, // kept: the same again
		{"Handwerkskammer C", "c@hwk-c.de", false},
	} {
		html := renderWith(t, loc, pageOf(c.org, c.contact, c.site), components.HelpPage(components.HelpView{}))
		for _, want := range []string{c.org, "mailto:" + c.contact} {
			if !strings.Contains(html, want) {
				t.Errorf("page of %s: %q missing", c.org, want)
			}
		}
		for _, other := range []string{"Handwerkskammer A", "Handwerkskammer B", "Handwerkskammer C"} {
			if other != c.org && strings.Contains(html, other) {
				t.Errorf("page of %s shows %s", c.org, other)
			}
		}
	}
}

// An empty field is kept; one with a value or an error is not taken from
// it, nor is the empty one from them.
func TestKeptFieldsShowTheirValueAndError(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	loc := cat.Localizer("de")
	page := components.Page{Lang: "de"}
	empty := components.Input{Name: components.FieldEmail, Type: "email", Label: "login.email.label", Required: true}
	filled, wrong := empty, empty
	filled.Value = "meister@betrieb.example"
	wrong.Error = "login.error.email_missing"
	first := renderWith(t, loc, page, components.FormField(empty))
	if got := renderWith(t, loc, page, components.FormField(filled)); !strings.Contains(got, `value="meister@betrieb.example"`) {
		t.Errorf("field with a value: %s", got)
	}
	if got := renderWith(t, loc, page, components.FormField(wrong)); !strings.Contains(got, `aria-invalid="true"`) {
		t.Errorf("field with an error: %s", got)
	}
	if again := renderWith(t, loc, page, components.FormField(empty)); again != first || strings.Contains(again, "value=") || strings.Contains(again, "aria-invalid") {
		t.Errorf("empty field the second time:\n%s\nthe first time:\n%s", again, first)
	}
	en := renderWith(t, cat.Localizer("en"), components.Page{Lang: "en"}, components.FormField(empty))
	if en == first {
		t.Errorf("the English field is the German one: %s", en)
	}
}

// A kept page is the page as rendered afresh, with each request's own
// token in every place the page shows it; a customer's page is not kept.
func TestKeptPageCarriesEachRequestsToken(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		loc := cat.Localizer(lang)
		page := components.Page{Lang: lang, Path: "/login", OrgName: "Handwerkskammer A", AccessibilityURL: "/barrierefreiheit"}
		page.Site = components.SiteKey(page)
		for _, token := range []string{"tokenOfTheFirstRequest-aaaaaaaaaaaaaaaaaaaaa", "tokenOfTheSecondRequest-bbbbbbbbbbbbbbbbbbbb"} {
			page.CSRF = token
			fresh := renderWith(t, loc, page, components.LoginPage(components.LoginView{}))
			kept := renderWith(t, loc, page, components.KeptPage("login", components.LoginPage(components.LoginView{})))
			if kept != fresh {
				t.Errorf("%s, token %s: kept page differs from the fresh one:\nkept:  %s\nfresh: %s", lang, token, kept, fresh)
			}
			if n := strings.Count(kept, token); n < 2 {
				t.Errorf("%s: the token is in the kept page %d times, want the form and hx-headers", lang, n)
			}
		}
	}
	loc := cat.Localizer("de")
	page := components.Page{Lang: "de", Path: "/help", OrgName: "Handwerkskammer A", AccessibilityURL: "/barrierefreiheit"}
	page.Site = components.SiteKey(page)
	renderWith(t, loc, page, components.KeptPage("help", components.HelpPage(components.HelpView{})))
	page.User = "meisterin@betrieb.example"
	if got := renderWith(t, loc, page, components.KeptPage("help", components.HelpPage(components.HelpView{}))); !strings.Contains(got, `id="session-ends"`) {
		t.Errorf("a customer's help page came from the anonymous one kept before: %s", got)
	}
}
