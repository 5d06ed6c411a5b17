package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Kinds of one-time tokens.
const (
	TokenRecovery = "recovery" // password reset link
	TokenInvite   = "invite"   // invitation by staff
	TokenRegister = "register" // e-mail verification at self-registration
	// TokenEmailChange is the link to a new address that changes the
	// account's address (Email is the new address).
	TokenEmailChange = "email_change"
)

// ErrTokenExpired is returned for a token past its expiry.
var ErrTokenExpired = errors.New("store: token expired")

// ErrTokenUsed is returned for a token that was used already or was
// superseded by a newer token of the same kind.
var ErrTokenUsed = errors.New("store: token used")

// Token is a one-time token sent by e-mail (table tokens). Only the hash
// of the raw token is stored; the raw value exists only in the link.
type Token struct {
	bun.BaseModel `bun:"table:tokens"`

	ID        uuid.UUID  `bun:"id,pk"`
	Kind      string     `bun:"kind,notnull"`
	TokenHash []byte     `bun:"token_hash,notnull"`
	UserID    *uuid.UUID `bun:"user_id"`
	Email     string     `bun:"email,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	// UsedAt is set when the token is consumed or superseded.
	UsedAt *time.Time `bun:"used_at"`
}

// IssueToken creates a token of the given kind for a user (or, with a nil
// userID, for an e-mail address alone) valid for ttl, and returns the raw
// token for the link. In the same transaction it voids the earlier unused
// tokens of that kind for the same user, or without a user for the same
// address (in any case), so only the newest link works.
func (s *Store) IssueToken(ctx context.Context, kind string, userID *uuid.UUID, email string, ttl time.Duration) (string, error) {
	email = NormalizeEmail(email)
	switch {
	case kind == "":
		return "", errors.New("store: issue token: empty kind")
	case ttl <= 0:
		return "", errors.New("store: issue token: ttl must be positive")
	case userID == nil && email == "":
		return "", errors.New("store: issue token: neither user nor e-mail address")
	}
	raw, hash, err := newRawToken()
	if err != nil {
		return "", err
	}
	now := s.Now()
	t := &Token{
		ID: uuid.New(), Kind: kind, TokenHash: hash, UserID: userID, Email: email,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	err = s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		void := tx.IDB().NewUpdate().Model((*Token)(nil)).
			Set("used_at = ?", now).
			Where("kind = ?", kind).
			Where("used_at IS NULL")
		if userID != nil {
			void = void.Where("user_id = ?", *userID)
		} else {
			void = void.Where("lower(email) = lower(?)", email)
		}
		if _, err := void.Exec(ctx); err != nil {
			return opErr("issue token", err)
		}
		_, err := tx.IDB().NewInsert().Model(t).Exec(ctx)
		return opErr("issue token", err)
	})
	if err != nil {
		return "", err
	}
	return raw, nil
}

// LookupToken finds a usable token of the given kind without consuming it
// (for the confirmation page a GET shows). It returns ErrNotFound,
// ErrTokenUsed or ErrTokenExpired when the token cannot be used.
func (s *Store) LookupToken(ctx context.Context, kind, raw string) (*Token, error) {
	t := new(Token)
	err := s.IDB().NewSelect().Model(t).
		Where("token_hash = ?", HashToken(raw)).
		Where("kind = ?", kind).
		Scan(ctx)
	if err != nil {
		return nil, opErr("lookup token", err)
	}
	switch {
	case t.UsedAt != nil:
		return nil, ErrTokenUsed
	case !t.ExpiresAt.After(s.Now()):
		return nil, ErrTokenExpired
	}
	return t, nil
}

// ConsumeToken uses a token of the given kind once: of any number of
// concurrent calls exactly one succeeds. The others, and every later
// call, get ErrTokenUsed; an expired token is ErrTokenExpired and an
// unknown one ErrNotFound. The returned token has UsedAt set.
func (s *Store) ConsumeToken(ctx context.Context, kind, raw string) (*Token, error) {
	now := s.Now()
	hash := HashToken(raw)
	t := new(Token)
	res, err := s.IDB().NewUpdate().Model(t).
		Set("used_at = ?", now).
		Where("token_hash = ?", hash).
		Where("kind = ?", kind).
		Where("used_at IS NULL").
		Where("expires_at > ?", now).
		Returning("*").
		Exec(ctx)
	n, err := countRows(res, err)
	if err != nil {
		return nil, err
	}
	if n == 1 {
		return t, nil
	}
	// Nothing changed: say why, with the same errors as LookupToken.
	if _, err := s.LookupToken(ctx, kind, raw); err != nil {
		return nil, err
	}
	// The token became usable between the two statements, which only a
	// clock running backwards can do; treat it as used.
	return nil, ErrTokenUsed
}

// DeleteExpiredTokens deletes tokens that expired before the given time
// and returns how many it deleted.
func (s *Store) DeleteExpiredTokens(ctx context.Context, before time.Time) (int, error) {
	res, err := s.IDB().NewDelete().Model((*Token)(nil)).
		Where("expires_at < ?", before.UTC()).
		Exec(ctx)
	n, err := countRows(res, err)
	return n, opErr("delete expired tokens", err)
}
