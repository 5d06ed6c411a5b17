package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Session is a server-side session (table sessions). The raw token lives
// only in the cookie; the row keeps its SHA-256 hash.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID        uuid.UUID `bun:"id,pk"`
	TokenHash []byte    `bun:"token_hash,notnull"`
	// UserID is nil until the customer has logged in (or while a flow such
	// as login with a second factor is half-way).
	UserID *uuid.UUID `bun:"user_id"`
	// State is the step of the login the session is at.
	State SessionState `bun:"state,notnull"`
	// Data is JSON text with the flow's pending values; "{}" when empty.
	Data            string     `bun:"data,notnull"`
	IP              string     `bun:"ip,notnull"`
	UserAgent       string     `bun:"user_agent,notnull"`
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	LastSeenAt      time.Time  `bun:"last_seen_at,notnull"`
	AuthenticatedAt *time.Time `bun:"authenticated_at"`
	// VerifiedAt is when the customer last proved themselves in this
	// session: a second factor, or the password confirmed before a change.
	VerifiedAt *time.Time `bun:"verified_at"`
	// ExpiresAt is the absolute limit; the idle limit is checked against
	// LastSeenAt by the caller.
	ExpiresAt time.Time `bun:"expires_at,notnull"`
	// Version counts the writes of State and Data. UpdateSession writes only
	// over the version it was loaded with, so two requests of one session
	// (two tabs) cannot silently undo each other.
	Version int `bun:"version,notnull"`
}

// SessionState is the step of the login a session is at; the transitions
// between them are in handlers/login_state.go.
type SessionState string

// The login states. A new session is never anonymous: it is created when
// the password (or a passkey) was accepted.
const (
	// SessionMFASetup: the password was right, the customer has no second
	// factor yet and must set one up.
	SessionMFASetup SessionState = "mfa_setup"
	// SessionMFAVerify: the password was right, a second factor is due.
	SessionMFAVerify SessionState = "mfa_verify"
	// SessionAuthenticated: logged in.
	SessionAuthenticated SessionState = "authenticated"
)

// HashToken is the SHA-256 hash under which a raw session or one-time
// token is stored.
func HashToken(raw string) []byte {
	sum := sha256.Sum256([]byte(raw))
	return sum[:]
}

// newRawToken returns 32 random bytes, base64url without padding, and
// their hash.
func newRawToken() (string, []byte, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("store: random token: %w", err)
	}
	raw := base64.RawURLEncoding.EncodeToString(b[:])
	return raw, HashToken(raw), nil
}

// CreateSession inserts sess with a fresh token and returns the raw token
// for the cookie. It sets ID, TokenHash, CreatedAt and LastSeenAt; the
// caller sets ExpiresAt (the absolute limit).
func (s *Store) CreateSession(ctx context.Context, sess *Session) (string, error) {
	if sess.ExpiresAt.IsZero() {
		return "", errors.New("store: create session: no expiry")
	}
	raw, hash, err := newRawToken()
	if err != nil {
		return "", err
	}
	now := s.Now()
	sess.ID = uuid.New()
	sess.TokenHash = hash
	sess.CreatedAt, sess.LastSeenAt = now, now
	sess.ExpiresAt = sess.ExpiresAt.UTC()
	if sess.Data == "" {
		sess.Data = "{}"
	}
	if _, err := s.IDB().NewInsert().Model(sess).Exec(ctx); err != nil {
		return "", opErr("create session", err)
	}
	return raw, nil
}

// SessionByToken finds the session for a raw cookie token. A session past
// its absolute limit is ErrNotFound.
func (s *Store) SessionByToken(ctx context.Context, raw string) (*Session, error) {
	sess := new(Session)
	err := s.IDB().NewSelect().Model(sess).
		Where("token_hash = ?", HashToken(raw)).
		Where("expires_at > ?", s.Now()).
		Scan(ctx)
	if err != nil {
		return nil, opErr("session by token", err)
	}
	return sess, nil
}

// TouchSession records activity in the session at the given time.
func (s *Store) TouchSession(ctx context.Context, id uuid.UUID, at time.Time) error {
	res, err := s.IDB().NewUpdate().Model((*Session)(nil)).
		Set("last_seen_at = ?", at.UTC()).
		Where("id = ?", id).
		Exec(ctx)
	return opErr("touch session", oneRow(res, err))
}

// UpdateSession writes the session's State, Data, UserID, AuthenticatedAt
// and VerifiedAt, provided the stored row is still at sess.Version: it is a
// compare-and-swap. When another request of the same session wrote in
// between, nothing is written and the error is ErrConflict; when the
// session is gone, ErrNotFound. Token, times and expiry are left as they
// are. On success sess.Version is the new version.
func (s *Store) UpdateSession(ctx context.Context, sess *Session) error {
	if sess.Data == "" {
		sess.Data = "{}"
	}
	res, err := s.IDB().NewUpdate().Model(sess).
		Column("state", "data", "user_id", "authenticated_at", "verified_at").
		Set("version = version + 1").
		WherePK().
		Where("version = ?", sess.Version).
		Exec(ctx)
	if err := oneRow(res, err); !errors.Is(err, ErrNotFound) {
		if err == nil {
			sess.Version++
			return nil
		}
		return fmt.Errorf("store: update session: %w", err)
	}
	exists, err := s.IDB().NewSelect().Model((*Session)(nil)).Where("id = ?", sess.ID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("store: update session: %w", mapErr(err))
	}
	if exists {
		return fmt.Errorf("store: update session: %w", ErrConflict)
	}
	return fmt.Errorf("store: update session: %w", ErrNotFound)
}

// RotateSession gives the session a new token and returns it; the old
// token stops working. Used at login against session fixation.
func (s *Store) RotateSession(ctx context.Context, id uuid.UUID) (string, error) {
	raw, hash, err := newRawToken()
	if err != nil {
		return "", err
	}
	res, err := s.IDB().NewUpdate().Model((*Session)(nil)).
		Set("token_hash = ?", hash).
		Where("id = ?", id).
		Exec(ctx)
	if err := opErr("rotate session", oneRow(res, err)); err != nil {
		return "", err
	}
	return raw, nil
}

// DeleteSession ends one session. It is ErrNotFound when there is none.
func (s *Store) DeleteSession(ctx context.Context, id uuid.UUID) error {
	res, err := s.IDB().NewDelete().Model((*Session)(nil)).Where("id = ?", id).Exec(ctx)
	return opErr("delete session", oneRow(res, err))
}

// DeleteUserSessionsExcept ends every session of the user but keepID
// (uuid.Nil ends all) and returns how many it ended.
func (s *Store) DeleteUserSessionsExcept(ctx context.Context, userID, keepID uuid.UUID) (int, error) {
	res, err := s.IDB().NewDelete().Model((*Session)(nil)).
		Where("user_id = ?", userID).
		Where("id <> ?", keepID).
		Exec(ctx)
	n, err := countRows(res, err)
	return n, opErr("delete user sessions except", err)
}

// SessionsOfUser lists the user's sessions that are within their absolute
// limit, most recently active first.
func (s *Store) SessionsOfUser(ctx context.Context, userID uuid.UUID) ([]Session, error) {
	var sessions []Session
	err := s.IDB().NewSelect().Model(&sessions).
		Where("user_id = ?", userID).
		Where("expires_at > ?", s.Now()).
		Order("last_seen_at DESC", "id").
		Scan(ctx)
	if err != nil {
		return nil, opErr("sessions of user", err)
	}
	return sessions, nil
}

// DeleteExpiredSessions deletes sessions idle since before idleCutoff or
// past their absolute limit, and returns how many it deleted.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleCutoff time.Time) (int, error) {
	res, err := s.IDB().NewDelete().Model((*Session)(nil)).
		Where("last_seen_at < ? OR expires_at <= ?", idleCutoff.UTC(), s.Now()).
		Exec(ctx)
	n, err := countRows(res, err)
	return n, opErr("delete expired sessions", err)
}
