package handlers_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/sealed"
	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
	"github.com/hwk/kundenportal/store/storetest"
)

// legacySeal seals as the portal did before keys were derived: AES-GCM
// with the secret key itself and the constant associated data "totp".
func legacySeal(t *testing.T, secret string) string {
	t.Helper()
	block, err := aes.NewCipher(testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	return base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(secret), []byte("totp")))
}

func TestSecretsSealedTheOldWayStillWorkAndAreSealedAgain(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	u := p.passwordUserNoMFA(t, email, goodPassword)
	key, err := totp.Generate("Kundenportal", email)
	if err != nil {
		t.Fatal(err)
	}
	m := p.addMethod(t, u, &store.MFAMethod{Kind: factor.TOTP, Secret: legacySeal(t, key.Secret)})
	old := hmac.New(sha256.New, testSecretKey)
	old.Write([]byte("recovery\x00" + u.ID.String() + "\x00" + "abcdabcdabcd"))
	if err := p.Store.ReplaceRecoveryCodes(t.Context(), u.ID, [][]byte{old.Sum(nil)}); err != nil {
		t.Fatal(err)
	}

	c := p.client(t)
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
	c.getOK("/mfa/verify?method=totp")
	if to := c.submit(plainForm, "/mfa/verify/totp", url.Values{"code": {totpCode(t, p, key.Secret, 0)}}); to != "/account" {
		t.Fatalf("TOTP sealed the old way: sent to %q, want /account", to)
	}
	row := p.methods(t, u)[0]
	if !strings.HasPrefix(row.Secret, "v2.") {
		t.Errorf("secret not sealed again after use: %q", row.Secret)
	}
	if got, legacy, err := testSealer(t).Open(row.Secret, totp.MethodAD(u.ID.String(), m.ID.String())); err != nil || legacy || got != key.Secret {
		t.Errorf("resealed secret: %q, legacy %v, %v", got, legacy, err)
	}

	r := p.client(t)
	r.getOK("/login")
	r.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
	r.getOK("/mfa/verify?method=recovery")
	if to := r.submit(plainForm, "/mfa/verify/recovery", url.Values{"code": {"abcd-abcd-abcd"}}); !strings.HasPrefix(to, "/mfa/recovery-code-used") {
		t.Errorf("recovery code hashed the old way: sent to %q, want the page that says how many are left", to)
	}
}

func TestASealedSecretDoesNotOpenInAnotherRow(t *testing.T) {
	t.Parallel()
	s := testSealer(t)
	sealed, err := s.Seal("JBSWY3DPEHPK3PXP", totp.MethodAD("user-a", "method-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(sealed, totp.MethodAD("user-b", "method-1")); err == nil {
		t.Error("a secret copied to another account's row opened")
	}
}

// TestResealLegacySecretsMovesEveryOldRow: the step portal migrate (and
// serve at start) runs seals every TOTP secret sealed the old way again,
// bound to its row, in batches; a second run changes nothing; a row that
// does not open is left alone; and the customer's authenticator app still
// logs in afterwards.
func TestResealLegacySecretsMovesEveryOldRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := newPortalOn(t, s)
		ctx := t.Context()
		const email = "kunde@example.de"
		u := p.passwordUserNoMFA(t, email, goodPassword)
		key, err := totp.Generate("Kundenportal", email)
		if err != nil {
			t.Fatal(err)
		}
		m := p.addMethod(t, u, &store.MFAMethod{Kind: factor.TOTP, Secret: legacySeal(t, key.Secret)})
		// More than one batch of other old rows, one new row, one row
		// sealed under another key and a passkey (no secret).
		other := p.passwordUserNoMFA(t, "viele@example.de", goodPassword)
		for range 205 {
			p.addMethod(t, other, &store.MFAMethod{Kind: factor.TOTP, Secret: legacySeal(t, "JBSWY3DPEHPK3PXP")})
		}
		p.addTOTP(t, other)
		foreign := p.addMethod(t, other, &store.MFAMethod{Kind: factor.TOTP, Secret: base64.StdEncoding.EncodeToString(make([]byte, 40))})
		p.addMethod(t, other, &store.MFAMethod{Kind: factor.WebAuthn, CredentialID: []byte("cred"), Credential: "{}"})

		res, err := handlers.ResealLegacySecrets(ctx, s, testSecretKey)
		if err != nil {
			t.Fatal(err)
		}
		if res.Resealed != 206 || res.Failed != 1 || res.Skipped != 0 {
			t.Errorf("first run: %+v, want 206 resealed, 1 failed", res)
		}
		for _, row := range append(p.methods(t, u), p.methods(t, other)...) {
			if row.Kind != factor.TOTP || row.ID == foreign.ID {
				continue
			}
			got, legacy, err := testSealer(t).Open(row.Secret, totp.MethodAD(row.UserID.String(), row.ID.String()))
			if err != nil || legacy || !strings.HasPrefix(row.Secret, sealed.Prefix) {
				t.Fatalf("row %s after the step: %q, legacy %v, %v", row.ID, row.Secret, legacy, err)
			}
			if want := map[bool]string{true: key.Secret, false: "JBSWY3DPEHPK3PXP"}[row.ID == m.ID]; row.UserID == u.ID && got != want {
				t.Errorf("customer's secret opened to %q, want %q", got, want)
			}
		}
		if got := p.methodRow(t, other, foreign.ID).Secret; got != foreign.Secret {
			t.Errorf("a row that does not open was changed to %q", got)
		}

		again, err := handlers.ResealLegacySecrets(ctx, s, testSecretKey)
		if err != nil || again.Resealed != 0 || again.Failed != 1 {
			t.Errorf("second run: %+v, %v; want nothing resealed", again, err)
		}

		c := p.client(t)
		c.getOK("/login")
		c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
		c.getOK("/mfa/verify?method=totp")
		if to := c.submit(plainForm, "/mfa/verify/totp", url.Values{"code": {totpCode(t, p, key.Secret, 0)}}); to != "/account" {
			t.Fatalf("TOTP after the re-sealing step: sent to %q, want /account", to)
		}
	})
}

func (p *portal) methodRow(t *testing.T, u *store.User, id uuid.UUID) store.MFAMethod {
	t.Helper()
	m, err := p.Store.MethodByID(t.Context(), u.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return *m
}
