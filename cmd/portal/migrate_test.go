package main

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/handlers/sealed"
	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// TestMigrateResealsOldTOTPSecrets: `portal migrate` seals a TOTP secret
// sealed the old way (the secret key itself, associated data "totp") again
// with the derived key, bound to its row; a second run finds nothing.
func TestMigrateResealsOldTOTPSecrets(t *testing.T) {
	t.Parallel()
	key, _ := base64.StdEncoding.DecodeString("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			s := openStore(t, db)
			u := &store.User{Email: "alt@example.de", Lang: "de"}
			if err := s.CreateUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			block, _ := aes.NewCipher(key)
			aead, _ := cipher.NewGCM(block)
			nonce := make([]byte, aead.NonceSize())
			old := base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte("JBSWY3DPEHPK3PXP"), []byte("totp")))
			m := &store.MFAMethod{UserID: u.ID, Kind: factor.TOTP, Secret: old}
			if err := s.AddMethod(t.Context(), m); err != nil {
				t.Fatal(err)
			}

			if out := mustRun(t, db, "migrate"); !strings.Contains(out, "1 TOTP secret(s) sealed again") {
				t.Errorf("migrate with an old secret said %q", out)
			}
			row, err := s.MethodByID(t.Context(), u.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			sealer, _ := sealed.New(key)
			if got, legacy, err := sealer.Open(row.Secret, totp.MethodAD(u.ID.String(), m.ID.String())); err != nil || legacy || got != "JBSWY3DPEHPK3PXP" {
				t.Errorf("after migrate: %q opens to %q, legacy %v, %v", row.Secret, got, legacy, err)
			}
			if out := mustRun(t, db, "migrate"); strings.Contains(out, "sealed again") {
				t.Errorf("second migrate sealed again: %q", out)
			}
		})
	}
}
