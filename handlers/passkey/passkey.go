// Package passkey is the portal's glue to go-webauthn: the relying party
// for the portal's origin, and a customer with their passkeys as a
// webauthn.User.
package passkey

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// CeremonyTimeout bounds a passkey ceremony.
const CeremonyTimeout = 5 * time.Minute

// New configures passkeys for the portal's public origin: the relying
// party id is its host name (never an IP address).
func New(baseURL string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("passkey: base url %q has no host", baseURL)
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "Kundenportal",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTimeout, TimeoutUVD: CeremonyTimeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTimeout, TimeoutUVD: CeremonyTimeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: webauthn: %w", err)
	}
	return wa, nil
}

// User adapts a customer and their passkeys to go-webauthn.
type User struct {
	user   *store.User
	handle []byte
	creds  []webauthn.Credential
}

// UserOf is the customer with the user handle and the passkeys among
// methods (their stored credentials decoded).
func UserOf(user *store.User, handle []byte, methods []store.MFAMethod) (*User, error) {
	u := &User{user: user, handle: handle}
	for _, m := range methods {
		if m.Kind != factor.WebAuthn {
			continue
		}
		var cred webauthn.Credential
		if err := json.Unmarshal([]byte(m.Credential), &cred); err != nil {
			return nil, fmt.Errorf("passkey: decode credential %s: %w", m.ID, err)
		}
		u.creds = append(u.creds, cred)
	}
	return u, nil
}

func (u *User) WebAuthnID() []byte                         { return u.handle }
func (u *User) WebAuthnName() string                       { return u.user.Email }
func (u *User) WebAuthnDisplayName() string                { return DisplayName(u.user) }
func (u *User) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// DisplayName is the customer's name, or the address when they gave none.
func DisplayName(u *store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}
