package store

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OIDCClient is a service registered by an operator to log its users in
// through the portal (table oidc_clients). Lists are space-separated: no
// URI or scope contains a space.
type OIDCClient struct {
	bun.BaseModel `bun:"table:oidc_clients"`

	ID   string `bun:"id,pk"`
	Name string `bun:"name,notnull"`
	// SecretHash is the SHA-256 hash of the client secret; nil for public
	// clients. The secret is random (256 bits), so a plain hash suffices.
	SecretHash       []byte    `bun:"secret_hash"`
	Public           bool      `bun:"public,notnull"`
	FirstParty       bool      `bun:"first_party,notnull"`
	MayAskBusinesses bool      `bun:"may_ask_businesses,notnull"`
	RedirectURIs     string    `bun:"redirect_uris,notnull"`
	PostLogoutURIs   string    `bun:"post_logout_uris,notnull"`
	Scopes           string    `bun:"scopes,notnull"`
	CreatedAt        time.Time `bun:"created_at,notnull"`
}

// RedirectList is the client's exact redirect URIs.
func (c *OIDCClient) RedirectList() []string { return strings.Fields(c.RedirectURIs) }

// PostLogoutList is the client's exact post-logout redirect URIs.
func (c *OIDCClient) PostLogoutList() []string { return strings.Fields(c.PostLogoutURIs) }

// ScopeList is the scopes the client may ask for.
func (c *OIDCClient) ScopeList() []string { return strings.Fields(c.Scopes) }

// SecretMatches reports whether raw is the client's current secret.
func (c *OIDCClient) SecretMatches(raw string) bool {
	return len(c.SecretHash) > 0 && subtle.ConstantTimeCompare(c.SecretHash, HashToken(raw)) == 1
}

// CreateOIDCClient registers c. A confidential client gets a new secret,
// returned once; its hash is stored. ErrDuplicate when the id is taken.
func (s *Store) CreateOIDCClient(ctx context.Context, c *OIDCClient) (string, error) {
	c.CreatedAt = s.Now()
	secret := ""
	if !c.Public {
		raw, hash, err := newRawToken()
		if err != nil {
			return "", err
		}
		secret, c.SecretHash = raw, hash
	}
	if _, err := s.IDB().NewInsert().Model(c).Exec(ctx); err != nil {
		return "", opErr("create oidc client", err)
	}
	return secret, nil
}

// OIDCClientByID finds a client, or ErrNotFound.
func (s *Store) OIDCClientByID(ctx context.Context, id string) (*OIDCClient, error) {
	c := new(OIDCClient)
	if err := s.IDB().NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, opErr("oidc client by id", err)
	}
	return c, nil
}

// OIDCClients lists every client by id.
func (s *Store) OIDCClients(ctx context.Context) ([]OIDCClient, error) {
	var cs []OIDCClient
	if err := s.IDB().NewSelect().Model(&cs).Order("id").Scan(ctx); err != nil {
		return nil, opErr("oidc clients", err)
	}
	return cs, nil
}

// DeleteOIDCClient removes a client with its requests, tokens and consents.
func (s *Store) DeleteOIDCClient(ctx context.Context, id string) error {
	res, err := s.IDB().NewDelete().Model((*OIDCClient)(nil)).Where("id = ?", id).Exec(ctx)
	return opErr("delete oidc client", oneRow(res, err))
}

// RenewOIDCClientSecret gives a confidential client a new secret (the old
// one stops working) and returns it once.
func (s *Store) RenewOIDCClientSecret(ctx context.Context, id string) (string, error) {
	raw, hash, err := newRawToken()
	if err != nil {
		return "", err
	}
	res, err := s.IDB().NewUpdate().Model((*OIDCClient)(nil)).
		Set("secret_hash = ?", hash).Where("id = ?", id).Where("public = ?", false).Exec(ctx)
	if err := opErr("renew oidc client secret", oneRow(res, err)); err != nil {
		return "", err
	}
	return raw, nil
}

// OIDCConsent is a customer's remembered consent for a client.
type OIDCConsent struct {
	bun.BaseModel `bun:"table:oidc_consents"`

	UserID    uuid.UUID `bun:"user_id,pk"`
	ClientID  string    `bun:"client_id,pk"`
	Scopes    string    `bun:"scopes,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`

	ClientName string `bun:"client_name,scanonly"`
}

// SaveOIDCConsent records (or widens) the customer's consent for a client.
func (s *Store) SaveOIDCConsent(ctx context.Context, userID uuid.UUID, clientID string, scopes []string) error {
	c := &OIDCConsent{UserID: userID, ClientID: clientID, Scopes: strings.Join(scopes, " "), CreatedAt: s.Now()}
	_, err := s.IDB().NewInsert().Model(c).
		On("CONFLICT (user_id, client_id) DO UPDATE").Set("scopes = EXCLUDED.scopes, created_at = EXCLUDED.created_at").
		Exec(ctx)
	return opErr("save oidc consent", err)
}

// OIDCConsentOf is the consent of the user for the client, or ErrNotFound.
func (s *Store) OIDCConsentOf(ctx context.Context, userID uuid.UUID, clientID string) (*OIDCConsent, error) {
	c := new(OIDCConsent)
	err := s.IDB().NewSelect().Model(c).Where("user_id = ?", userID).Where("client_id = ?", clientID).Scan(ctx)
	if err != nil {
		return nil, opErr("oidc consent of", err)
	}
	return c, nil
}

// OIDCConsentsOf lists the services the user has consented to, by name.
func (s *Store) OIDCConsentsOf(ctx context.Context, userID uuid.UUID) ([]OIDCConsent, error) {
	var cs []OIDCConsent
	err := s.IDB().NewSelect().Model(&cs).
		ColumnExpr("oidc_consent.*").ColumnExpr("c.name AS client_name").
		Join("JOIN oidc_clients AS c ON c.id = oidc_consent.client_id").
		Where("oidc_consent.user_id = ?", userID).
		OrderExpr("c.name").Scan(ctx)
	if err != nil {
		return nil, opErr("oidc consents of", err)
	}
	return cs, nil
}

// RevokeOIDCConsent withdraws the consent and ends the client's tokens
// for the user.
func (s *Store) RevokeOIDCConsent(ctx context.Context, userID uuid.UUID, clientID string) error {
	res, err := s.IDB().NewDelete().Model((*OIDCConsent)(nil)).
		Where("user_id = ?", userID).Where("client_id = ?", clientID).Exec(ctx)
	if err := opErr("revoke oidc consent", oneRow(res, err)); err != nil {
		return err
	}
	_, err = s.IDB().NewDelete().Model((*OIDCToken)(nil)).
		Where("user_id = ?", userID).Where("client_id = ?", clientID).Exec(ctx)
	return opErr("revoke oidc consent", err)
}

// OIDCKey is a signing key (table oidc_keys); the private key is sealed
// with a key derived from PORTAL_SECRET_KEY.
type OIDCKey struct {
	bun.BaseModel `bun:"table:oidc_keys"`

	ID        string    `bun:"id,pk"`
	Alg       string    `bun:"alg,notnull"`
	SealedKey string    `bun:"sealed_key,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	// RetiredAt is set when a newer key took over signing; the key stays
	// in the key set until RemoveAfter, when tokens it signed expired.
	RetiredAt   *time.Time `bun:"retired_at"`
	RemoveAfter *time.Time `bun:"remove_after"`
}

// OIDCKeys lists the keys still published, newest first.
func (s *Store) OIDCKeys(ctx context.Context) ([]OIDCKey, error) {
	var ks []OIDCKey
	err := s.IDB().NewSelect().Model(&ks).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("remove_after IS NULL").WhereOr("remove_after > ?", s.Now())
		}).
		Order("created_at DESC").Scan(ctx)
	if err != nil {
		return nil, opErr("oidc keys", err)
	}
	return ks, nil
}

// AddOIDCKey stores k as the signing key and retires the previous ones:
// they stay published for keep.
func (s *Store) AddOIDCKey(ctx context.Context, k *OIDCKey, keep time.Duration) error {
	now := s.Now()
	k.CreatedAt = now
	if _, err := s.IDB().NewUpdate().Model((*OIDCKey)(nil)).
		Set("retired_at = ?", now).Set("remove_after = ?", now.Add(keep)).
		Where("retired_at IS NULL").Exec(ctx); err != nil {
		return opErr("add oidc key", err)
	}
	_, err := s.IDB().NewInsert().Model(k).Exec(ctx)
	return opErr("add oidc key", err)
}

// DeleteRemovedOIDCKeys deletes the retired signing keys whose overlap
// ended (remove_after passed): no token they signed is still valid, and
// they are no longer published. The signing key (never retired) stays.
func (s *Store) DeleteRemovedOIDCKeys(ctx context.Context) (int, error) {
	return countRows(s.IDB().NewDelete().Model((*OIDCKey)(nil)).
		Where("retired_at IS NOT NULL").Where("remove_after <= ?", s.Now()).Exec(ctx))
}

// RecordSessionAuth notes how the session was authenticated (the method
// of the last step: "totp", "email", "webauthn", "recovery" after the
// password, or "passkey" alone), for the amr claim.
func (s *Store) RecordSessionAuth(ctx context.Context, sessionID uuid.UUID, method string) error {
	_, err := s.IDB().NewInsert().Model(&sessionAuth{SessionID: sessionID, Method: method, CreatedAt: s.Now()}).
		On("CONFLICT (session_id) DO UPDATE").Set("method = EXCLUDED.method").Exec(ctx)
	return opErr("record session auth", err)
}

// SessionAuthMethod is the method recorded for the session, or ErrNotFound.
func (s *Store) SessionAuthMethod(ctx context.Context, sessionID uuid.UUID) (string, error) {
	a := new(sessionAuth)
	if err := s.IDB().NewSelect().Model(a).Where("session_id = ?", sessionID).Scan(ctx); err != nil {
		return "", opErr("session auth method", err)
	}
	return a.Method, nil
}

type sessionAuth struct {
	bun.BaseModel `bun:"table:oidc_session_auth"`

	SessionID uuid.UUID `bun:"session_id,pk"`
	Method    string    `bun:"method,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}
