package totp

import (
	"testing"
	"time"
)

// FuzzVerify: any typed code is checked without panic, and only a code of
// six digits can pass.
func FuzzVerify(f *testing.F) {
	for _, s := range []string{"123456", "123 456", "", "12345\x00", "١٢٣٤٥٦", "999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if _, ok := Verify("JBSWY3DPEHPK3PXP", code, time.Unix(1_700_000_000, 0)); ok {
			want, _ := Code("JBSWY3DPEHPK3PXP", time.Unix(1_700_000_000, 0))
			digits := []rune{}
			for _, r := range code {
				if r >= '0' && r <= '9' {
					digits = append(digits, r)
				}
			}
			if len(digits) != 6 {
				t.Fatalf("code %q passed with %d digits (current %s)", code, len(digits), want)
			}
		}
	})
}
