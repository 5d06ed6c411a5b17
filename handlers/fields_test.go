package handlers_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHandlersReadFieldsByTheirConstant fails when a handler reads a form
// field or query parameter itself (c.FormValue("next")) instead of through
// formValue or queryValue with a components.Field, the name its component
// gives the input.
func TestHandlersReadFieldsByTheirConstant(t *testing.T) {
	direct := regexp.MustCompile(`\bc\.(FormValue|Query)\(`)
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") || src == "fields.go" {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d: reads a field by its name; use formValue or queryValue with a components.Field", src, i+1)
			}
		}
	}
}
