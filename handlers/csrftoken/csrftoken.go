// Package csrftoken makes and checks CSRF tokens that need no storage: a
// token is an HMAC-SHA256, under a key derived for this purpose, over a
// random per-browser value (kept in a cookie) and the browser's session
// token when it has one. Every instance that shares the key accepts the
// tokens of the others; nothing is written per visit.
package csrftoken

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"sync"
)

// browserBytes is the length of the per-browser random value.
const browserBytes = 32

var enc = base64.RawURLEncoding

// Signer makes and checks tokens with one key.
type Signer struct {
	key []byte
	// macs keeps keyed HMACs for reuse: a reset one starts from the keyed
	// state instead of hashing the key again, and every page mints a token.
	macs sync.Pool
}

// macState is one HMAC with a buffer for its message and sum.
type macState struct {
	h   hash.Hash
	buf []byte
}

// New returns a Signer for key (derived with keys.CSRF).
func New(key []byte) *Signer {
	s := &Signer{key: key}
	s.macs.New = func() any { return &macState{h: hmac.New(sha256.New, s.key)} }
	return s
}

// NewBrowserID returns a fresh random per-browser value for the cookie.
func NewBrowserID() string {
	b := make([]byte, browserBytes)
	rand.Read(b) // never fails (crypto/rand)
	return enc.EncodeToString(b)
}

// ValidBrowserID reports whether s has the shape NewBrowserID makes.
func ValidBrowserID(s string) bool {
	if len(s) != enc.EncodedLen(browserBytes) {
		return false
	}
	_, err := enc.DecodeString(s)
	return err == nil
}

// Token returns the token for the browser value and the session token
// (empty when the browser has no session).
func (s *Signer) Token(browser, session string) string {
	m := s.macs.Get().(*macState)
	defer s.macs.Put(m)
	return enc.EncodeToString(m.sum(browser, session))
}

// Check reports, in constant time, whether token belongs to the browser
// value and session token. A malformed browser value never passes.
func (s *Signer) Check(token, browser, session string) bool {
	if !ValidBrowserID(browser) {
		return false
	}
	// The token is compared in its one encoded form: base64 decoding skips
	// line breaks, so decoding first would accept altered copies of a
	// token (found by FuzzCheck).
	m := s.macs.Get().(*macState)
	defer s.macs.Put(m)
	return hmac.Equal([]byte(token), []byte(enc.EncodeToString(m.sum(browser, session))))
}

// sum is the HMAC of browser and session; it is valid until the next use
// of m.
func (m *macState) sum(browser, session string) []byte {
	m.h.Reset()
	m.buf = append(append(append(append(m.buf[:0], "csrf\x00"...), browser...), 0), session...)
	m.h.Write(m.buf)
	m.buf = m.h.Sum(m.buf[:0])
	return m.buf
}
