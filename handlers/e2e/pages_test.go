package e2e_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/hwk/kundenportal/handlers/e2e"
	"github.com/hwk/kundenportal/handlers/paths"
)

func TestHelpPageIsLocalizedAndAccessible(t *testing.T) {
	p := e2e.StartPortal(t)
	eachMode(t, p, func(t *testing.T, m mode, b *e2e.Browser) {
		b.Visit(paths.Help)
		if got := b.Status(); got != http.StatusOK {
			t.Errorf("status = %d, want 200", got)
		}
		if got, want := b.Text("h1"), p.T(t, m.lang, "help.title"); got != want {
			t.Errorf("h1 = %q, want %q", got, want)
		}
		if got := b.Attr("html", "lang"); got != m.lang {
			t.Errorf("html lang = %q, want %q", got, m.lang)
		}
		// The help page has nothing for a script to do and loads none.
		if got := e2e.Eval[bool](b, `typeof htmx === "object"`); got {
			t.Errorf("htmx loaded on the help page, which needs no script")
		}
		// A page with forms: its scripts ran exactly when JavaScript is on
		// (the accessibility check must not have run them in the other case).
		b.Visit(paths.Login)
		if got := e2e.Eval[bool](b, `typeof htmx === "object"`); got != m.js {
			t.Errorf("htmx loaded on the login page = %v, want %v", got, m.js)
		}
	})
}

func TestUnknownPathShowsLocalized404(t *testing.T) {
	p := e2e.StartPortal(t)
	eachMode(t, p, func(t *testing.T, m mode, b *e2e.Browser) {
		b.Visit("/gibt-es-nicht")
		if got := b.Status(); got != http.StatusNotFound {
			t.Errorf("status = %d, want 404", got)
		}
		if got, want := b.Text("h1"), p.T(t, m.lang, "error.404.title"); got != want {
			t.Errorf("h1 = %q, want %q", got, want)
		}
		if got := b.Attr("html", "lang"); got != m.lang {
			t.Errorf("html lang = %q, want %q", got, m.lang)
		}
	})
}

func TestLanguageSwitchStaysOnPage(t *testing.T) {
	p := e2e.StartPortal(t)
	eachMode(t, p, func(t *testing.T, m mode, b *e2e.Browser) {
		other := map[string]string{"de": "en", "en": "de"}[m.lang]
		b.Visit(paths.Help)
		b.Click(`.lang-switch a[hreflang="` + other + `"]`)
		if got := b.CurrentPath(); got != paths.Help {
			t.Errorf("path after switch = %q, want %q", got, paths.Help)
		}
		if got := b.Attr("html", "lang"); got != other {
			t.Errorf("html lang after switch = %q, want %q", got, other)
		}
		if got, want := b.Text("h1"), p.T(t, other, "help.title"); got != want {
			t.Errorf("h1 after switch = %q, want %q", got, want)
		}
		// The choice is kept (a Secure cookie on http://localhost) over the
		// browser's Accept-Language.
		b.Visit("/gibt-es-nicht")
		if got := b.Attr("html", "lang"); got != other {
			t.Errorf("html lang on the next page = %q, want %q", got, other)
		}
	})
}

func TestKeyboardReachesSkipLinkFirst(t *testing.T) {
	p := e2e.StartPortal(t)
	eachMode(t, p, func(t *testing.T, m mode, b *e2e.Browser) {
		b.Visit(paths.Help)
		b.PressTab()
		if got := b.Focused(); got != `a[href="#main"]` {
			t.Fatalf("focus after Tab = %s, want the skip link", got)
		}
		b.PressKey(kb.Enter)
		if got := b.Focused(); got != "#main" {
			t.Errorf("focus after Enter on the skip link = %s, want #main", got)
		}
		b.PressShiftTab()
		if got := b.Focused(); got == "#main" || got == "body" {
			t.Errorf("focus after Shift+Tab = %s, want an element before main", got)
		}
	})
}
