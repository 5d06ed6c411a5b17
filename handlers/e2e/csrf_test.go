package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/handlers/e2e"
	"github.com/hwk/kundenportal/handlers/paths"
)

// crossSiteForm is a form posted without the CSRF token, as another site
// (or a stale page) would send it.
const crossSiteForm = `(() => {
	const f = document.createElement("form");
	f.method = "post";
	f.action = "` + paths.Login + `";
	for (const [k, v] of [["email", "anna@example.de"], ["password", "Irgendwas-123"]]) {
		const i = document.createElement("input");
		i.type = "hidden"; i.name = k; i.value = v;
		f.appendChild(i);
	}
	document.body.appendChild(f);
	f.submit();
})()`

func TestPostWithoutCSRFTokenIsForbidden(t *testing.T) {
	p := e2e.StartPortal(t)
	t.Run("http", func(t *testing.T) {
		form := url.Values{"email": {"anna@example.de"}, "password": {"Irgendwas-123"}}
		req, err := http.NewRequest(http.MethodPost, p.URL(paths.Login), strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("status = %d, want 403", res.StatusCode)
		}
	})
	eachMode(t, p, func(t *testing.T, m mode, b *e2e.Browser) {
		b.Visit(paths.Help)
		b.Exec(crossSiteForm)
		if got := b.Status(); got != http.StatusForbidden {
			t.Errorf("status = %d, want 403", got)
		}
		if got, want := b.Text("h1"), p.T(t, m.lang, "error.403.title"); got != want {
			t.Errorf("h1 = %q, want %q", got, want)
		}
	})
}

// TestFormPostWithTokenPassesCSRF shows that Chromium keeps the Secure
// __Host-csrf cookie on http://localhost (a secure context) and sends it
// back, so the portal's production cookie settings work in browser tests.
func TestFormPostWithTokenPassesCSRF(t *testing.T) {
	p := e2e.StartPortal(t)
	eachMode(t, p, func(t *testing.T, m mode, b *e2e.Browser) {
		b.Visit(paths.Login)
		var csrf bool
		for _, c := range b.Cookies() {
			if c.Name == "__Host-csrf" {
				csrf = c.Secure && c.HTTPOnly
			}
		}
		if !csrf {
			t.Fatalf("no Secure, HttpOnly __Host-csrf cookie in the browser: %+v", b.Cookies())
		}
		b.Fill("#email", "niemand@example.de")
		b.Fill("#password", "Falsch-Falsch-1")
		b.Submit("#login-form")
		want := p.T(t, m.lang, "login.error.invalid")
		if got := b.Text("#error-summary li"); got != want {
			t.Errorf("error after a wrong login = %q, want %q", got, want)
		}
		if got := b.CurrentPath(); got != paths.Login {
			t.Errorf("path = %q, want %q", got, paths.Login)
		}
		// Without JavaScript the form loads a new page (422); with it htmx
		// swaps the form and the document stays the one loaded with 200.
		wantStatus := map[bool]int{false: http.StatusUnprocessableEntity, true: http.StatusOK}[m.js]
		if got := b.Status(); got != wantStatus {
			t.Errorf("document status = %d, want %d", got, wantStatus)
		}
		if got := b.Focused(); got != "#error-summary" {
			t.Errorf("focus after the failed login = %s, want #error-summary", got)
		}
	})
}
