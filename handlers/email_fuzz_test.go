package handlers

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseEmail: the one address parser of login, recovery and
// registration never panics and accepts only short, plain, valid text.
func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"kunde@example.de", "", "kunde\x00@example.de", "a@b", strings.Repeat("a", 3000) + "@example.de", "Anna <anna@example.de>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		email, errs := parseEmail(s)
		if errs != nil {
			return
		}
		if len(email) > 254 || !utf8.ValidString(email) || strings.ContainsAny(email, "\x00\r\n<> ") || !strings.Contains(email, "@") {
			t.Fatalf("accepted %q", email)
		}
	})
}
