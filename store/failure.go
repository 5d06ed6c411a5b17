package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Failure is one failed attempt (a wrong password, code or PIN), counted
// per scope and key (for example "login.account" and a user id, or
// "login.ip" and an address) for regulation.
type Failure struct {
	bun.BaseModel `bun:"table:failures"`

	ID    int64     `bun:"id,pk,autoincrement"`
	Scope string    `bun:"scope,notnull"`
	Key   string    `bun:"key,notnull"`
	At    time.Time `bun:"at,notnull"`
}

// RecordFailure counts one failed attempt now.
func (s *Store) RecordFailure(ctx context.Context, scope, key string) error {
	_, err := s.db.NewInsert().Model(&Failure{Scope: scope, Key: key, At: s.Now()}).Exec(ctx)
	return opErr("record failure", err)
}

// Failures returns how many failures scope and key had since the given time,
// and when the latest was.
func (s *Store) Failures(ctx context.Context, scope, key string, since time.Time) (int, time.Time, error) {
	var row struct {
		N    int        `bun:"n"`
		Last *time.Time `bun:"last"`
	}
	err := s.db.NewSelect().Model((*Failure)(nil)).
		ColumnExpr("count(*) AS n").ColumnExpr("max(at) AS last").
		Where("scope = ?", scope).Where("key = ?", key).Where("at > ?", since).
		Scan(ctx, &row)
	if err != nil {
		return 0, time.Time{}, opErr("failures", err)
	}
	if row.Last == nil {
		return row.N, time.Time{}, nil
	}
	return row.N, *row.Last, nil
}

// ClearFailures forgets the failures of scope and key (after a success).
func (s *Store) ClearFailures(ctx context.Context, scope, key string) error {
	_, err := s.db.NewDelete().Model((*Failure)(nil)).Where("scope = ?", scope).Where("key = ?", key).Exec(ctx)
	return opErr("clear failures", err)
}

// DeleteOldFailures removes failures older than the given time.
func (s *Store) DeleteOldFailures(ctx context.Context, before time.Time) (int, error) {
	n, err := countRows(s.db.NewDelete().Model((*Failure)(nil)).Where("at < ?", before).Exec(ctx))
	return n, opErr("delete old failures", err)
}
