package provider

import (
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// Lifetimes of what the provider issues (documented in the README).
const (
	AuthRequestLifetime  = 30 * time.Minute // time to log in after the service sent the customer
	CodeLifetime         = time.Minute
	AccessTokenLifetime  = 15 * time.Minute
	IDTokenLifetime      = 15 * time.Minute
	RefreshTokenLifetime = 12 * time.Hour // counted from the login, not renewed by refreshing
)

// ACR values: whether the login used a second factor.
const (
	ACRSecondFactor = "urn:kundenportal:acr:mfa"
	ACRPassword     = "urn:kundenportal:acr:pwd"
)

// ScopeBusinesses asks for the claim "businesses" with the linked businesses.
const ScopeBusinesses = "businesses"

// MethodPasskey is the recorded method of "Mit Passkey anmelden" (a
// passkey alone); SyncedSuffix marks a synced (backup-eligible) passkey.
const (
	MethodPasskey = "passkey"
	SyncedSuffix  = "-synced"
)

// AMR is the RFC 8176 list for the method that completed a login: the
// second factor after the password, or a passkey alone. A passkey is
// "hwk" (bound to a device) or, synced, "swk".
func AMR(method string) []string {
	switch method {
	case string(factor.TOTP), string(factor.Email), string(factor.Recovery):
		return []string{"pwd", "otp", "mfa"}
	case string(factor.WebAuthn):
		return []string{"pwd", "hwk", "mfa"}
	case string(factor.WebAuthn) + SyncedSuffix:
		return []string{"pwd", "swk", "mfa"}
	case MethodPasskey:
		return []string{"hwk", "mfa"}
	case MethodPasskey + SyncedSuffix:
		return []string{"swk", "mfa"}
	}
	// Sessions become authenticated only after a second factor.
	return []string{"pwd", "mfa"}
}

func acrOf(amr []string) string {
	if slices.Contains(amr, "mfa") {
		return ACRSecondFactor
	}
	return ACRPassword
}

// authRequest adapts a stored request to op.AuthRequest.
type authRequest struct{ r *store.OIDCAuthRequest }

func (a authRequest) GetID() string                      { return a.r.ID.String() }
func (a authRequest) GetACR() string                     { return acrOf(a.GetAMR()) }
func (a authRequest) GetAMR() []string                   { return strings.Fields(a.r.AMR) }
func (a authRequest) GetAudience() []string              { return []string{a.r.ClientID} }
func (a authRequest) GetClientID() string                { return a.r.ClientID }
func (a authRequest) GetNonce() string                   { return a.r.Nonce }
func (a authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a authRequest) GetScopes() []string                { return strings.Fields(a.r.Scopes) }
func (a authRequest) GetState() string                   { return a.r.State }
func (a authRequest) Done() bool                         { return a.r.Done }
func (a authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }
func (a authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.r.ResponseMode) }

func (a authRequest) GetAuthTime() time.Time {
	if a.r.AuthTime == nil {
		return time.Time{}
	}
	return *a.r.AuthTime
}

func (a authRequest) GetSubject() string {
	if a.r.UserID == nil {
		return ""
	}
	return a.r.UserID.String()
}

func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}

// refreshRequest adapts a stored refresh token to op.RefreshTokenRequest.
type refreshRequest struct{ t *store.OIDCToken }

func (r *refreshRequest) GetAMR() []string            { return strings.Fields(r.t.AMR) }
func (r *refreshRequest) GetAudience() []string       { return []string{r.t.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return strings.Fields(r.t.Scopes) }
func (r *refreshRequest) GetSubject() string          { return r.t.UserID.String() }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.t.Scopes = strings.Join(s, " ") }

// client adapts a registered client to op.Client.
type client struct {
	c   *store.OIDCClient
	dev bool
}

func (c client) GetID() string                    { return c.c.ID }
func (c client) RedirectURIs() []string           { return c.c.RedirectList() }
func (c client) PostLogoutRedirectURIs() []string { return c.c.PostLogoutList() }
func (c client) LoginURL(id string) string        { return paths.OIDCLogin + "?id=" + id }
func (c client) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c client) IDTokenLifetime() time.Duration       { return IDTokenLifetime }
func (c client) DevMode() bool                        { return c.dev }
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}

func (c client) ApplicationType() op.ApplicationType {
	if c.c.Public {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}

func (c client) AuthMethod() oidc.AuthMethod {
	if c.c.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c client) IsScopeAllowed(scope string) bool {
	return scope == ScopeBusinesses && c.c.MayAskBusinesses
}

func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func splitFields(s string) []string { return strings.Fields(s) }

func joinFields(f []string) string { return strings.Join(f, " ") }
