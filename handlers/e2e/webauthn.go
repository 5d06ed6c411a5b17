package e2e

import (
	"context"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// AddVirtualAuthenticator attaches a virtual platform authenticator to the
// window (CTAP2, internal transport, resident keys, user verification that
// succeeds, presence confirmed automatically) and returns its id. Passkey
// ceremonies in the page then succeed without any prompt.
func (b *Browser) AddVirtualAuthenticator() string {
	b.t.Helper()
	var id webauthn.AuthenticatorID
	b.call("add virtual authenticator", func(ctx context.Context) error {
		if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol:            webauthn.AuthenticatorProtocolCtap2,
				Transport:           webauthn.AuthenticatorTransportInternal,
				HasResidentKey:      true,
				HasUserVerification: true,
				IsUserVerified:      true,
				// Without it create() and get() wait for ever: the field
				// has no omitempty, so its zero value false is sent.
				AutomaticPresenceSimulation: true,
			},
		})
		id = res.AuthenticatorID
		return err
	})
	return string(id)
}

// Credentials returns the credentials the virtual authenticator holds.
func (b *Browser) Credentials(authenticator string) []*webauthn.Credential {
	b.t.Helper()
	var creds []*webauthn.Credential
	b.call("get credentials", func(ctx context.Context) error {
		res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{
			AuthenticatorID: webauthn.AuthenticatorID(authenticator),
		})
		creds = res.Credentials
		return err
	})
	return creds
}
