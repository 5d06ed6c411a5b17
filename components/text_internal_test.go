package components

import (
	"html"
	"strings"
	"testing"
)

// @text writes catalog texts escaped by writeEscaped instead of templ's
// escaping: it must escape exactly as html.EscapeString does, or a
// translation with "&", "<" or quotes would break the page.
func TestWriteEscapedMatchesHTMLEscapeString(t *testing.T) {
	cases := []string{
		"", "Anmelden", `<script>alert("x")</script>`, "Tom & Jerry's „Werkstatt“",
		"&amp; already", "<<>>\"\"''&&", "Straße – ÄÖÜ 🙂", "a<b", "trailing&",
	}
	for b := 0; b < 128; b++ { // every ASCII byte, alone and between letters
		cases = append(cases, string(rune(b)), "x"+string(rune(b))+"y")
	}
	for _, s := range cases {
		var w strings.Builder
		if err := writeEscaped(&w, s); err != nil {
			t.Fatal(err)
		}
		if got, want := w.String(), html.EscapeString(s); got != want {
			t.Errorf("writeEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}
