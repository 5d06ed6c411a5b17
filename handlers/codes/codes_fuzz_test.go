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
