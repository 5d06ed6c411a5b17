package locales_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/hwk/kundenportal/locales"
)

func TestCatalogFromDirSeesEditsWithoutRestart(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) {
		t.Helper()
		body := "[greeting]\ndescription = \"test\"\nother = \"" + text + "\"\n"
		if err := os.WriteFile(filepath.Join(dir, "de.toml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Hallo")
	cat, err := locales.FromDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	say := func() string {
		s, err := cat.Localizer("de").Localize(&i18n.LocalizeConfig{MessageID: "greeting"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := say(); got != "Hallo" {
		t.Fatalf("before the edit: %q", got)
	}
	write("Guten Tag")
	// The modification time must differ from the first write's.
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(filepath.Join(dir, "de.toml"), later, later); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for say() != "Guten Tag" {
		if time.Now().After(deadline) {
			t.Fatalf("the edit was not picked up: still %q", say())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCatalogKeepsTheLastGoodBundleOnABrokenEdit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "de.toml")
	if err := os.WriteFile(path, []byte("[a]\ndescription = \"d\"\nother = \"gut\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := locales.FromDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("[a\nbroken"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(path, later, later)
	time.Sleep(250 * time.Millisecond)
	b, err := cat.Bundle()
	if err == nil {
		t.Error("a broken catalog was not reported")
	}
	if s, _ := i18n.NewLocalizer(b, "de").Localize(&i18n.LocalizeConfig{MessageID: "a"}); s != "gut" {
		t.Errorf("after a broken edit: %q, want the last good text", s)
	}
}

func TestMatchPrefersChoiceThenAcceptLanguageThenGerman(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		cookie, accept, want string
	}{
		{"", "", "de"},
		{"", "en-US,en;q=0.9", "en"},
		{"de", "en-US", "de"},
		{"en", "de-DE", "en"},
		{"", "fr-CH, fr;q=0.9", "de"},
		{"", "de-AT", "de"},
		{"xx", "en-GB", "en"},
	}
	for _, round := range []string{"first", "again, from the cache"} {
		for _, c := range cases {
			if got := cat.Match(c.cookie, c.accept); got != c.want {
				t.Errorf("%s: Match(%q, %q) = %q, want %q", round, c.cookie, c.accept, got, c.want)
			}
		}
	}
}

func TestKeptTextsDoNotStandInForMessagesWithData(t *testing.T) {
	cat, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	loc := cat.Localizer("de")
	if _, err := loc.Text("login.error.busy"); err != nil { // kept without data
		t.Fatal(err)
	}
	for range 2 {
		got, err := cat.Localizer("de").Localize(&i18n.LocalizeConfig{MessageID: "login.error.busy", TemplateData: map[string]any{"Count": 7}, PluralCount: 7})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, "7") {
			t.Errorf("with data: %q, want the 7 seconds in it", got)
		}
	}
	en, err := cat.Localizer("en").Text("login.title")
	if err != nil {
		t.Fatal(err)
	}
	if de, _ := loc.Text("login.title"); de == en {
		t.Errorf("German and English share the kept text %q", de)
	}
}
