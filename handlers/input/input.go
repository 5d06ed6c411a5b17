// Package input holds the pure parsers of form fields that several flows
// share: the e-mail address of login, recovery, registration and
// invitations, and the local path of a "next" parameter. It imports nothing
// of the app, so `go test -fuzz` builds it in seconds.
package input

import (
	"net/mail"
	"strings"
)

// MaxEmail is the longest address accepted (RFC 5321 path limit).
const MaxEmail = 254

// Problem says why a field was refused; the zero value means none.
type Problem int

const (
	// OK: the value is accepted.
	OK Problem = iota
	// Missing: the field is empty (after trimming spaces).
	Missing
	// Invalid: the field is not a plain value of its kind.
	Invalid
)

// Email trims s and checks that it is a plain e-mail address (no display
// name, a dot in the domain, at most MaxEmail bytes). It returns the trimmed
// text even when it is refused, for re-rendering the form.
func Email(s string) (string, Problem) {
	email := strings.TrimSpace(s)
	if email == "" {
		return email, Missing
	}
	if len(email) > MaxEmail {
		return email, Invalid
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return email, Invalid
	}
	return email, OK
}

// LocalPath reports whether next is a path on this site ("/help?x=1"):
// it starts with one slash (not "//" or "/\", which browsers read as
// another host) and holds no control characters.
func LocalPath(next string) bool {
	if len(next) == 0 || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return false
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
