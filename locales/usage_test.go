package locales_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// idLikeRe matches string literals that look like a message id.
var idLikeRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// TestMessagesUsedAndDefined checks the catalogs against the code: every
// message id must appear as a string literal in a non-test Go file of the
// module (generated *_templ.go files included, they carry the ids written in
// .templ files), and every literal that looks like a message id of a known
// group (its first segment starts some catalog id) must be in the catalog.
func TestMessagesUsedAndDefined(t *testing.T) {
	ids := map[string][]string{} // id -> the catalogs that hold it
	groups := map[string]bool{}
	for _, name := range catalogFiles {
		c, _ := loadCatalog(t, name)
		for id := range c {
			ids[id] = append(ids[id], name)
			groups[strings.SplitN(id, ".", 2)[0]] = true
		}
	}
	root := moduleRoot(t)
	lits := stringLiterals(t, root)

	var unused []string
	for id, files := range ids {
		if _, ok := lits.all[id]; !ok {
			unused = append(unused, fmt.Sprintf("%s (in %s)", id, strings.Join(files, ", ")))
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		t.Errorf("%d message(s) are used by no non-test Go file under %s (no string literal holds the id; use them or delete them):\n  %s",
			len(unused), root, strings.Join(unused, "\n  "))
	}

	var missing []string
	for lit, places := range lits.translated {
		if _, known := ids[lit]; !known {
			for _, p := range places {
				missing = append(missing, fmt.Sprintf("%s: %q (passed to T)", p, lit))
			}
		}
	}
	for lit, places := range lits.all {
		if _, known := ids[lit]; known || lits.translated[lit] != nil || !idLikeRe.MatchString(lit) || !groups[strings.SplitN(lit, ".", 2)[0]] {
			continue
		}
		for _, p := range places {
			missing = append(missing, fmt.Sprintf("%s: %q", p, lit))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("%d string literal(s) look like message ids but are not in %s:\n  %s",
			len(missing), strings.Join(catalogFiles, "/"), strings.Join(missing, "\n  "))
	}
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// goLiterals are the string literals of a module's non-test Go files, each
// with the places ("path:line", relative to the module root) it occurs.
type goLiterals struct {
	all        map[string][]string // every string literal
	translated map[string][]string // literals passed as the id to a func named T
}

// stringLiterals parses every non-test Go file under root and collects its
// string literals.
func stringLiterals(t *testing.T, root string) goLiterals {
	t.Helper()
	lits := goLiterals{all: map[string][]string{}, translated: map[string][]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		place := func(n ast.Node) string {
			pos := fset.Position(n.Pos())
			rel, _ := filepath.Rel(root, pos.Filename)
			if src, ok := strings.CutSuffix(rel, "_templ.go"); ok {
				return fmt.Sprintf("%s:%d (generated from %s.templ)", rel, pos.Line, src)
			}
			return fmt.Sprintf("%s:%d", rel, pos.Line)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if isFileNameKey(n.Key) {
					return false // templ.Error{FileName: "help.templ"} in generated code
				}
			case *ast.ValueSpec:
				if namesNonMessage(n) {
					return false // const eventLoginOK = "login.ok": an audit event, not a message
				}
			case *ast.CallExpr:
				if s, ok := translatedID(n); ok {
					lits.translated[s] = append(lits.translated[s], place(n))
				}
			case *ast.BasicLit:
				if s, ok := stringValue(n); ok {
					lits.all[s] = append(lits.all[s], place(n))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatalf("scan Go files under %s: %v", root, err)
	}
	return lits
}

// stringValue is the value of a string literal.
func stringValue(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// translatedID is the literal message id of a call T(ctx, "id", …) or
// x.T(ctx, "id", …).
func translatedID(call *ast.CallExpr) (string, bool) {
	name := ""
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		name = fn.Name
	case *ast.SelectorExpr:
		name = fn.Sel.Name
	}
	if name != "T" || len(call.Args) < 2 {
		return "", false
	}
	return stringValue(call.Args[1])
}

// namesNonMessage reports whether a const or var declares audit event names
// or regulation scopes: by convention their names start with "event" or
// "scope" (exported: "Event", "Scope"), and their dotted values ("login.ok", "login.ip") are not message
// ids.
func namesNonMessage(spec *ast.ValueSpec) bool {
	for _, name := range spec.Names {
		n := strings.ToLower(name.Name)
		if !strings.HasPrefix(n, "event") && !strings.HasPrefix(n, "scope") {
			return false
		}
	}
	return len(spec.Names) > 0
}

// isFileNameKey reports whether a composite literal key is FileName, the
// source position field of templ.Error that generated code fills with the
// .templ file's name (which looks like a message id: "help.templ").
func isFileNameKey(key ast.Expr) bool {
	id, ok := key.(*ast.Ident)
	return ok && id.Name == "FileName"
}
