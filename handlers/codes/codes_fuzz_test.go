package codes

import (
	"strings"
	"testing"
)

// FuzzNormalizeRecovery: a typed recovery code is normalised without
// panic into text without separators or upper-case letters.
func FuzzNormalizeRecovery(f *testing.F) {
	for _, s := range []string{"k7dp-2mxa-q9rt", " K7DP 2MXA Q9RT ", "", "\x00-\t-", "ÄÖÜ-ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeRecovery(s)
		if strings.ContainsAny(n, "- \t") || strings.ContainsAny(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Fatalf("NormalizeRecovery(%q) = %q", s, n)
		}
	})
}

// FuzzNormalizePIN: whatever a customer types, the normalized PIN holds
// only upper-case ASCII letters and digits, is never longer than the input,
// and normalizing it again changes nothing; a letter's PIN, typed any way,
// comes back as the PIN itself.
func FuzzNormalizePIN(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH", " abcd efgh ", "abcd–efgh", "", "\x00ä-ß", "1234-5678-9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizePIN(s)
		if len(n) > len(s) || NormalizePIN(n) != n {
			t.Fatalf("NormalizePIN(%q) = %q", s, n)
		}
		for _, r := range n {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				t.Fatalf("NormalizePIN(%q) = %q keeps %q", s, n, r)
			}
		}
		if pin := NormalizePIN(s); len(pin) == PINLength && NormalizePIN(strings.ToLower(FormatPIN(pin))) != pin {
			t.Fatalf("the formatted PIN %q typed in lower case does not come back", FormatPIN(pin))
		}
	})
}
