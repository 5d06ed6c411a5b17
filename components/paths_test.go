package components_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// localLiteral finds a local address typed into a template: an attribute
// value or a Go string that starts with "/" or "?" (a path of the portal or
// a query on one). Addresses come from package paths or the view model;
// in-page anchors ("#policy") are fine.
var localLiteral = regexp.MustCompile(`=\s*"[/?][^"]*"|"/(?:[A-Za-z_][^"]*)?"|"\?[^"]*"`)

// TestTemplatesTypeNoLocalPaths fails when a .templ file spells out a path
// of the portal in an action, href, hx-* or data-* attribute or in an
// expression, instead of taking it from package paths (which the routes
// are registered under) or from its view model.
func TestTemplatesTypeNoLocalPaths(t *testing.T) {
	for _, line := range []string{`<a href="/account">`, `<form action="/login" hx-post="/login">`, `href={ templ.SafeURL("/mfa/verify?method=" + m) }`, `"hx-post": "/password/check",`, `<a href="?print=1">`} {
		if !localLiteral.MatchString(line) {
			t.Fatalf("the check misses %s", line)
		}
	}
	sources, err := filepath.Glob("*.templ")
	if err != nil || len(sources) == 0 {
		t.Fatalf("no .templ files found (%v)", err)
	}
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if m := localLiteral.FindString(line); m != "" {
				t.Errorf("%s:%d: local address %s typed in the template; use package paths or the view model", src, i+1, m)
			}
		}
	}
}
