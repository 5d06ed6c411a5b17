package components_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/components"
)

func TestErrorPageShowsTranslatedTitle(t *testing.T) {
	tests := []struct {
		lang, title, home string
	}{
		{lang: "de", title: "Seite nicht gefunden", home: "Zur Startseite"},
		{lang: "en", title: "Page not found", home: "Go to the start page"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			doc := renderDoc(t, tt.lang, components.ErrorPage(components.ErrorView{Title: "error.404.title", Body: "error.404.body"}))
			if got := squash(doc.Find("h1").Text()); got != tt.title {
				t.Errorf("h1 = %q, want %q", got, tt.title)
			}
			if got := doc.Find("title").Text(); !strings.HasPrefix(got, tt.title) {
				t.Errorf("title = %q, want it to start with %q", got, tt.title)
			}
			if got := doc.Find("html").AttrOr("lang", ""); got != tt.lang {
				t.Errorf("html lang = %q, want %q", got, tt.lang)
			}
			home := doc.Find(`main a[href="/"]`)
			if strings.TrimSpace(home.Text()) != tt.home {
				t.Errorf("home link = %q, want %q", home.Text(), tt.home)
			}
			if doc.Find(`main a[href="/help"]`).Length() != 1 {
				t.Errorf("no link to /help in the main content")
			}
			if doc.Find(".error-page__ref").Length() != 0 {
				t.Errorf("reference number shown although there is none")
			}
		})
	}
}

func TestErrorPageEveryStatusIsTranslated(t *testing.T) {
	for _, status := range []int{403, 404, 405, 413, 429, 500} {
		for _, lang := range languages {
			t.Run(fmt.Sprintf("%d %s", status, lang), func(t *testing.T) {
				title := fmt.Sprintf("error.%d.title", status)
				body := fmt.Sprintf("error.%d.body", status)
				doc := renderDoc(t, lang, components.ErrorPage(components.ErrorView{Title: title, Body: body}))
				assertHeadingOrder(t, doc)
				assertNoRawIDs(t, doc)
				if text := doc.Find("main").Text(); strings.Contains(text, fmt.Sprint(status)) {
					t.Errorf("the page shows the bare status code %d instead of words: %q", status, squash(text))
				}
			})
		}
	}
}

func TestErrorPageShowsReference(t *testing.T) {
	tests := []struct{ lang, want string }{
		{lang: "de", want: "Fehlernummer: abc123"},
		{lang: "en", want: "Reference number: abc123"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			doc := renderDoc(t, tt.lang, components.ErrorPage(components.ErrorView{Title: "error.500.title", Body: "error.500.body", Ref: "abc123"}))
			if got := squash(doc.Find(".error-page__ref").Text()); got != tt.want {
				t.Errorf("reference = %q, want %q", got, tt.want)
			}
			assertNoRawIDs(t, doc)
		})
	}
}
