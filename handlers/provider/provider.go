// Package provider is the portal's OpenID Connect provider, built on
// zitadel/oidc's op package. It stores everything in the portal's
// database (so several instances share it) and leaves the login itself to
// the portal's pages: an authorization request goes to paths.OIDCLogin, and the
// HTTP layer calls Complete when the customer is logged in.
package provider

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/hwk/kundenportal/store"
)

// Paths of the provider's endpoints. Discovery is at the issuer's
// /.well-known/openid-configuration.
const (
	PathAuthorize  = "/oidc/authorize"
	PathCallback   = "/oidc/authorize/callback"
	PathToken      = "/oidc/token"
	PathUserinfo   = "/oidc/userinfo"
	PathKeys       = "/oidc/keys"
	PathLogout     = "/oidc/logout"
	PathRevoke     = "/oidc/revoke"
	PathIntrospect = "/oidc/introspect"
	PathDiscovery  = "/.well-known/openid-configuration"
)

// Options configure the provider.
type Options struct {
	Issuer    string // PORTAL_BASE_URL
	SecretKey []byte // PORTAL_SECRET_KEY; keys for tokens and sealed signing keys are derived from it
	Insecure  bool   // --dev and tests: http issuer and http redirect URIs allowed
	// LogoutRedirect is where the browser goes after logout when the
	// service named no post_logout_redirect_uri.
	LogoutRedirect string
	Store          *store.Store
	Logger         *slog.Logger
}

// Provider is the OpenID Connect provider.
type Provider struct {
	op      *op.Provider
	storage *storage
}

// New builds the provider.
func New(o Options) (*Provider, error) {
	sealer, err := newKeySealer(o.SecretKey)
	if err != nil {
		return nil, err
	}
	cryptoKey, err := deriveKey(o.SecretKey, infoTokenSeal)
	if err != nil {
		return nil, err
	}
	st := &storage{store: o.Store, sealer: sealer, dev: o.Insecure}
	cfg := &op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: o.LogoutRedirect,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.German, language.English},
		SupportedScopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail,
			oidc.ScopeOfflineAccess, ScopeBusinesses},
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "acr", "amr",
			"email", "email_verified", "name", "locale", ScopeBusinesses},
	}
	opts := []op.Option{
		op.WithCustomEndpoints(op.NewEndpoint(PathAuthorize), op.NewEndpoint(PathToken), op.NewEndpoint(PathUserinfo),
			op.NewEndpoint(PathRevoke), op.NewEndpoint(PathLogout), op.NewEndpoint(PathKeys)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(PathIntrospect)),
	}
	if o.Logger != nil {
		opts = append(opts, op.WithLogger(o.Logger.With("component", "oidc")))
	}
	if o.Insecure {
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(cfg, st, op.StaticIssuer(o.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("provider: new: %w", err)
	}
	return &Provider{op: p, storage: st}, nil
}

// Handler serves the provider's endpoints.
func (p *Provider) Handler() http.Handler { return p.op }

// Request is what the login pages need to know about an authorization
// request.
type Request struct {
	ID        uuid.UUID
	Client    *store.OIDCClient
	Scopes    []string
	Prompt    []string
	MaxAge    *int
	SessionID *uuid.UUID
	Done      bool
	CreatedAt time.Time
}

// Request loads a pending authorization request with its client;
// store.ErrNotFound when it is unknown, expired or already used.
func (p *Provider) Request(ctx context.Context, id string) (*Request, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, store.ErrNotFound
	}
	r, err := p.storage.store.OIDCAuthRequestByID(ctx, uid)
	if err != nil {
		return nil, err
	}
	c, err := p.storage.store.OIDCClientByID(ctx, r.ClientID)
	if err != nil {
		return nil, err
	}
	req := &Request{ID: r.ID, Client: c, MaxAge: r.MaxAge, SessionID: r.SessionID, Done: r.Done, CreatedAt: r.CreatedAt}
	req.Scopes = splitFields(r.Scopes)
	req.Prompt = splitFields(r.Prompt)
	return req, nil
}

// Complete binds the request to the customer's session; the browser then
// goes to CallbackURL, which sends the code to the service.
// method is the one recorded for the session (store.SessionAuthMethod).
func (p *Provider) Complete(ctx context.Context, id, userID, sessionID uuid.UUID, authTime time.Time, method string) error {
	return p.storage.store.CompleteOIDCAuthRequest(ctx, id, userID, sessionID, authTime, joinFields(AMR(method)))
}

// CallbackURL is the provider's step that answers the service.
func (p *Provider) CallbackURL(id uuid.UUID) string { return PathCallback + "?id=" + id.String() }

// Deny answers the service with access_denied (the customer declined).
func (p *Provider) Deny(w http.ResponseWriter, r *http.Request, id uuid.UUID, reason *oidc.Error) {
	req, err := p.storage.AuthRequestByID(r.Context(), id.String())
	if err != nil {
		op.AuthRequestError(w, r, nil, err, p.op)
		return
	}
	op.AuthRequestError(w, r, req, reason, p.op)
}
