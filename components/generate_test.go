package components_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent fails when a *_templ.go file differs from what
// `templ generate` makes of its .templ file (run `make generate`).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	sources, err := filepath.Glob("*.templ")
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) == 0 {
		t.Fatal("no .templ files found")
	}
	for _, src := range sources {
		generated := strings.TrimSuffix(src, ".templ") + "_templ.go"
		want, err := os.ReadFile(generated)
		if err != nil {
			t.Errorf("%s: %v (run make generate)", generated, err)
			continue
		}
		cmd := exec.Command("go", "tool", "templ", "generate", "-f", src, "-stdout")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("templ generate -f %s: %v\n%s", src, err, stderr.String())
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date with %s: run make generate and commit the result", generated, src)
		}
	}
}
