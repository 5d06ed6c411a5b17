// Package codes makes the short secrets customers type: six-digit e-mail
// codes and one-time recovery codes, and hashes them for storage with a
// keyed hash (HMAC-SHA256 with the portal's secret key), so a copy of the
// database alone does not allow guessing them offline.
package codes

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"strings"

	"github.com/hwk/kundenportal/handlers/keys"
)

// Numeric returns a random code of n decimal digits, from crypto/rand.
func Numeric(n int) (string, error) {
	max := big.NewInt(1)
	for range n {
		max.Mul(max, big.NewInt(10))
	}
	v, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", fmt.Errorf("codes: random: %w", err)
	}
	return fmt.Sprintf("%0*d", n, v), nil
}

// recoveryAlphabet leaves out characters people confuse (0/o, 1/l/i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// Recovery returns a recovery code such as "k7dp-2mxa-q9rt" (about 59 bits).
func Recovery() (string, error) {
	var b strings.Builder
	for i := range 12 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(recoveryAlphabet))))
		if err != nil {
			return "", fmt.Errorf("codes: random: %w", err)
		}
		b.WriteByte(recoveryAlphabet[v.Int64()])
	}
	return b.String(), nil
}

// NormalizeRecovery makes a typed recovery code comparable: lower case,
// without spaces and dashes.
func NormalizeRecovery(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, strings.TrimSpace(code))
}

// Hasher hashes codes with a key derived from the portal's secret key for
// this purpose (keys.Codes); hashes made before with the secret key itself
// are still recognised (see Hashes).
type Hasher struct{ key, legacy []byte }

// NewHasher returns a hasher for the portal's secret key.
func NewHasher(secret []byte) (*Hasher, error) {
	key, err := keys.Derive(secret, keys.Codes)
	if err != nil {
		return nil, fmt.Errorf("codes: %w", err)
	}
	return &Hasher{key: key, legacy: secret}, nil
}

// Hash returns HMAC-SHA256(key, purpose | context | code). purpose and
// context (such as a flow id) bind a code to where it was issued.
func (h *Hasher) Hash(purpose, context, code string) []byte {
	return mac(h.key, purpose, context, code)
}

// Hashes are the hashes a stored code may have: the current one first,
// then the one made with the secret key itself before keys were derived.
func (h *Hasher) Hashes(purpose, context, code string) [][]byte {
	return [][]byte{h.Hash(purpose, context, code), mac(h.legacy, purpose, context, code)}
}

func mac(key []byte, purpose, context, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Equal compares two hashes in constant time.
func Equal(a, b []byte) bool { return hmac.Equal(a, b) }
