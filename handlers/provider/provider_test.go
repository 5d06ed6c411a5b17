package provider

import (
	"slices"
	"testing"
)

func TestSealedKeyOpensOnlyWithTheSameSecret(t *testing.T) {
	secret := []byte("kundenportal-test-key-32-bytes!!")
	sealer, err := newKeySealer(secret)
	if err != nil {
		t.Fatal(err)
	}
	row, err := sealer.newSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sealer.load(*row); err != nil {
		t.Fatalf("open with the same secret: %v", err)
	}
	other, _ := newKeySealer([]byte("another-secret-key-of-32-bytes!!"))
	if _, err := other.load(*row); err == nil {
		t.Error("a key sealed with one secret opened with another")
	}
	moved := *row
	moved.ID = "other-kid"
	if _, err := sealer.load(moved); err == nil {
		t.Error("a sealed key opened under another key id (the id is bound as additional data)")
	}
	tokenKey, _ := deriveKey(secret, infoTokenSeal)
	sealKey, _ := deriveKey(secret, infoKeySeal)
	if tokenKey == sealKey || string(tokenKey[:]) == string(secret) {
		t.Error("derived keys must differ per purpose and from the secret itself")
	}
}

func TestAMRPerMethod(t *testing.T) {
	for _, tt := range []struct {
		method string
		want   []string
		acr    string
	}{
		{"totp", []string{"pwd", "otp", "mfa"}, ACRSecondFactor},
		{"email", []string{"pwd", "otp", "mfa"}, ACRSecondFactor},
		{"recovery", []string{"pwd", "otp", "mfa"}, ACRSecondFactor},
		{"webauthn", []string{"pwd", "hwk", "mfa"}, ACRSecondFactor},
		{"passkey", []string{"hwk", "mfa"}, ACRSecondFactor},
		{"webauthn-synced", []string{"pwd", "swk", "mfa"}, ACRSecondFactor},
		{"passkey-synced", []string{"swk", "mfa"}, ACRSecondFactor},
	} {
		if got := AMR(tt.method); !slices.Equal(got, tt.want) || acrOf(got) != tt.acr {
			t.Errorf("AMR(%q) = %v (acr %s), want %v (acr %s)", tt.method, got, acrOf(got), tt.want, tt.acr)
		}
	}
	if acrOf([]string{"pwd"}) != ACRPassword {
		t.Error("a password alone must give the password acr")
	}
}
