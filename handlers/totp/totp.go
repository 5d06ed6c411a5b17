// Package totp is the authenticator-app second factor: secrets made by
// pquerna/otp, kept encrypted at rest (AES-256-GCM with the portal's secret
// key), and codes checked with ±1 time step, reporting the step that
// matched so a caller can refuse its reuse.
package totp

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Period is the length of one time step.
const Period = 30

var opts = totp.ValidateOpts{Period: Period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Key is a new TOTP secret with what the setup page shows.
type Key struct {
	Secret string // base32, as apps expect it
	URL    string // otpauth:// URL, the QR code's content
	QR     string // data:image/png;base64 URI of the QR code
}

// Generate makes a new secret for account at issuer.
func Generate(issuer, account string) (Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: Period})
	if err != nil {
		return Key{}, fmt.Errorf("totp: generate: %w", err)
	}
	return FromSecret(issuer, account, k.Secret())
}

// FromSecret rebuilds the URL and QR code of an existing secret.
func FromSecret(issuer, account, secret string) (Key, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account}
	u.RawQuery = url.Values{
		"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"},
	}.Encode()
	k, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return Key{}, fmt.Errorf("totp: key: %w", err)
	}
	img, err := k.Image(256, 256)
	if err != nil {
		return Key{}, fmt.Errorf("totp: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Key{}, fmt.Errorf("totp: qr code: %w", err)
	}
	return Key{
		Secret: k.Secret(),
		URL:    k.URL(),
		QR:     "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
	}, nil
}

// Group writes a secret in groups of four for reading and typing:
// "JBSW Y3DP EHPK 3PXP".
func Group(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Verify checks code against secret at now, allowing one step of clock
// drift either way. It returns the matched time step.
func Verify(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, code)
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / Period
	for d := int64(-1); d <= 1; d++ {
		s := cur + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*Period, 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// Code is the current code for secret (tests and the setup check).
func Code(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, opts)
}

// MethodAD is the associated data of a second factor's sealed secret:
// its user and method id, so a sealed value copied to another row does
// not open.
func MethodAD(userID, methodID string) string { return "method\x00" + userID + "\x00" + methodID }
