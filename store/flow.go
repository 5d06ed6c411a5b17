package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Flow is one run of a multi-step self-service flow (recovery, invitation,
// registration, second-factor enrolment): its kind, the step it is at, the
// pending values in Data, an attempt counter and an expiry. The customer's
// browser holds the raw secret; the row keeps its hash.
type Flow struct {
	bun.BaseModel `bun:"table:flows"`

	ID         uuid.UUID  `bun:"id,pk"`
	SecretHash []byte     `bun:"secret_hash,notnull"`
	Kind       string     `bun:"kind,notnull"`
	State      string     `bun:"state,notnull"`
	UserID     *uuid.UUID `bun:"user_id"`
	Email      string     `bun:"email,notnull"`
	Data       string     `bun:"data,notnull"` // JSON text, "{}" when empty
	Attempts   int        `bun:"attempts,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	DoneAt     *time.Time `bun:"done_at"`
}

// ErrFlowExpired is returned for a flow past its expiry.
var ErrFlowExpired = errors.New("store: flow expired")

// CreateFlow inserts f with a fresh secret and returns the raw secret. It
// sets ID, SecretHash and CreatedAt; the caller sets Kind, State and
// ExpiresAt.
func (s *Store) CreateFlow(ctx context.Context, f *Flow) (string, error) {
	if f.Kind == "" || f.State == "" || f.ExpiresAt.IsZero() {
		return "", errors.New("store: create flow: kind, state and expiry are required")
	}
	raw, hash, err := newRawToken()
	if err != nil {
		return "", err
	}
	f.ID, f.SecretHash, f.CreatedAt = uuid.New(), hash, s.Now()
	if f.Data == "" {
		f.Data = "{}"
	}
	if _, err := s.db.NewInsert().Model(f).Exec(ctx); err != nil {
		return "", mapErr(err)
	}
	return raw, nil
}

// FlowBySecret loads the unfinished flow of kind whose secret is raw:
// ErrNotFound when there is none or it is finished, ErrFlowExpired when it
// is past its expiry.
func (s *Store) FlowBySecret(ctx context.Context, kind, raw string) (*Flow, error) {
	f := new(Flow)
	err := s.db.NewSelect().Model(f).
		Where("secret_hash = ?", HashToken(raw)).Where("kind = ?", kind).Where("done_at IS NULL").
		Scan(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	if !s.Now().Before(f.ExpiresAt) {
		return nil, ErrFlowExpired
	}
	return f, nil
}

// UpdateFlow saves the state, data, attempts, user and e-mail of f.
func (s *Store) UpdateFlow(ctx context.Context, f *Flow) error {
	return oneRow(s.db.NewUpdate().Model(f).
		Column("state", "data", "attempts", "user_id", "email").
		WherePK().Where("done_at IS NULL").Exec(ctx))
}

// FinishFlow marks the flow done, once: a second call (or a concurrent one)
// gets ErrNotFound, so a flow's final step cannot run twice.
func (s *Store) FinishFlow(ctx context.Context, id uuid.UUID) error {
	return oneRow(s.db.NewUpdate().Model((*Flow)(nil)).
		Set("done_at = ?", s.Now()).
		Where("id = ?", id).Where("done_at IS NULL").Exec(ctx))
}

// DeleteExpiredFlows removes flows that expired before the given time.
func (s *Store) DeleteExpiredFlows(ctx context.Context, before time.Time) (int, error) {
	return countRows(s.db.NewDelete().Model((*Flow)(nil)).Where("expires_at < ?", before).Exec(ctx))
}
