package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/hwk/kundenportal/store"
)

// Audit events of the provider; Detail names the client, never a token.
const (
	EventTokenIssued    = "openid.token.issued"
	EventTokenRefreshed = "openid.token.refreshed"
	EventCodeReused     = "openid.code.reused"
	EventLogout         = "openid.logout"
	EventKeyRotated     = "openid.key.rotated"
)

// BrowserKey is the request-context key (a Fiber local) under which the
// HTTP layer hands the provider the request's portal session.
const BrowserKey = "oidc_browser"

// Browser is the portal session of the request to a provider endpoint.
type Browser struct {
	SessionID       uuid.UUID
	UserID          uuid.UUID
	AuthenticatedAt time.Time
	IP              string
	// Ended is set when RP-initiated logout ended the session; the HTTP
	// layer then clears the cookie.
	Ended bool
}

func browserFrom(ctx context.Context) *Browser {
	b, _ := ctx.Value(BrowserKey).(*Browser)
	return b
}

// storage implements op.Storage over the portal's database.
type storage struct {
	store  *store.Store
	sealer *keySealer
	dev    bool
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func errNotFound(what string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s not found", what)
	}
	return oidc.ErrServerError().WithParent(err)
}

func (s *storage) Health(ctx context.Context) error { return s.store.Ping(ctx) }

func (s *storage) client(ctx context.Context, id string) (*store.OIDCClient, error) {
	c, err := s.store.OIDCClientByID(ctx, id)
	if err != nil {
		return nil, errNotFound("client", err)
	}
	return c, nil
}

// CreateAuthRequest checks what op does not (PKCE S256, required for
// public clients; prompt=none only with a fitting session) and stores
// the request.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	c, err := s.client(ctx, req.ClientID)
	if err != nil {
		return nil, err
	}
	if req.CodeChallenge == "" && c.Public {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge (PKCE, S256) is required for public clients")
	}
	if req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) && !fresh(browserFrom(ctx), req.MaxAge, s.store.Now()) {
		return nil, oidc.ErrLoginRequired()
	}
	r := &store.OIDCAuthRequest{
		ClientID: c.ID, RedirectURI: req.RedirectURI, State: req.State, Nonce: req.Nonce,
		Scopes: strings.Join(allowedScopes(c, req.Scopes), " "), ResponseType: string(req.ResponseType),
		ResponseMode: string(req.ResponseMode), Prompt: strings.Join(req.Prompt, " "),
		CodeChallenge: req.CodeChallenge, CodeChallengeMethod: string(req.CodeChallengeMethod),
	}
	if req.MaxAge != nil {
		age := int(*req.MaxAge)
		r.MaxAge = &age
	}
	if err := s.store.CreateOIDCAuthRequest(ctx, r, AuthRequestLifetime); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return authRequest{r}, nil
}

// fresh reports whether the browser has a session that satisfies max_age.
func fresh(b *Browser, maxAge *uint, now time.Time) bool {
	if b == nil {
		return false
	}
	return maxAge == nil || now.Sub(b.AuthenticatedAt) <= time.Duration(*maxAge)*time.Second
}

// allowedScopes drops scopes the client was not registered for (when it
// was registered with a scope list); openid always stays.
func allowedScopes(c *store.OIDCClient, scopes []string) []string {
	allowed := c.ScopeList()
	if len(allowed) == 0 {
		return scopes
	}
	return slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool {
		return sc != oidc.ScopeOpenID && !slices.Contains(allowed, sc)
	})
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, errors.New("auth request not found")
	}
	r, err := s.store.OIDCAuthRequestByID(ctx, uid)
	if err != nil {
		return nil, errNotFound("auth request", err)
	}
	return authRequest{r}, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.store.OIDCAuthRequestByCode(ctx, code)
	if errors.Is(err, store.ErrCodeReused) {
		if err := s.store.Audit(ctx, store.AuditEvent{Event: EventCodeReused, UserID: r.UserID, Detail: "client=" + r.ClientID}); err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
		return nil, errors.New("code already used; its tokens are revoked")
	}
	if err != nil {
		return nil, errNotFound("code", err)
	}
	return authRequest{r}, nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	uid, err := uuid.Parse(id)
	if err != nil {
		return err
	}
	return s.store.SaveOIDCCode(ctx, uid, code, CodeLifetime)
}

// DeleteAuthRequest is called once the code was exchanged: the code is
// marked used, and the row kept until it expires so a second use is
// recognised. If another exchange won the race, the tokens of both are
// revoked.
func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	uid, err := uuid.Parse(id)
	if err != nil {
		return err
	}
	if err := s.store.UseOIDCCode(ctx, uid); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			if _, err := s.store.RevokeOIDCTokensOfRequest(ctx, uid); err != nil {
				return err
			}
			return oidc.ErrInvalidGrant().WithDescription("code already used")
		}
		return err
	}
	return nil
}
