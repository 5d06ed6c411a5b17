package csrftoken_test

import (
	"bytes"
	"testing"

	"github.com/hwk/kundenportal/handlers/csrftoken"
)

var key = bytes.Repeat([]byte{3}, 32)

func TestTokenBelongsToBrowserAndSession(t *testing.T) {
	s := csrftoken.New(key)
	b, other := csrftoken.NewBrowserID(), csrftoken.NewBrowserID()
	tok := s.Token(b, "")
	cases := []struct {
		name           string
		token, b, sess string
		want           bool
	}{
		{"own token passes", tok, b, "", true},
		{"another browser's token fails", s.Token(other, ""), b, "", false},
		{"token from before login fails with a session", tok, b, "sess-1", false},
		{"token of the session passes", s.Token(b, "sess-1"), b, "sess-1", true},
		{"token of another session fails", s.Token(b, "sess-2"), b, "sess-1", false},
		{"another key's token fails", csrftoken.New(bytes.Repeat([]byte{4}, 32)).Token(b, ""), b, "", false},
		{"empty token fails", "", b, "", false},
		{"malformed browser value fails", s.Token("x", ""), "x", "", false},
		{"browser value as token fails", b, b, "", false},
	}
	for _, c := range cases {
		if got := s.Check(c.token, c.b, c.sess); got != c.want {
			t.Errorf("%s: Check = %v, want %v", c.name, got, c.want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	s := csrftoken.New(key)
	b := csrftoken.NewBrowserID()
	f.Add(s.Token(b, ""), b, "")
	f.Add("rl:mail:127.0.0.1", "rl:mail:127.0.0.1", "")
	f.Fuzz(func(t *testing.T, token, browser, session string) {
		if s.Check(token, browser, session) && token != s.Token(browser, session) {
			t.Fatalf("Check accepted %q, which is not the token of %q/%q", token, browser, session)
		}
	})
}
