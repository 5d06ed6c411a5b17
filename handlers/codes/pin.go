package codes

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
)

// PINAlphabet holds the characters of a business PIN: upper-case letters
// and digits without the look-alikes 0/O and 1/I/L.
const PINAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// PINLength is the number of characters of a PIN (about 40 bits).
const PINLength = 8

// PIN returns a random PIN of PINLength characters from PINAlphabet,
// without grouping (see FormatPIN).
func PIN() (string, error) {
	b := make([]byte, PINLength)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(PINAlphabet))))
		if err != nil {
			return "", fmt.Errorf("codes: random: %w", err)
		}
		b[i] = PINAlphabet[v.Int64()]
	}
	return string(b), nil
}

// FormatPIN groups a PIN for the letter: "ABCD-EFGH".
func FormatPIN(pin string) string {
	if len(pin) != PINLength {
		return pin
	}
	return pin[:4] + "-" + pin[4:]
}

// NormalizePIN makes a typed PIN comparable: upper case, without spaces,
// dashes and other separators people type.
func NormalizePIN(pin string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return -1
	}, pin)
}
