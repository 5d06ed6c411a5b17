package provider

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hwk/kundenportal/store"
)

// HKDF info strings: each use of PORTAL_SECRET_KEY gets its own key.
const (
	infoKeySeal   = "kundenportal oidc signing key sealing"
	infoTokenSeal = "kundenportal oidc access token encryption"
)

// KeyOverlap is how long a replaced signing key stays in the key set:
// longer than any token it signed lives.
const KeyOverlap = IDTokenLifetime + time.Hour

// deriveKey derives a 32-byte key for one purpose from the secret key.
func deriveKey(secret []byte, info string) ([32]byte, error) {
	var k [32]byte
	b, err := hkdf.Key(sha256.New, secret, nil, info, 32)
	if err != nil {
		return k, fmt.Errorf("provider: derive key: %w", err)
	}
	copy(k[:], b)
	return k, nil
}

// keySealer seals signing keys at rest with AES-256-GCM.
type keySealer struct{ aead cipher.AEAD }

func newKeySealer(secret []byte) (*keySealer, error) {
	k, err := deriveKey(secret, infoKeySeal)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, fmt.Errorf("provider: key cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("provider: key cipher: %w", err)
	}
	return &keySealer{aead: aead}, nil
}

func (s *keySealer) seal(kid string, plain []byte) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("provider: nonce: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, plain, []byte(kid))
	return base64.RawStdEncoding.EncodeToString(out), nil
}

func (s *keySealer) open(kid, sealed string) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("provider: sealed key malformed")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(kid))
	if err != nil {
		return nil, fmt.Errorf("provider: open key %s (wrong PORTAL_SECRET_KEY?): %w", kid, err)
	}
	return plain, nil
}

// newSigningKey makes a new ES256 key and its sealed row.
func (s *keySealer) newSigningKey() (*store.OIDCKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("provider: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("provider: encode key: %w", err)
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("provider: key id: %w", err)
	}
	kid := hex.EncodeToString(id[:])
	sealed, err := s.seal(kid, der)
	if err != nil {
		return nil, err
	}
	return &store.OIDCKey{ID: kid, Alg: string(jose.ES256), SealedKey: sealed}, nil
}

// loadedKey is an opened signing key.
type loadedKey struct {
	id      string
	priv    *ecdsa.PrivateKey
	retired bool
}

func (s *keySealer) load(k store.OIDCKey) (*loadedKey, error) {
	der, err := s.open(k.ID, k.SealedKey)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("provider: parse key %s: %w", k.ID, err)
	}
	priv, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("provider: key %s is not ECDSA", k.ID)
	}
	return &loadedKey{id: k.ID, priv: priv, retired: k.RetiredAt != nil}, nil
}

// RotateKey adds a new signing key; the previous ones stay in the key set
// for KeyOverlap so that tokens they signed can still be verified.
func RotateKey(ctx context.Context, s *store.Store, secret []byte) error {
	sealer, err := newKeySealer(secret)
	if err != nil {
		return err
	}
	return addKey(ctx, s, sealer)
}

func addKey(ctx context.Context, s *store.Store, sealer *keySealer) error {
	k, err := sealer.newSigningKey()
	if err != nil {
		return err
	}
	return s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.AddOIDCKey(ctx, k, KeyOverlap); err != nil {
			return fmt.Errorf("provider: store key: %w", err)
		}
		return tx.Audit(ctx, store.AuditEvent{Event: EventKeyRotated, Detail: "kid=" + k.ID})
	})
}

// signingKey implements op.SigningKey.
type signingKey struct{ k *loadedKey }

func (s signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (s signingKey) Key() any                                    { return s.k.priv }
func (s signingKey) ID() string                                  { return s.k.id }

// publicKey implements op.Key.
type publicKey struct{ k *loadedKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.priv.PublicKey }
