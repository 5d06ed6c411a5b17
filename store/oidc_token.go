package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ErrCodeReused is returned for an authorization code that was already
// exchanged; the tokens issued from it have been revoked.
var ErrCodeReused = errors.New("store: authorization code reused")

// OIDCAuthRequest is an authorization request from a client, waiting for
// the customer to log in, then holding the code until it is exchanged
// (table oidc_auth_requests). Lists are space-separated.
type OIDCAuthRequest struct {
	bun.BaseModel `bun:"table:oidc_auth_requests"`

	ID                  uuid.UUID  `bun:"id,pk"`
	ClientID            string     `bun:"client_id,notnull"`
	RedirectURI         string     `bun:"redirect_uri,notnull"`
	State               string     `bun:"state,notnull"`
	Nonce               string     `bun:"nonce,notnull"`
	Scopes              string     `bun:"scopes,notnull"`
	ResponseType        string     `bun:"response_type,notnull"`
	ResponseMode        string     `bun:"response_mode,notnull"`
	Prompt              string     `bun:"prompt,notnull"`
	MaxAge              *int       `bun:"max_age"`
	CodeChallenge       string     `bun:"code_challenge,notnull"`
	CodeChallengeMethod string     `bun:"code_challenge_method,notnull"`
	UserID              *uuid.UUID `bun:"user_id"`
	SessionID           *uuid.UUID `bun:"session_id"`
	AuthTime            *time.Time `bun:"auth_time"`
	AMR                 string     `bun:"amr,notnull"`
	Done                bool       `bun:"done,notnull"`
	CodeHash            []byte     `bun:"code_hash"`
	CodeExpiresAt       *time.Time `bun:"code_expires_at"`
	CodeUsedAt          *time.Time `bun:"code_used_at"`
	CreatedAt           time.Time  `bun:"created_at,notnull"`
	ExpiresAt           time.Time  `bun:"expires_at,notnull"`
}

// CreateOIDCAuthRequest stores r with a new id; it expires after ttl.
func (s *Store) CreateOIDCAuthRequest(ctx context.Context, r *OIDCAuthRequest, ttl time.Duration) error {
	r.ID = uuid.New()
	r.CreatedAt = s.Now()
	r.ExpiresAt = r.CreatedAt.Add(ttl)
	_, err := s.IDB().NewInsert().Model(r).Exec(ctx)
	return opErr("create oidc auth request", err)
}

// OIDCAuthRequestByID finds a request that has not expired and whose code
// was not used yet.
func (s *Store) OIDCAuthRequestByID(ctx context.Context, id uuid.UUID) (*OIDCAuthRequest, error) {
	r := new(OIDCAuthRequest)
	err := s.IDB().NewSelect().Model(r).Where("id = ?", id).
		Where("expires_at > ?", s.Now()).Where("code_used_at IS NULL").Scan(ctx)
	if err != nil {
		return nil, opErr("oidc auth request by id", err)
	}
	return r, nil
}

// CompleteOIDCAuthRequest binds the request to the logged-in customer and
// their session: the login part is done.
func (s *Store) CompleteOIDCAuthRequest(ctx context.Context, id, userID, sessionID uuid.UUID, authTime time.Time, amr string) error {
	res, err := s.IDB().NewUpdate().Model((*OIDCAuthRequest)(nil)).
		Set("user_id = ?", userID).Set("session_id = ?", sessionID).
		Set("auth_time = ?", authTime.UTC()).Set("amr = ?", amr).Set("done = ?", true).
		Where("id = ?", id).Where("code_hash IS NULL").Where("expires_at > ?", s.Now()).Exec(ctx)
	return opErr("complete oidc auth request", oneRow(res, err))
}

// SaveOIDCCode stores the hash of the code issued for a done request; the
// code works for ttl.
func (s *Store) SaveOIDCCode(ctx context.Context, id uuid.UUID, code string, ttl time.Duration) error {
	exp := s.Now().Add(ttl)
	res, err := s.IDB().NewUpdate().Model((*OIDCAuthRequest)(nil)).
		Set("code_hash = ?", HashToken(code)).Set("code_expires_at = ?", exp).
		Where("id = ?", id).Where("done = ?", true).Where("code_hash IS NULL").Exec(ctx)
	return opErr("save oidc code", oneRow(res, err))
}

// OIDCAuthRequestByCode finds the request of an unused, unexpired code. A
// code presented again is ErrCodeReused, and every token issued from it
// is revoked at once (RFC 6749 section 4.1.2); the request is returned
// with it, for the audit log.
func (s *Store) OIDCAuthRequestByCode(ctx context.Context, code string) (*OIDCAuthRequest, error) {
	r := new(OIDCAuthRequest)
	if err := s.IDB().NewSelect().Model(r).Where("code_hash = ?", HashToken(code)).Scan(ctx); err != nil {
		return nil, opErr("oidc auth request by code", err)
	}
	if r.CodeUsedAt != nil {
		if _, err := s.RevokeOIDCTokensOfRequest(ctx, r.ID); err != nil {
			return nil, err
		}
		return r, ErrCodeReused
	}
	if r.CodeExpiresAt == nil || !r.CodeExpiresAt.After(s.Now()) {
		return nil, ErrNotFound
	}
	return r, nil
}

// UseOIDCCode marks the request's code as exchanged. The row stays until
// it expires so that a second use can be recognised. ErrNotFound when it
// was used already (a concurrent exchange).
func (s *Store) UseOIDCCode(ctx context.Context, id uuid.UUID) error {
	res, err := s.IDB().NewUpdate().Model((*OIDCAuthRequest)(nil)).
		Set("code_used_at = ?", s.Now()).Where("id = ?", id).Where("code_used_at IS NULL").Exec(ctx)
	return opErr("use oidc code", oneRow(res, err))
}

// OIDCToken is an issued access or refresh token (table oidc_tokens). The
// access token itself is sealed by the provider and names this row; a
// refresh token is random and only its hash is kept.
type OIDCToken struct {
	bun.BaseModel `bun:"table:oidc_tokens"`

	ID            uuid.UUID  `bun:"id,pk"`
	Kind          string     `bun:"kind,notnull"` // "access" or "refresh"
	RefreshHash   []byte     `bun:"refresh_hash"`
	ClientID      string     `bun:"client_id,notnull"`
	UserID        uuid.UUID  `bun:"user_id,notnull"`
	SessionID     *uuid.UUID `bun:"session_id"`
	AuthRequestID *uuid.UUID `bun:"auth_request_id"`
	Scopes        string     `bun:"scopes,notnull"`
	AMR           string     `bun:"amr,notnull"`
	AuthTime      time.Time  `bun:"auth_time,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	ExpiresAt     time.Time  `bun:"expires_at,notnull"`
}

// Token kinds.
const (
	OIDCAccess  = "access"
	OIDCRefresh = "refresh"
)

// CreateOIDCToken stores t with a new id, valid for ttl. For a refresh
// token it returns the raw token (only its hash is stored).
func (s *Store) CreateOIDCToken(ctx context.Context, t *OIDCToken, ttl time.Duration) (string, error) {
	t.ID = uuid.New()
	t.CreatedAt = s.Now()
	t.ExpiresAt = t.CreatedAt.Add(ttl)
	raw := ""
	if t.Kind == OIDCRefresh {
		r, hash, err := newRawToken()
		if err != nil {
			return "", err
		}
		raw, t.RefreshHash = r, hash
	}
	_, err := s.IDB().NewInsert().Model(t).Exec(ctx)
	return raw, opErr("create oidc token", err)
}

// OIDCTokenByID finds an unexpired token.
func (s *Store) OIDCTokenByID(ctx context.Context, id uuid.UUID) (*OIDCToken, error) {
	t := new(OIDCToken)
	err := s.IDB().NewSelect().Model(t).Where("id = ?", id).Where("expires_at > ?", s.Now()).Scan(ctx)
	if err != nil {
		return nil, opErr("oidc token by id", err)
	}
	return t, nil
}

// OIDCRefreshToken finds an unexpired refresh token by its raw value.
func (s *Store) OIDCRefreshToken(ctx context.Context, raw string) (*OIDCToken, error) {
	t := new(OIDCToken)
	err := s.IDB().NewSelect().Model(t).Where("refresh_hash = ?", HashToken(raw)).
		Where("kind = ?", OIDCRefresh).Where("expires_at > ?", s.Now()).Scan(ctx)
	if err != nil {
		return nil, opErr("oidc refresh token", err)
	}
	return t, nil
}

// DeleteOIDCToken revokes one token. ErrNotFound when it is gone already
// (a refresh token used twice at the same moment).
func (s *Store) DeleteOIDCToken(ctx context.Context, id uuid.UUID) error {
	res, err := s.IDB().NewDelete().Model((*OIDCToken)(nil)).Where("id = ?", id).Exec(ctx)
	return opErr("delete oidc token", oneRow(res, err))
}

// RevokeOIDCTokensOfRequest revokes every token issued from one
// authorization request's code (also those made later by refreshing).
func (s *Store) RevokeOIDCTokensOfRequest(ctx context.Context, id uuid.UUID) (int, error) {
	res, err := s.IDB().NewDelete().Model((*OIDCToken)(nil)).Where("auth_request_id = ?", id).Exec(ctx)
	n, err := countRows(res, err)
	return n, opErr("revoke oidc tokens of request", err)
}

// RevokeOIDCTokensOfSessions revokes every token issued in the given
// portal sessions (logout, "end other sessions").
func (s *Store) RevokeOIDCTokensOfSessions(ctx context.Context, sessionIDs ...uuid.UUID) (int, error) {
	if len(sessionIDs) == 0 {
		return 0, nil
	}
	res, err := s.IDB().NewDelete().Model((*OIDCToken)(nil)).Where("session_id IN (?)", bun.In(sessionIDs)).Exec(ctx)
	n, err := countRows(res, err)
	return n, opErr("revoke oidc tokens of sessions", err)
}

// RevokeOIDCTokensOfOtherSessions revokes the user's tokens issued in any
// portal session but keepID ("end other sessions").
func (s *Store) RevokeOIDCTokensOfOtherSessions(ctx context.Context, userID, keepID uuid.UUID) (int, error) {
	res, err := s.IDB().NewDelete().Model((*OIDCToken)(nil)).
		Where("user_id = ?", userID).Where("session_id IS NULL OR session_id <> ?", keepID).Exec(ctx)
	n, err := countRows(res, err)
	return n, opErr("revoke oidc tokens of other sessions", err)
}

// RevokeOIDCTokensOfUser revokes every token of the user, for one client or
// (clientID "") for all.
func (s *Store) RevokeOIDCTokensOfUser(ctx context.Context, userID uuid.UUID, clientID string) (int, error) {
	q := s.IDB().NewDelete().Model((*OIDCToken)(nil)).Where("user_id = ?", userID)
	if clientID != "" {
		q = q.Where("client_id = ?", clientID)
	}
	res, err := q.Exec(ctx)
	n, err := countRows(res, err)
	return n, opErr("revoke oidc tokens of user", err)
}

// DeleteExpiredOIDC removes expired authorization requests and tokens.
func (s *Store) DeleteExpiredOIDC(ctx context.Context) (int, error) {
	now := s.Now()
	n1, err := countRows(s.IDB().NewDelete().Model((*OIDCAuthRequest)(nil)).Where("expires_at <= ?", now).Exec(ctx))
	if err != nil {
		return 0, err
	}
	n2, err := countRows(s.IDB().NewDelete().Model((*OIDCToken)(nil)).Where("expires_at <= ?", now).Exec(ctx))
	return n1 + n2, err
}
