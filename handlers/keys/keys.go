// Package keys derives one key per purpose from the portal's secret key
// (PORTAL_SECRET_KEY) with HKDF-SHA256, so a key used to sign CSRF tokens
// never also encrypts TOTP secrets, and so on. Every instance sharing the
// secret derives the same keys.
package keys

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// Purposes of derived keys. A new purpose gets a new name; a name is never
// reused for something else.
const (
	CSRF   = "kundenportal csrf v1"
	Device = "kundenportal device cookie v1"
	Seal   = "kundenportal sealed secrets v1"
	Codes  = "kundenportal code hashes v1"
)

// Size is the length of every derived key in bytes.
const Size = 32

// Derive returns the key for purpose from secret.
func Derive(secret []byte, purpose string) ([]byte, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("keys: secret key has %d bytes, want at least 32", len(secret))
	}
	k, err := hkdf.Key(sha256.New, secret, nil, purpose, Size)
	if err != nil {
		return nil, fmt.Errorf("keys: derive %q: %w", purpose, err)
	}
	return k, nil
}
