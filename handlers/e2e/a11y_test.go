package e2e_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hwk/kundenportal/handlers/e2e"
)

// brokenPage has two known violations: no lang on html (html-has-lang) and
// an image without a text alternative (image-alt).
const brokenPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Kaputt</title></head>
<body><main><h1>Kaputt</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAACAkQBADs=">
</main></body></html>`

// errorRecorder is a testing.TB that records Errorf instead of failing, to
// show that the automatic check would have failed a test.
type errorRecorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *errorRecorder) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

func TestA11yCheckCatchesViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, brokenPage)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	base := "http://localhost:" + port

	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			t.Parallel()
			rec := &errorRecorder{TB: t}
			b := e2e.NewBrowser(rec, e2e.Options{BaseURL: base, JavaScript: js})
			b.Visit("/")
			reported := rec.errors()
			if len(reported) == 0 {
				t.Fatal("Visit reported no violation on a page with two")
			}
			var ids []string
			for _, v := range b.Violations() {
				ids = append(ids, v.ID)
				if v.Impact == "" || v.Help == "" || len(v.Targets) == 0 {
					t.Errorf("violation %s lacks impact, help or targets: %+v", v.ID, v)
				}
			}
			for _, want := range []string{"html-has-lang", "image-alt"} {
				if !slices.Contains(ids, want) {
					t.Errorf("violations %v lack %s", ids, want)
				}
				if !slices.ContainsFunc(reported, func(s string) bool { return strings.Contains(s, want) }) {
					t.Errorf("Visit did not report %s: %q", want, reported)
				}
			}
			b.CheckA11y()
			if again := rec.errors(); len(again) != len(reported) {
				t.Errorf("a second check reported the same violations again: %q", again[len(reported):])
			}
		})
	}
}
