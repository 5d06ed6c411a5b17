package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// AuditEvent is one line of the audit log (table audit_events). Events
// are dotted lower-case names such as "login.failed" or "account.purged";
// the constants live with the code that writes them. UserID has no
// foreign key, so the log outlives deleted accounts.
//
// Detail is free text or JSON for operators. It must never hold secrets:
// no passwords, tokens, codes, PINs, session ids or hashes of them.
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID     int64      `bun:"id,pk,autoincrement"`
	At     time.Time  `bun:"at,notnull"`
	Event  string     `bun:"event,notnull"`
	UserID *uuid.UUID `bun:"user_id"`
	Email  string     `bun:"email,notnull"`
	IP     string     `bun:"ip,notnull"`
	Detail string     `bun:"detail,notnull"`
	// UserAgent is the client's browser (User-Agent, shortened), when known.
	UserAgent string `bun:"user_agent,notnull"`
}

// AuditFilter selects audit events. Zero fields select everything.
type AuditFilter struct {
	UserID *uuid.UUID // only this user's events
	Email  string     // only events of this address (any case), or of its account when UserID is nil
	Since  time.Time  // only events at or after this time
	Events []string   // only these event names
	Limit  int        // at most this many (0: no limit)
}

// Audit appends e to the audit log with At set to the store's clock. Inside
// RunInTx the event is written (or rolled back) with the transaction.
func (s *Store) Audit(ctx context.Context, e AuditEvent) error {
	if e.Event == "" {
		return errors.New("store: audit: empty event name")
	}
	e.ID = 0
	e.At = s.Now()
	_, err := s.IDB().NewInsert().Model(&e).Exec(ctx)
	return opErr("audit", err)
}

// AuditEvents lists the events f selects, newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	var events []AuditEvent
	q := s.IDB().NewSelect().Model(&events).Order("at DESC", "id DESC")
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	if f.Email != "" {
		email := NormalizeEmail(f.Email)
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("lower(email) = ?", email).
				WhereOr("user_id IN (?)", s.IDB().NewSelect().Model((*User)(nil)).Column("id").Where("lower(email) = ?", email))
		})
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since.UTC())
	}
	if len(f.Events) > 0 {
		q = q.Where("event IN (?)", bun.List(f.Events))
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, opErr("audit events", err)
	}
	return events, nil
}
