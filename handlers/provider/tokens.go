package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/hwk/kundenportal/store"
)

// tokenBase is the row every token issued for request starts from.
func tokenBase(request op.TokenRequest) (*store.OIDCToken, error) {
	switch r := request.(type) {
	case authRequest:
		if r.r.UserID == nil || r.r.AuthTime == nil {
			return nil, oidc.ErrInvalidGrant().WithDescription("login not completed")
		}
		id := r.r.ID
		return &store.OIDCToken{
			ClientID: r.r.ClientID, UserID: *r.r.UserID, SessionID: r.r.SessionID, AuthRequestID: &id,
			Scopes: r.r.Scopes, AMR: r.r.AMR, AuthTime: *r.r.AuthTime,
		}, nil
	case *refreshRequest:
		t := *r.t
		return &store.OIDCToken{
			ClientID: t.ClientID, UserID: t.UserID, SessionID: t.SessionID, AuthRequestID: t.AuthRequestID,
			Scopes: t.Scopes, AMR: t.AMR, AuthTime: t.AuthTime,
		}, nil
	}
	return nil, oidc.ErrUnsupportedGrantType()
}

func (s *storage) CreateAccessToken(ctx context.Context, request op.TokenRequest) (string, time.Time, error) {
	base, err := tokenBase(request)
	if err != nil {
		return "", time.Time{}, err
	}
	var access *store.OIDCToken
	err = s.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		access, err = s.issueAccess(ctx, tx, base)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: EventTokenIssued, UserID: &base.UserID, Detail: "client=" + base.ClientID})
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("provider: issue token: %w", err)
	}
	return access.ID.String(), access.ExpiresAt, nil
}

func (s *storage) issueAccess(ctx context.Context, tx *store.Store, base *store.OIDCToken) (*store.OIDCToken, error) {
	access := *base
	access.Kind = store.OIDCAccess
	if _, err := tx.CreateOIDCToken(ctx, &access, AccessTokenLifetime); err != nil {
		return nil, err
	}
	return &access, nil
}

// CreateAccessAndRefreshTokens issues both after a code exchange, or
// rotates a refresh token: the old one is void, the new one keeps the
// expiry counted from the login.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, request op.TokenRequest, current string) (string, string, time.Time, error) {
	base, err := tokenBase(request)
	if err != nil {
		return "", "", time.Time{}, err
	}
	var access *store.OIDCToken
	var raw string
	event := EventTokenIssued
	err = s.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		expires := base.AuthTime.Add(RefreshTokenLifetime)
		if current != "" {
			event = EventTokenRefreshed
			old, err := tx.OIDCRefreshToken(ctx, current)
			if err != nil {
				return err
			}
			if err := tx.DeleteOIDCToken(ctx, old.ID); err != nil {
				return err
			}
			expires = old.ExpiresAt
		}
		if access, err = s.issueAccess(ctx, tx, base); err != nil {
			return err
		}
		refresh := *base
		refresh.Kind = store.OIDCRefresh
		if raw, err = tx.CreateOIDCToken(ctx, &refresh, expires.Sub(tx.Now())); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: event, UserID: &base.UserID, Detail: "client=" + base.ClientID})
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token used or revoked")
	}
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("provider: issue tokens: %w", err)
	}
	return access.ID.String(), raw, access.ExpiresAt, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, raw string) (op.RefreshTokenRequest, error) {
	t, err := s.store.OIDCRefreshToken(ctx, raw)
	if err != nil {
		return nil, errNotFound("refresh token", err)
	}
	return &refreshRequest{t}, nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, raw string) (string, string, error) {
	t, err := s.store.OIDCRefreshToken(ctx, raw)
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.UserID.String(), t.ID.String(), nil
}

// RevokeToken revokes an access token (by id) or a refresh token (by its
// value). Unknown tokens are no error (RFC 7009).
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	var t *store.OIDCToken
	var err error
	if userID != "" {
		id, perr := uuid.Parse(tokenOrID)
		if perr != nil {
			return nil
		}
		t, err = s.store.OIDCTokenByID(ctx, id)
	} else {
		t, err = s.store.OIDCRefreshToken(ctx, tokenOrID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
	}
	if err := s.store.DeleteOIDCToken(ctx, t.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// TerminateSession is RP-initiated logout: the browser's portal session
// ends (when it belongs to the user the service names), and with it every
// token issued in it; the client's other tokens for the user end too.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	b := browserFrom(ctx)
	return s.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		var uid *uuid.UUID
		if id, err := uuid.Parse(userID); err == nil {
			uid = &id
			if _, err := tx.RevokeOIDCTokensOfUser(ctx, id, clientID); err != nil {
				return err
			}
		}
		if b != nil && (uid == nil || *uid == b.UserID) {
			if err := EndSession(ctx, tx, b.SessionID); err != nil {
				return err
			}
			b.Ended, uid = true, &b.UserID
		}
		ip := ""
		if b != nil {
			ip = b.IP
		}
		return tx.Audit(ctx, store.AuditEvent{Event: EventLogout, UserID: uid, IP: ip, Detail: "client=" + clientID})
	})
}

// EndSession deletes a portal session and revokes the tokens issued in it.
func EndSession(ctx context.Context, tx *store.Store, sessionID uuid.UUID) error {
	if err := tx.DeleteSession(ctx, sessionID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, err := tx.RevokeOIDCTokensOfSessions(ctx, sessionID)
	return err
}

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.client(ctx, id)
	if err != nil {
		return nil, err
	}
	return client{c: c, dev: s.dev}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := s.client(ctx, id)
	if err != nil {
		return err
	}
	if c.Public || !c.SecretMatches(secret) {
		return errors.New("invalid client secret")
	}
	return nil
}

// SigningKey is the newest key; the first one is made when first needed
// (on a fresh database) and then shared by every instance.
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	for range 2 {
		keys, err := s.keys(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if !k.retired {
				return signingKey{k}, nil
			}
		}
		if err := addKey(ctx, s.store, s.sealer); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("provider: no signing key")
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.keys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(keys))
	for i, k := range keys {
		out[i] = publicKey{k}
	}
	return out, nil
}

func (s *storage) keys(ctx context.Context) ([]*loadedKey, error) {
	rows, err := s.store.OIDCKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("provider: keys: %w", err)
	}
	out := make([]*loadedKey, 0, len(rows))
	for _, r := range rows {
		k, err := s.sealer.load(r)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("jwt profile grant not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("jwt profile grant not supported")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil // access tokens are opaque
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil // deprecated by op; SetUserinfoFromRequest is used
}
