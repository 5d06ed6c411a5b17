package handlers

import (
	"regexp"
	"testing"
)

// TestHandlersReadFieldsByTheirConstant fails when a handler reads a form
// field or query parameter itself (c.FormValue("next")) instead of through
// formValue or queryValue with a components.Field, the name its component
// gives the input.
func TestHandlersReadFieldsByTheirConstant(t *testing.T) {
	direct := regexp.MustCompile(`\bc\.(FormValue|Query)\(`)
	forSourceLines(t, []string{"."}, func(f string, n int, line string) {
		if f != "fields.go" && direct.MatchString(line) {
			t.Errorf("%s:%d: reads a field by its name; use formValue or queryValue with a components.Field", f, n)
		}
	})
}
