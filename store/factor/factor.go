// Package factor names the kinds of second factor once, for the store
// (which keeps them in mfa_methods.kind), the handlers and the components.
// It imports nothing.
package factor

// Kind is a kind of second factor. Its values are what the database
// stores and what the step's links and forms carry.
type Kind string

const (
	// TOTP is an authenticator app's time-based code.
	TOTP Kind = "totp"
	// Email is a code mailed to the account's address.
	Email Kind = "email"
	// WebAuthn is a passkey used as second factor.
	WebAuthn Kind = "webauthn"
	// Recovery is a recovery code: no stored method, but a way through
	// the second-factor step, and the login method the OIDC claims name.
	Recovery Kind = "recovery"
)
