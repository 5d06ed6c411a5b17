package locales_test

import (
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/hwk/kundenportal/locales"
)

// catalogFiles are the catalogs every message must be in.
var catalogFiles = []string{"de.toml", "en.toml"}

// textKeys are the keys of a message that hold text shown to customers.
var textKeys = []string{"zero", "one", "two", "few", "many", "other"}

// message is one entry of a catalog as written in the file.
type message struct {
	description string
	texts       map[string]string // plural form ("one", "other", …) -> text
}

// catalog is one parsed catalog file: message id -> message.
type catalog map[string]message

// loadCatalog reads name from the embedded catalogs and flattens its nested
// tables into dotted ids, the way go-i18n does. Breaches of the catalog's
// shape are returned for TestCatalogsParse to report (once).
func loadCatalog(t *testing.T, name string) (catalog, []string) {
	t.Helper()
	data, err := fs.ReadFile(locales.FS, name)
	if err != nil {
		t.Fatalf("%s: read: %v", name, err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: parse: %v", name, err)
	}
	c := catalog{}
	problems := flatten(c, "", raw)
	return c, problems
}

// flatten adds the messages of table (at id prefix) to c and returns what
// breaks the catalog rules: keys that are neither text nor sub-messages, and
// ids that are both a message and the parent of another message.
func flatten(c catalog, prefix string, table map[string]any) []string {
	var problems []string
	if isMessage(table) {
		m := message{texts: map[string]string{}}
		for k, v := range table {
			s, isString := v.(string)
			switch {
			case k == "description" && isString:
				m.description = s
			case slices.Contains(textKeys, k) && isString:
				m.texts[k] = s
			case k == "hash" || k == "id" || k == "leftdelim" || k == "rightdelim":
			default:
				problems = append(problems, fmt.Sprintf("message %q has unexpected key %q (an id must be a leaf: never both %q and %q)", prefix, k, prefix, prefix+"."+k))
			}
		}
		c[prefix] = m
		return problems
	}
	for k, v := range table {
		id := k
		if prefix != "" {
			id = prefix + "." + k
		}
		sub, ok := v.(map[string]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("%q is a bare value, not a message table with description and other", id))
			continue
		}
		problems = append(problems, flatten(c, id, sub)...)
	}
	return problems
}

// isMessage reports whether a table is a message rather than a group of
// messages: it has a description or a text key holding a string.
func isMessage(table map[string]any) bool {
	for _, k := range append([]string{"description"}, textKeys...) {
		if _, ok := table[k].(string); ok {
			return true
		}
	}
	return false
}

func loadAll(t *testing.T) map[string]catalog {
	t.Helper()
	all := map[string]catalog{}
	for _, name := range catalogFiles {
		all[name], _ = loadCatalog(t, name)
	}
	return all
}

func TestCatalogsParse(t *testing.T) {
	b, err := locales.Parse(locales.FS)
	if err != nil {
		t.Fatalf("go-i18n cannot load the catalogs: %v", err)
	}
	var tags []string
	for _, tag := range b.LanguageTags() {
		tags = append(tags, tag.String())
	}
	for _, want := range []string{"de", "en"} {
		if !slices.Contains(tags, want) {
			t.Errorf("bundle languages are %v, want %q among them", tags, want)
		}
	}
	for _, name := range catalogFiles {
		c, problems := loadCatalog(t, name)
		for _, p := range problems {
			t.Errorf("%s: %s", name, p)
		}
		if len(c) == 0 {
			t.Errorf("%s holds no messages", name)
		}
	}
}

func TestCatalogsHaveTheSameIDs(t *testing.T) {
	all := loadAll(t)
	for _, name := range catalogFiles {
		for _, other := range catalogFiles {
			if name == other {
				continue
			}
			var missing []string
			for id := range all[name] {
				if _, ok := all[other][id]; !ok {
					missing = append(missing, id)
				}
			}
			if len(missing) > 0 {
				slices.Sort(missing)
				t.Errorf("%s lacks %d message(s) that %s has:\n  %s", other, len(missing), name, strings.Join(missing, "\n  "))
			}
		}
	}
}

func TestMessagesHaveDescriptionAndText(t *testing.T) {
	for name, c := range loadAll(t) {
		for _, id := range slices.Sorted(maps.Keys(c)) {
			m := c[id]
			if strings.TrimSpace(m.description) == "" {
				t.Errorf("%s: message %q has no description for translators", name, id)
			}
			if strings.TrimSpace(m.texts["other"]) == "" {
				t.Errorf("%s: message %q has no (or an empty) other text", name, id)
			}
		}
	}
}

func TestPlaceholdersMatchAcrossLanguages(t *testing.T) {
	all := loadAll(t)
	src, srcName := all[catalogFiles[0]], catalogFiles[0]
	for _, name := range catalogFiles[1:] {
		for _, id := range slices.Sorted(maps.Keys(src)) {
			m, ok := all[name][id]
			if !ok {
				continue // reported by TestCatalogsHaveTheSameIDs
			}
			want, got := placeholders(src[id]), placeholders(m)
			if !slices.Equal(want, got) {
				t.Errorf("message %q: placeholders in %s are %v, in %s %v", id, srcName, want, name, got)
			}
		}
	}
}

// TestEveryMessageRenders localizes every message in every language with its
// placeholders filled, the way components.T does.
func TestEveryMessageRenders(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatalf("embedded catalog: %v", err)
	}
	for _, name := range catalogFiles {
		lang := strings.TrimSuffix(name, ".toml")
		loc := cat.Localizer(lang)
		c, _ := loadCatalog(t, name)
		for _, id := range slices.Sorted(maps.Keys(c)) {
			cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: map[string]any{}}
			for _, p := range placeholders(c[id]) {
				cfg.TemplateData.(map[string]any)[p] = 2
			}
			if _, plural := c[id].texts["one"]; plural {
				cfg.PluralCount = 2
			}
			s, err := loc.Localize(cfg)
			if err != nil || strings.TrimSpace(s) == "" {
				t.Errorf("%s: message %q does not render: %q, %v", name, id, s, err)
			}
			if strings.Contains(s, "<no value>") {
				t.Errorf("%s: message %q renders a placeholder without value: %q", name, id, s)
			}
		}
	}
}

// placeholders are the sorted, distinct {{.Name}} fields used in any of the
// message's texts.
func placeholders(m message) []string {
	seen := map[string]bool{}
	for _, text := range m.texts {
		for _, action := range actionRe.FindAllStringSubmatch(text, -1) {
			for _, field := range fieldRe.FindAllStringSubmatch(action[1], -1) {
				seen[field[1]] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

var (
	// actionRe finds template actions, fieldRe the fields inside one.
	actionRe = regexp.MustCompile(`\{\{(.*?)\}\}`)
	fieldRe  = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)
)

func TestKeptIsPerLocalizer(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	de, en := cat.Localizer("de"), cat.Localizer("en")
	if _, ok := de.Kept("fragment", "a"); ok {
		t.Fatal("something kept before Keep")
	}
	de.Keep("fragment", "a", "<p>Hallo</p>")
	if s, ok := de.Kept("fragment", "a"); !ok || s != "<p>Hallo</p>" {
		t.Errorf("Kept = %q, %v; want what Keep kept", s, ok)
	}
	if _, ok := de.Kept("fragment", "b"); ok {
		t.Error("kept under another arg")
	}
	if _, ok := en.Kept("fragment", "a"); ok {
		t.Error("the English localizer has the German fragment")
	}
}

// A fragment whose arg varied without end (a record's id, say) would
// fill the memory: past maxKept, nothing more is kept.
func TestKeptIsBounded(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	de := cat.Localizer("de")
	for i := range 5000 {
		de.Keep("fragment", strconv.Itoa(i), "<p>Hallo</p>")
	}
	if _, ok := de.Kept("fragment", "0"); !ok {
		t.Error("the first fragment is not kept")
	}
	if _, ok := de.Kept("fragment", "4999"); ok {
		t.Error("5,000 fragments kept: Keep has no bound")
	}
}
