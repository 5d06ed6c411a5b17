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

// Hasher hashes codes with the portal's secret key.
type Hasher struct{ key []byte }

// NewHasher returns a hasher for key.
func NewHasher(key []byte) *Hasher { return &Hasher{key: key} }

// Hash returns HMAC-SHA256(key, purpose | context | code). purpose and
// context (such as a flow id) bind a code to where it was issued.
func (h *Hasher) Hash(purpose, context, code string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Equal compares two hashes in constant time.
func Equal(a, b []byte) bool { return hmac.Equal(a, b) }
