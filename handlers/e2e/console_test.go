package e2e_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/handlers/e2e"
)

// scriptedPage breaks the portal's CSP with an inline script, throws from
// an allowed script and calls console.error; each must fail a test.
const scriptedPage = `<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Skripte</title>
<script src="/bad.js"></script></head>
<body><main><h1>Skripte</h1><script>document.title = "inline";</script></main></body></html>`

func TestBrowserReportsCSPViolationsAndScriptErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad.js" {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `console.error("kaputt"); window.addEventListener("load", () => { null.x; });`)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, scriptedPage)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	rec := &errorRecorder{TB: t}
	b := e2e.NewBrowser(rec, e2e.Options{BaseURL: "http://localhost:" + port, JavaScript: true})
	b.Visit("/")
	reported := rec.errors()
	for _, want := range []string{"Content Security Policy", "console.error: kaputt", "uncaught exception"} {
		if !slices.ContainsFunc(reported, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("Visit did not report %q; reported: %q", want, reported)
		}
	}
}
