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
// `templ generate` makes of its .templ file (run `make generate`). templ
// runs once, over copies of the sources in a temporary folder.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	sources, err := filepath.Glob("*.templ")
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) == 0 {
		t.Fatal("no .templ files found")
	}
	dir := t.TempDir()
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, src), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "tool", "templ", "generate", "-path", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("templ generate: %v\n%s", err, out)
	}
	for _, src := range sources {
		generated := strings.TrimSuffix(src, ".templ") + "_templ.go"
		want, err := os.ReadFile(generated)
		if err != nil {
			t.Errorf("%s: %v (run make generate)", generated, err)
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, generated))
		if err != nil {
			t.Fatalf("templ made no %s: %v", generated, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date with %s: run make generate and commit the result", generated, src)
		}
	}
}
