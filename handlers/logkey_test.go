package handlers

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOneLogKeyForErrors: every log call names its error "err", so an
// operator can search one key.
func TestOneLogKeyForErrors(t *testing.T) {
	bad := regexp.MustCompile(`\.(Debug|Info|Warn|Error)(Context)?\(.*"(error|e)", `)
	forSourceLines(t, []string{".", "mailer", "provider", "../cmd/portal"}, func(f string, n int, line string) {
		if bad.MatchString(line) {
			t.Errorf("%s:%d logs an error under another key than \"err\": %s", f, n, strings.TrimSpace(line))
		}
	})
}

// forSourceLines calls fn with every line (numbered from 1) of the Go
// files in dirs that are not tests.
func forSourceLines(t *testing.T, dirs []string, fn func(file string, n int, line string)) {
	t.Helper()
	var files []string
	for _, dir := range dirs {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			fn(f, i+1, line)
		}
	}
}
