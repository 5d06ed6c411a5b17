package codes

import (
	"regexp"
	"testing"
)

func TestNumericCodesAreSixDigitsAndVary(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := Numeric(6)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(c) {
			t.Fatalf("code %q is not six digits", c)
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Errorf("only %d distinct codes in 200", len(seen))
	}
}

func TestRecoveryCodesHaveTheReadableForm(t *testing.T) {
	c, err := Recovery()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`).MatchString(c) {
		t.Errorf("recovery code %q", c)
	}
	if NormalizeRecovery(" K7DP-2mxa q9rt ") != "k7dp2mxaq9rt" {
		t.Errorf("NormalizeRecovery = %q", NormalizeRecovery(" K7DP-2mxa q9rt "))
	}
}

func TestHashBindsPurposeContextAndKey(t *testing.T) {
	h := mustHasher(t, "key-one-key-one-key-one-key-one!")
	base := h.Hash("email", "flow-1", "123456")
	if !Equal(base, h.Hash("email", "flow-1", "123456")) {
		t.Fatal("same input, different hash")
	}
	for name, other := range map[string][]byte{
		"other code":            h.Hash("email", "flow-1", "123457"),
		"other context":         h.Hash("email", "flow-2", "123456"),
		"other purpose":         h.Hash("recovery", "flow-1", "123456"),
		"other key":             mustHasher(t, "key-two-key-two-key-two-key-two!").Hash("email", "flow-1", "123456"),
		"shifted parts":         h.Hash("emailf", "low-1", "123456"),
		"the secret key itself": mac([]byte("key-one-key-one-key-one-key-one!"), "email", "flow-1", "123456"),
	} {
		if Equal(base, other) {
			t.Errorf("%s gives the same hash", name)
		}
	}
}

func mustHasher(t *testing.T, secret string) *Hasher {
	t.Helper()
	h, err := NewHasher([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashesRecogniseCodesHashedWithTheSecretKeyItself(t *testing.T) {
	secret := []byte("key-one-key-one-key-one-key-one!")
	h := mustHasher(t, string(secret))
	hs := h.Hashes("recovery", "u1", "abcd")
	if !Equal(hs[0], h.Hash("recovery", "u1", "abcd")) || !Equal(hs[1], mac(secret, "recovery", "u1", "abcd")) {
		t.Error("Hashes are not the current and the legacy hash")
	}
}
