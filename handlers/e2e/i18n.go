package e2e

import (
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/hwk/kundenportal/locales"
)

// Translate returns the text of message id in lang from catalog c. It fails
// the test when the message is missing in lang (a fallback to German does
// not count), so expectations always come from the catalog itself.
func Translate(t testing.TB, c *locales.Catalog, lang, id string, data ...map[string]any) string {
	t.Helper()
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 && data[0] != nil {
		cfg.TemplateData = data[0]
		if n, ok := data[0]["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	text, tag, err := c.Localizer(lang).LocalizeWithTag(cfg)
	if err != nil {
		t.Fatalf("e2e: message %q in %q: %v", id, lang, err)
	}
	if base, _ := tag.Base(); base.String() != lang {
		t.Fatalf("e2e: message %q is missing in %q (found only in %q)", id, lang, tag)
	}
	return text
}
