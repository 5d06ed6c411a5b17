package input

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEmail: the one address parser of login, recovery, registration and
// invitations never panics and accepts only short, plain, valid text.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{"kunde@example.de", "", " kunde@example.de ", "kunde\x00@example.de", "a@b", strings.Repeat("a", 3000) + "@example.de", "Anna <anna@example.de>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		email, problem := Email(s)
		if email != strings.TrimSpace(s) {
			t.Fatalf("Email(%q) returned %q, not the trimmed input", s, email)
		}
		if problem != OK {
			return
		}
		if len(email) > MaxEmail || !utf8.ValidString(email) || strings.ContainsAny(email, "\x00\r\n<> ") || !strings.Contains(email, "@") {
			t.Fatalf("accepted %q", email)
		}
	})
}

// FuzzLocalPath: a path LocalPath accepts stays on the portal's host when a
// browser resolves it (browsers read a backslash as a slash).
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/account", "/help?x=1", "//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "", "/%2F%2Fevil.example"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://portal.example/login")
	f.Fuzz(func(t *testing.T, next string) {
		if !LocalPath(next) {
			return
		}
		ref, err := url.Parse(strings.ReplaceAll(next, "\\", "/"))
		if err != nil {
			return // the browser gets a 303 to a path it cannot read: still this host
		}
		if got := base.ResolveReference(ref); got.Host != base.Host || got.Scheme != base.Scheme {
			t.Fatalf("LocalPath accepted %q, which leads to %s", next, got)
		}
	})
}
