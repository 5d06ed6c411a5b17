package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OutboxMail is one e-mail in the outbox (table mail_outbox). A mail is
// written in the same transaction as the change that caused it and sent
// later by a mailer that leases it (LockedBy, LockedUntil) and marks it
// sent exactly once (SentAt).
type OutboxMail struct {
	bun.BaseModel `bun:"table:mail_outbox,alias:mo"`

	ID            uuid.UUID  `bun:"id,pk"`
	To            string     `bun:"to_addr,notnull"`
	Subject       string     `bun:"subject,notnull"`
	TextBody      string     `bun:"text_body,notnull"`
	HTMLBody      string     `bun:"html_body,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	LastError     string     `bun:"last_error,notnull"`
	LockedBy      string     `bun:"locked_by,notnull"`
	LockedUntil   *time.Time `bun:"locked_until"`
	SentAt        *time.Time `bun:"sent_at"`
	// SecretExpiresAt is when the one-time link or code the mail carries
	// expires (zero for none): then its body is erased.
	SecretExpiresAt time.Time `bun:"secret_expires_at,nullzero"`
}

// MailRetention is how long the outbox keeps a mail the mailer gave up on.
const MailRetention = 30 * 24 * time.Hour

// EraseExpiredSecrets blanks the bodies of mails whose link or code has
// expired, and gives up those still unsent (their link no longer works).
// It returns how many mails it changed.
func (s *Store) EraseExpiredSecrets(ctx context.Context) (int, error) {
	now := s.Now()
	return countRows(s.IDB().NewUpdate().Model((*OutboxMail)(nil)).
		Set("text_body = ''").Set("html_body = ''").
		Set("next_attempt_at = CASE WHEN sent_at IS NULL THEN ? ELSE next_attempt_at END", MailRetryNever).
		Set("last_error = CASE WHEN sent_at IS NULL THEN 'link or code expired before delivery' ELSE last_error END").
		Where("secret_expires_at <= ?", now).
		Where("(text_body <> '' OR html_body <> '')").
		Exec(ctx))
}

// PurgeGivenUpMail deletes unsent mails the mailer gave up on more than
// MailRetention ago (by their creation time).
func (s *Store) PurgeGivenUpMail(ctx context.Context) (int, error) {
	return countRows(s.IDB().NewDelete().Model((*OutboxMail)(nil)).
		Where("sent_at IS NULL").Where("next_attempt_at >= ?", MailRetryNever).
		Where("created_at < ?", s.Now().Add(-MailRetention)).
		Exec(ctx))
}

// MailRetryNever is the next attempt time of a mail the mailer gave up on
// (too many attempts, or a permanent rejection). Such a mail stays unsent
// with its last error; setting next_attempt_at back to now retries it.
var MailRetryNever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// maxMailError bounds the stored delivery error (in runes).
const maxMailError = 300

// EnqueueMail writes m to the outbox, due at once unless m.NextAttemptAt
// is set. It sets m.ID and m.CreatedAt. Called on a Store inside RunInTx,
// the mail is written in that transaction, so it exists exactly when the
// change that caused it is committed.
func (s *Store) EnqueueMail(ctx context.Context, m *OutboxMail) error {
	if m.To == "" {
		return errors.New("store: enqueue mail: empty recipient")
	}
	now := s.Now()
	m.ID = uuid.New()
	m.CreatedAt = now
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = now
	}
	m.Attempts, m.LastError, m.LockedBy = 0, "", ""
	m.LockedUntil, m.SentAt = nil, nil
	if _, err := s.IDB().NewInsert().Model(m).Exec(ctx); err != nil {
		return fmt.Errorf("store: enqueue mail: %w", mapErr(err))
	}
	return nil
}

// ClaimMail leases up to limit mails that are due, unsent and not leased
// by anyone else (or whose lease has expired) to worker for lease, and
// returns them oldest due first. Two workers on one database never get
// the same mail while its lease runs: PostgreSQL locks the chosen rows with
// FOR UPDATE SKIP LOCKED, and SQLite's immediate transactions serialise
// writers.
func (s *Store) ClaimMail(ctx context.Context, worker string, lease time.Duration, limit int) ([]OutboxMail, error) {
	if worker == "" || lease <= 0 || limit <= 0 {
		return nil, errors.New("store: claim mail: worker, lease and limit are required")
	}
	var claimed []OutboxMail
	err := s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		now := tx.Now()
		due := tx.IDB().NewSelect().Model((*OutboxMail)(nil)).Column("id").
			Where("sent_at IS NULL").
			Where("next_attempt_at <= ?", now).
			Where("(locked_until IS NULL OR locked_until <= ?)", now).
			OrderExpr("next_attempt_at ASC, created_at ASC").
			Limit(int64(limit))
		if tx.IsPostgres() {
			due = due.For("UPDATE SKIP LOCKED")
		}
		return tx.IDB().NewUpdate().Model((*OutboxMail)(nil)).
			Set("locked_by = ?", worker).
			Set("locked_until = ?", now.Add(lease)).
			Where("id IN (?)", due).
			Returning("*").
			Scan(ctx, &claimed)
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", mapErr(err))
	}
	slices.SortFunc(claimed, func(a, b OutboxMail) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	return claimed, nil
}

// MarkMailSent records that worker delivered mail id and counts the
// attempt. It changes the row only while worker still holds the lease and
// the mail is unsent, and reports whether it did. Unless keepBody is set, the text and HTML bodies
// are blanked: they contain one-time links (only the dev mailbox keeps them).
func (s *Store) MarkMailSent(ctx context.Context, id uuid.UUID, worker string, keepBody bool) (bool, error) {
	q := s.IDB().NewUpdate().Model((*OutboxMail)(nil)).
		Set("sent_at = ?", s.Now()).
		Set("locked_until = NULL").
		Set("attempts = attempts + 1").
		Set("last_error = ''")
	if !keepBody {
		q = q.Set("text_body = ''").Set("html_body = ''")
	}
	res, err := q.Where("id = ?", id).
		Where("locked_by = ?", worker).
		Where("sent_at IS NULL").
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: mark mail sent: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: mark mail sent: %w", err)
	}
	return n == 1, nil
}

// MarkMailFailed records a failed delivery attempt by worker: it counts
// the attempt, stores errText (shortened; callers pass a description
// without the body or credentials), frees the lease and makes the mail due
// again at next. It returns ErrNotFound when worker no longer holds the
// lease or the mail was sent meanwhile.
func (s *Store) MarkMailFailed(ctx context.Context, id uuid.UUID, worker, errText string, next time.Time) error {
	res, err := s.IDB().NewUpdate().Model((*OutboxMail)(nil)).
		Set("attempts = attempts + 1").
		Set("last_error = ?", shortenMailError(errText, maxMailError)).
		Set("next_attempt_at = ?", next.UTC()).
		Set("locked_by = ''").
		Set("locked_until = NULL").
		Where("id = ?", id).
		Where("locked_by = ?", worker).
		Where("sent_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: mark mail failed: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: mark mail failed: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: mark mail failed: lease lost: %w", ErrNotFound)
	}
	return nil
}

// ReleaseMail gives up worker's lease on the given unsent mails without
// counting an attempt, so any worker may claim them at once (a pass that
// stops early).
func (s *Store) ReleaseMail(ctx context.Context, worker string, ids ...uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.IDB().NewUpdate().Model((*OutboxMail)(nil)).
		Set("locked_by = ''").
		Set("locked_until = NULL").
		Where("id IN (?)", bun.List(ids)).
		Where("locked_by = ?", worker).
		Where("sent_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: release mail: %w", mapErr(err))
	}
	return nil
}

// RecentMail returns up to limit outbox mails, newest first (dev mailbox).
func (s *Store) RecentMail(ctx context.Context, limit int) ([]OutboxMail, error) {
	var mails []OutboxMail
	err := s.IDB().NewSelect().Model(&mails).
		OrderExpr("created_at DESC, id DESC").
		Limit(int64(limit)).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: recent mail: %w", mapErr(err))
	}
	return mails, nil
}

// MailByID returns one outbox mail, or ErrNotFound.
func (s *Store) MailByID(ctx context.Context, id uuid.UUID) (*OutboxMail, error) {
	m := new(OutboxMail)
	if err := s.IDB().NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: mail by id: %w", mapErr(err))
	}
	return m, nil
}

// PendingMailCount counts the mails not sent yet, including those the
// mailer gave up on (operations).
func (s *Store) PendingMailCount(ctx context.Context) (int, error) {
	n, err := s.IDB().NewSelect().Model((*OutboxMail)(nil)).Where("sent_at IS NULL").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: pending mail count: %w", mapErr(err))
	}
	return int(n), nil
}

// shortenMailError cuts s to at most n runes.
func shortenMailError(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
