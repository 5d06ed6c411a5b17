package handlers

import (
	"fmt"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/hwk/kundenportal/store"
)

// ceremonyTimeout bounds a passkey ceremony.
const ceremonyTimeout = 5 * time.Minute

// newWebAuthn configures passkeys for the portal's public origin: the
// relying party id is its host name (never an IP address).
func newWebAuthn(baseURL string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("handlers: base url %q has no host", baseURL)
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
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("handlers: webauthn: %w", err)
	}
	return wa, nil
}

// passkeyUser adapts a customer and their passkeys to go-webauthn.
type passkeyUser struct {
	user   *store.User
	handle []byte
	creds  []webauthn.Credential
}

func (p *passkeyUser) WebAuthnID() []byte                         { return p.handle }
func (p *passkeyUser) WebAuthnName() string                       { return p.user.Email }
func (p *passkeyUser) WebAuthnDisplayName() string                { return displayName(p.user) }
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

func displayName(u *store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}
