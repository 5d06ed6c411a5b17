// Package sealed encrypts small secrets at rest (the TOTP secrets of
// second factors, pending secrets and the recovery codes shown once) with
// AES-256-GCM under a key derived from PORTAL_SECRET_KEY for sealing alone,
// each value bound to where it is kept by its associated data.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/hwk/kundenportal/handlers/keys"
)

// Sealer encrypts secrets at rest with AES-256-GCM under a key derived
// for sealing alone (keys.Seal), bound to where the value is kept by the
// associated data (a row's ids, see totp.MethodAD). Values sealed before (the portal's key
// itself, the constant associated data "totp") still open, reported as
// legacy so the caller seals them again.
type Sealer struct {
	aead   cipher.AEAD
	legacy cipher.AEAD
}

// Prefix starts values sealed with the derived key and bound data;
// a value without it is sealed the old way.
const Prefix = "v2."

// New makes a sealer from the portal's 32-byte secret key.
func New(secret []byte) (*Sealer, error) {
	if len(secret) != 32 {
		return nil, errors.New("sealed: secret key must be 32 bytes")
	}
	key, err := keys.Derive(secret, keys.Seal)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	legacy, err := newGCM(secret)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, legacy: legacy}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealed: gcm: %w", err)
	}
	return aead, nil
}

// Seal encrypts a secret bound to ad; the result is text for the database.
func (s *Sealer) Seal(secret, ad string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("sealed: nonce: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), []byte(ad))
	return Prefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal made with the same ad. legacy reports a value
// sealed the old way, which the caller should seal again.
func (s *Sealer) Open(sealed, ad string) (plain string, legacy bool, err error) {
	aead, data := s.aead, []byte(ad)
	rest, v2 := strings.CutPrefix(sealed, Prefix)
	if !v2 {
		aead, data = s.legacy, []byte("totp")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", false, errors.New("sealed: sealed secret is malformed")
	}
	n := aead.NonceSize()
	out, err := aead.Open(nil, raw[:n], raw[n:], data)
	if err != nil {
		return "", false, errors.New("sealed: sealed secret does not open with this key here")
	}
	return string(out), !v2, nil
}
