package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Throttle is how attempts of one scope are allowed. The first Free
// attempts within Window pass; from then on every allowed attempt makes
// the next wait Delays[i] (the last delay repeats). With Sliding the
// window restarts Window after the latest allowed attempt (regulation of
// failures); without it the window is fixed from its first attempt and a
// blocked key waits until the window ends (a plain rate limit, Delays
// unused).
type Throttle struct {
	Free    int
	Window  time.Duration
	Delays  []time.Duration
	Sliding bool
}

// throttleRow is one counter of table throttles: its keys come only from
// the portal's code, never from a request's choice of name.
type throttleRow struct {
	bun.BaseModel `bun:"table:throttles"`

	Scope        string `bun:"scope,pk"`
	K            string `bun:"k,pk"`
	N            int    `bun:"n,notnull"`
	WindowEnd    int64  `bun:"window_end,notnull"`
	BlockedUntil int64  `bun:"blocked_until,notnull"`
	Allowed      bool   `bun:"allowed,notnull"`
}

// Attempt counts one attempt of scope and key and decides on the count, in
// one statement, before the caller does the expensive or guessable work:
// parallel attempts each get their own count, so no more than the policy
// allows pass. It returns whether this attempt may go on and, when not,
// how long to wait. An error means the attempt must be refused.
func (s *Store) Attempt(ctx context.Context, p Throttle, scope, key string) (bool, time.Duration, error) {
	now := s.Now().Truncate(time.Second)
	nowS := now.Unix()
	win := int64(p.Window / time.Second)
	restart := "t.window_end <= ?now AND t.blocked_until <= ?now"
	go_ := "t.blocked_until <= ?now"
	end := "t.window_end"
	if p.Sliding {
		end = "?now + ?win"
	}
	sql := `INSERT INTO throttles AS t (scope, k, n, window_end, blocked_until, allowed)
VALUES (?, ?, 1, ?now + ?win, ` + blockAfter(p, "1", "?now + ?win") + `, TRUE)
ON CONFLICT (scope, k) DO UPDATE SET
  allowed = (` + restart + `) OR ` + go_ + `,
  n = CASE WHEN ` + restart + ` THEN 1 WHEN ` + go_ + ` THEN t.n + 1 ELSE t.n END,
  window_end = CASE WHEN ` + restart + ` THEN ?now + ?win WHEN ` + go_ + ` THEN ` + end + ` ELSE t.window_end END,
  blocked_until = CASE WHEN ` + restart + ` THEN ` + blockAfter(p, "1", "?now + ?win") + `
    WHEN ` + go_ + ` THEN ` + blockAfter(p, "t.n + 1", end) + ` ELSE t.blocked_until END
RETURNING n, blocked_until, allowed`
	// now and win are integers of ours: written into the statement as they are.
	sql = strings.NewReplacer("?now", strconv.FormatInt(nowS, 10), "?win", strconv.FormatInt(win, 10)).Replace(sql)
	q := s.db.NewRaw(sql, scope, key)
	var row throttleRow
	if err := q.Scan(ctx, &row.N, &row.BlockedUntil, &row.Allowed); err != nil {
		return false, 0, fmt.Errorf("store: attempt %s: %w", scope, mapErr(err))
	}
	if row.Allowed {
		return true, 0, nil
	}
	wait := time.Unix(row.BlockedUntil, 0).Sub(now)
	return false, max(wait, time.Second), nil
}

// blockAfter is the SQL for blocked_until once the count is n: zero while
// free attempts remain, then now plus the delay for that count.
func blockAfter(p Throttle, n, windowEnd string) string {
	if !p.Sliding || len(p.Delays) == 0 {
		return fmt.Sprintf("CASE WHEN %s >= %d THEN %s ELSE 0 END", n, p.Free, windowEnd)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CASE WHEN %s < %d THEN 0", n, p.Free)
	for i, d := range p.Delays[:len(p.Delays)-1] {
		fmt.Fprintf(&b, " WHEN %s = %d THEN ?now + %d", n, p.Free+i, int64(d/time.Second))
	}
	fmt.Fprintf(&b, " ELSE ?now + %d END", int64(p.Delays[len(p.Delays)-1]/time.Second))
	return b.String()
}

// Refund takes back one allowed attempt of scope and key (it turned out
// not to be a failure), so successes do not use up the free attempts.
func (s *Store) Refund(ctx context.Context, scope, key string) error {
	_, err := s.db.NewUpdate().Model((*throttleRow)(nil)).
		Set("n = CASE WHEN n > 0 THEN n - 1 ELSE 0 END").
		Where("scope = ?", scope).Where("k = ?", key).Exec(ctx)
	return opErr("refund", err)
}

// Attempts is the count of scope and key in the current window (0 when
// there is none).
func (s *Store) Attempts(ctx context.Context, scope, key string) (int, error) {
	var row throttleRow
	err := s.db.NewSelect().Model(&row).Where("scope = ?", scope).Where("k = ?", key).
		Where("window_end > ? OR blocked_until > ?", s.Now().Unix(), s.Now().Unix()).Scan(ctx)
	if err := opErr("attempts", err); err != nil {
		if errors.Is(err, ErrNotFound) {
			return 0, nil
		}
		return 0, err
	}
	return row.N, nil
}

// ClearThrottle forgets the attempts of scope and key (after a success,
// or when an operator unblocks an account).
func (s *Store) ClearThrottle(ctx context.Context, scope, key string) error {
	_, err := s.db.NewDelete().Model((*throttleRow)(nil)).Where("scope = ?", scope).Where("k = ?", key).Exec(ctx)
	return opErr("clear throttle", err)
}

// ClearThrottlesWithPrefix forgets the attempts of every key of scope
// that starts with prefix (all known browsers of one account).
func (s *Store) ClearThrottlesWithPrefix(ctx context.Context, scope, prefix string) error {
	_, err := s.db.NewDelete().Model((*throttleRow)(nil)).Where("scope = ?", scope).
		Where("substr(k, 1, ?) = ?", len(prefix), prefix).Exec(ctx)
	return opErr("clear throttles with prefix", err)
}

// DeleteOldThrottles removes counters whose window and block are over.
func (s *Store) DeleteOldThrottles(ctx context.Context) (int, error) {
	now := s.Now().Unix()
	n, err := countRows(s.db.NewDelete().Model((*throttleRow)(nil)).
		Where("window_end <= ?", now).Where("blocked_until <= ?", now).Exec(ctx))
	return n, opErr("delete old throttles", err)
}
