package locales_test

import (
	"strings"
	"testing"
)

// TestLongWordBreaksOnlyAtItsHyphenationPoint: on a phone the German
// "Wiederherstellungscode(s)" is wider than a heading or button line, so
// on pages it carries a soft hyphen ("Wiederherstellungs-codes") instead
// of breaking anywhere. Mails and the downloaded code file stay plain
// text without it.
func TestLongWordBreaksOnlyAtItsHyphenationPoint(t *testing.T) {
	c, _ := loadCatalog(t, "de.toml")
	for id, m := range c {
		plain := strings.HasPrefix(id, "mail.") || id == "mfa.codes.file_header"
		for form, text := range m.texts {
			bare := strings.Contains(text, "Wiederherstellungscode")
			soft := strings.Contains(text, "Wiederherstellungs\u00adcode")
			if !plain && bare {
				t.Errorf("%s (%s): %q breaks anywhere on a phone; write Wiederherstellungs\\u00ADcode", id, form, text)
			}
			if plain && soft {
				t.Errorf("%s (%s): plain text with a soft hyphen: %q", id, form, text)
			}
		}
	}
}
