package sealed

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestSealerRoundTripAndWrongKey(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	methodAD := func(user, method string) string { return "method\x00" + user + "\x00" + method } // as totp.MethodAD
	ad := methodAD("u1", "m1")
	sealed, err := s.Seal("JBSWY3DPEHPK3PXP", ad)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "JBSWY3DPEHPK3PXP") {
		t.Fatal("sealed text contains the secret")
	}
	again, _ := s.Seal("JBSWY3DPEHPK3PXP", ad)
	if again == sealed {
		t.Error("two seals of one secret are equal: nonce not random")
	}
	if got, legacy, err := s.Open(sealed, ad); err != nil || got != "JBSWY3DPEHPK3PXP" || legacy {
		t.Errorf("Open = %q, legacy %v, %v", got, legacy, err)
	}
	if _, _, err := s.Open(sealed, methodAD("u2", "m1")); err == nil {
		t.Error("the secret opened for another user's row")
	}
	if _, _, err := s.Open(sealed, methodAD("u1", "m2")); err == nil {
		t.Error("the secret opened for another method's row")
	}
	other, _ := New([]byte("fedcba9876543210fedcba9876543210"))
	if _, _, err := other.Open(sealed, ad); err == nil {
		t.Error("a different key opened the secret")
	}
	// A value sealed before keys were derived: the secret key itself and
	// the constant associated data "totp".
	old, _ := newGCM(key)
	nonce := make([]byte, old.NonceSize())
	legacySealed := base64.StdEncoding.EncodeToString(old.Seal(nonce, nonce, []byte("JBSWY3DPEHPK3PXP"), []byte("totp")))
	if got, legacy, err := s.Open(legacySealed, ad); err != nil || got != "JBSWY3DPEHPK3PXP" || !legacy {
		t.Errorf("legacy value: Open = %q, legacy %v, %v; want it opened and marked legacy", got, legacy, err)
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}
