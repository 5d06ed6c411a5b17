package codes

import (
	"strings"
	"testing"
)

func TestPINUsesNoLookAlikesAndNormalizes(t *testing.T) {
	for range 200 {
		pin, err := PIN()
		if err != nil {
			t.Fatal(err)
		}
		if len(pin) != PINLength || strings.ContainsAny(pin, "0O1IlL") {
			t.Fatalf("PIN() = %q: want %d characters without look-alikes", pin, PINLength)
		}
		typed := " " + strings.ToLower(FormatPIN(pin)[:6]) + " " + FormatPIN(pin)[6:]
		if got := NormalizePIN(typed); got != pin {
			t.Fatalf("NormalizePIN(%q) = %q, want %q", typed, got, pin)
		}
	}
	if got := FormatPIN("ABCDEFGH"); got != "ABCD-EFGH" {
		t.Errorf("FormatPIN = %q, want ABCD-EFGH", got)
	}
}
