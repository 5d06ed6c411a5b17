package input

import (
	"strings"
	"testing"
)

func TestEmail(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Problem
	}{
		{"kunde@example.de", OK},
		{"  kunde@example.de\n", OK},
		{"", Missing},
		{"   ", Missing},
		{"kunde@localhost", Invalid},
		{"Anna <anna@example.de>", Invalid},
		{"kunde\x00@example.de", Invalid},
		{strings.Repeat("a", 244) + "@example.de", Invalid}, // 255 bytes
		{strings.Repeat("a", 243) + "@example.de", OK},      // 254 bytes
	} {
		if _, got := Email(tc.in); got != tc.want {
			t.Errorf("Email(%.40q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]bool{"/": true, "/help?x=1": true, "//evil.example": false, "/\\evil.example": false, "/\t/x": false, "https://evil.example": false, "": false, "help": false} {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %v, want %v", in, got, want)
		}
	}
}
