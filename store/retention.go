package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// retentionExempt marks an account the retention purge leaves alone
// (table retention_exempt).
type retentionExempt struct {
	bun.BaseModel `bun:"table:retention_exempt"`

	UserID    uuid.UUID `bun:"user_id,pk"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// SetRetentionExempt exempts the account from the purge (or ends the
// exemption when exempt is false). Exempting twice is not an error.
func (s *Store) SetRetentionExempt(ctx context.Context, userID uuid.UUID, exempt bool) error {
	if !exempt {
		_, err := s.db.NewDelete().Model((*retentionExempt)(nil)).Where("user_id = ?", userID).Exec(ctx)
		return opErr("set retention exempt", err)
	}
	_, err := s.db.NewInsert().Model(&retentionExempt{UserID: userID, CreatedAt: s.Now()}).On("CONFLICT DO NOTHING").Exec(ctx)
	return opErr("set retention exempt", err)
}

// RetentionExemptUsers lists the exempt accounts by e-mail address.
func (s *Store) RetentionExemptUsers(ctx context.Context) ([]User, error) {
	var users []User
	err := s.db.NewSelect().Model(&users).
		Where("id IN (?)", s.db.NewSelect().Model((*retentionExempt)(nil)).Column("user_id")).
		Order("email ASC").Scan(ctx)
	return users, opErr("retention exempt users", err)
}

// PurgeCandidates lists up to limit (0: all) accounts that are not exempt
// and whose last login, or creation when they never logged in, is before
// cutoff, oldest first.
func (s *Store) PurgeCandidates(ctx context.Context, cutoff time.Time, limit int) ([]User, error) {
	cutoff = cutoff.UTC()
	var users []User
	q := s.db.NewSelect().Model(&users).
		Where("(last_login_at < ? OR (last_login_at IS NULL AND created_at < ?))", cutoff, cutoff).
		Where("id NOT IN (?)", s.db.NewSelect().Model((*retentionExempt)(nil)).Column("user_id")).
		OrderExpr("COALESCE(last_login_at, created_at) ASC, id ASC")
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, opErr("purge candidates", err)
	}
	return users, nil
}

// PurgeUser deletes the account with everything that belongs to it:
// sessions, tokens, flows, second factors, recovery codes, business links
// and PIN requests (by foreign key), links, flows and unsent mails made
// for its address, and it writes the audit row ev for the account. The
// account's older audit rows keep their account id but lose the e-mail
// address and browser. Run it in a transaction.
func (s *Store) PurgeUser(ctx context.Context, u *User, ev AuditEvent) error {
	email := NormalizeEmail(u.Email)
	steps := []func() error{
		func() error {
			_, err := s.db.NewDelete().Model((*OutboxMail)(nil)).Where("lower(to_addr) = ?", email).Where("sent_at IS NULL").Exec(ctx)
			return err
		},
		func() error {
			_, err := s.db.NewDelete().Model((*Token)(nil)).Where("lower(email) = ?", email).Exec(ctx)
			return err
		},
		func() error {
			_, err := s.db.NewDelete().Model((*Flow)(nil)).Where("lower(email) = ?", email).Exec(ctx)
			return err
		},
		func() error { return s.DeleteUser(ctx, u.ID) },
		func() error {
			_, err := s.db.NewUpdate().Model((*AuditEvent)(nil)).Set("email = ''").Set("user_agent = ''").Where("user_id = ?", u.ID).Exec(ctx)
			return err
		},
		func() error {
			ev.UserID, ev.Email, ev.IP, ev.UserAgent = &u.ID, "", "", ""
			return s.Audit(ctx, ev)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("store: purge user: %w", mapErr(err))
		}
	}
	return nil
}
