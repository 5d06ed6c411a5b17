package components_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The direction of imports is cmd → handlers → {components, store}:
// components and store import no other package of the portal, except the
// two leaf packages of vocabulary both sides must spell alike, which
// import nothing of the portal themselves: the paths of the routes
// (handlers/paths) and the kinds of second factor (store/factor).
var vocabulary = map[string]bool{
	module + "/handlers/paths": true,
	module + "/store/factor":   true,
}

const module = "github.com/hwk/kundenportal"

func TestLayersImportOnlyTheVocabulary(t *testing.T) {
	for _, dir := range []string{".", "../store", "../handlers/paths", "../store/factor"} {
		leaf := dir == "../handlers/paths" || dir == "../store/factor"
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, spec := range f.Imports {
				path, _ := strconv.Unquote(spec.Path.Value)
				if !strings.HasPrefix(path, module+"/") || strings.HasPrefix(path, module+"/store/migrations") {
					continue
				}
				if leaf || !vocabulary[path] {
					t.Errorf("%s imports %s: against the direction cmd → handlers → {components, store}", file, path)
				}
			}
		}
	}
}
