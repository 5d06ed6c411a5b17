package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// FlowKind is what a flow is for. The kind decides its states and what
// its end does.
type FlowKind string

// The flow kinds. A set-password flow follows a confirmed link from an
// e-mail; its kind says which link, and so what setting the password does.
const (
	FlowPasswordRecovery     FlowKind = "password_recovery"     // "Passwort vergessen": reset, sessions end
	FlowPasswordInvitation   FlowKind = "password_invitation"   // an operator's invitation: first password
	FlowPasswordRegistration FlowKind = "password_registration" // self-registration: the account is created
	FlowPasskeyLogin         FlowKind = "passkey_login"         // "Mit Passkey anmelden", begun until the one finish
	FlowCompanyPIN           FlowKind = "company_pin"           // a PIN sent by post to link a business
)

// FlowState is the step a flow is at.
type FlowState string

// The flow states. Every kind starts open; a flow that is not open, or is
// past its expiry, or is done, can no longer be used (Valid).
const (
	FlowOpen   FlowState = "open"
	FlowUsed   FlowState = "used"   // finished by its last step, once
	FlowLocked FlowState = "locked" // too many wrong tries
	FlowVoided FlowState = "voided" // replaced by a newer flow (a newer PIN)
)

// Flow is one run of a multi-step flow: its kind, the state it is at, the
// pending values in Data, a counter of wrong tries and an expiry. The
// secret lives with the customer (the browser's flow cookie, the PIN in
// the letter); the row keeps its hash. CompanyID is set for PIN flows.
type Flow struct {
	bun.BaseModel `bun:"table:flows"`

	ID         uuid.UUID  `bun:"id,pk"`
	SecretHash []byte     `bun:"secret_hash,notnull"`
	Kind       FlowKind   `bun:"kind,notnull"`
	State      FlowState  `bun:"state,notnull"`
	UserID     *uuid.UUID `bun:"user_id"`
	Email      string     `bun:"email,notnull"`
	Data       string     `bun:"data,notnull"` // JSON text, "{}" when empty
	Attempts   int        `bun:"attempts,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	DoneAt     *time.Time `bun:"done_at"`
	CompanyID  *uuid.UUID `bun:"company_id"`
}

// Valid reports whether the flow can still be used at now: open, not done
// and not expired.
func (f *Flow) Valid(now time.Time) bool {
	return f.State == FlowOpen && f.DoneAt == nil && now.Before(f.ExpiresAt)
}

// ErrFlowExpired is returned for a flow past its expiry.
var ErrFlowExpired = errors.New("store: flow expired")

// ErrFlowNotOpen is returned for a step of a flow that is no longer open
// (used, locked, voided, expired), also when a concurrent request finished
// it first.
var ErrFlowNotOpen = errors.New("store: flow not open")

// CreateFlow inserts f, open, with a fresh secret and returns the raw
// secret. It sets ID, SecretHash, State and CreatedAt; the caller sets Kind
// and ExpiresAt.
func (s *Store) CreateFlow(ctx context.Context, f *Flow) (string, error) {
	if f.Kind == "" || f.ExpiresAt.IsZero() {
		return "", errors.New("store: create flow: kind and expiry are required")
	}
	raw, hash, err := newRawToken()
	if err != nil {
		return "", err
	}
	f.ID, f.SecretHash, f.State, f.CreatedAt = uuid.New(), hash, FlowOpen, s.Now()
	if f.Data == "" {
		f.Data = "{}"
	}
	if _, err := s.db.NewInsert().Model(f).Exec(ctx); err != nil {
		return "", opErr("create flow", err)
	}
	return raw, nil
}

// FlowBySecret loads the open flow of one of the kinds whose secret is raw:
// ErrNotFound when there is none or it is no longer open, ErrFlowExpired
// when it is past its expiry.
func (s *Store) FlowBySecret(ctx context.Context, raw string, kinds ...FlowKind) (*Flow, error) {
	f := new(Flow)
	err := s.db.NewSelect().Model(f).
		Where("secret_hash = ?", HashToken(raw)).Where("kind IN (?)", bun.In(kinds)).
		Where("state = ?", FlowOpen).Where("done_at IS NULL").
		Scan(ctx)
	if err != nil {
		return nil, opErr("flow by secret", err)
	}
	if !f.Valid(s.Now()) {
		return nil, ErrFlowExpired
	}
	return f, nil
}

// FinishFlow marks the open flow id used, once: a second call (or a
// concurrent one) gets ErrFlowNotOpen, so a flow's final step cannot run
// twice. userID, when not nil, is who finished it.
func (s *Store) FinishFlow(ctx context.Context, id uuid.UUID, userID *uuid.UUID) error {
	now := s.Now()
	q := s.db.NewUpdate().Model((*Flow)(nil)).
		Set("state = ?", FlowUsed).Set("done_at = ?", now).
		Where("id = ?", id).Where("state = ?", FlowOpen).Where("done_at IS NULL").Where("expires_at > ?", now)
	if userID != nil {
		q = q.Set("user_id = ?", *userID)
	}
	err := oneRow(q.Exec(ctx))
	if errors.Is(err, ErrNotFound) {
		return ErrFlowNotOpen
	}
	return opErr("finish flow", err)
}

// FailFlow counts a wrong try of the open flow id, atomically, and locks
// it once max wrong tries are reached. It returns the new count;
// ErrFlowNotOpen when the flow is no longer open.
func (s *Store) FailFlow(ctx context.Context, id uuid.UUID, max int) (int, error) {
	now := s.Now()
	var attempts int
	res, err := s.db.NewUpdate().Model((*Flow)(nil)).
		Set("attempts = attempts + 1").
		Set("state = CASE WHEN attempts + 1 >= ? THEN ? ELSE state END", max, FlowLocked).
		Set("done_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE done_at END", max, now).
		Where("id = ?", id).Where("state = ?", FlowOpen).Where("done_at IS NULL").Where("expires_at > ?", now).
		Returning("attempts").Exec(ctx, &attempts)
	if err := oneRow(res, err); errors.Is(err, ErrNotFound) {
		return 0, ErrFlowNotOpen
	} else if err != nil {
		return 0, opErr("fail flow", err)
	}
	return attempts, nil
}

// DeleteExpiredFlows removes flows that expired before the given time.
func (s *Store) DeleteExpiredFlows(ctx context.Context, before time.Time) (int, error) {
	n, err := countRows(s.db.NewDelete().Model((*Flow)(nil)).Where("expires_at < ?", before).Exec(ctx))
	return n, opErr("delete expired flows", err)
}
