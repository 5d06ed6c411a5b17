package passkey

import (
	"testing"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

func TestNewNeedsAHostName(t *testing.T) {
	if _, err := New("https://kundenportal.hwk-ufr.de"); err != nil {
		t.Errorf("New with a host name: %v", err)
	}
	for _, bad := range []string{"", "kundenportal", "https://"} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%q) accepted a base URL without host", bad)
		}
	}
}

func TestUserOfDecodesOnlyPasskeys(t *testing.T) {
	u := &store.User{Email: "anna@example.de"}
	methods := []store.MFAMethod{
		{ID: uuid.New(), Kind: factor.TOTP, Secret: "sealed"},
		{ID: uuid.New(), Kind: factor.WebAuthn, Credential: `{"id":"AQI="}`},
	}
	pu, err := UserOf(u, []byte("handle"), methods)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pu.WebAuthnCredentials()); n != 1 || string(pu.WebAuthnID()) != "handle" || pu.WebAuthnDisplayName() != "anna@example.de" {
		t.Errorf("UserOf = %d credentials, id %q, name %q", n, pu.WebAuthnID(), pu.WebAuthnDisplayName())
	}
	methods[1].Credential = "kaputt"
	if _, err := UserOf(u, nil, methods); err == nil {
		t.Error("a broken stored credential decoded")
	}
}
