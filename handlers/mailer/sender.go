package mailer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
)

// Defaults for Options.
const (
	DefaultInterval    = 15 * time.Second
	DefaultLease       = 5 * time.Minute
	DefaultMaxAttempts = 20
	DefaultBatch       = 10
)

// Backoff bounds: the n-th retry waits about 30 s * 2^n, at most an hour.
const (
	backoffBase = 30 * time.Second
	backoffMax  = time.Hour
)

// markTimeout bounds recording a result after the SMTP server answered;
// it runs even when the caller's context was cancelled meanwhile.
const markTimeout = 10 * time.Second

// Options configure a Sender. Zero values take the defaults.
type Options struct {
	// Worker names this sender in the outbox leases. It must differ
	// between portal instances on one database; the default is built from
	// the host name, the process id and a random suffix.
	Worker string
	// Interval is how often Run looks for due mails (DefaultInterval).
	Interval time.Duration
	// Lease is how long a claimed mail is reserved for this sender
	// (DefaultLease). It must be far longer than one SMTP delivery.
	Lease time.Duration
	// MaxAttempts is the number of failed attempts after which a mail is
	// given up (DefaultMaxAttempts).
	MaxAttempts int
	// Batch is how many mails one claim leases (DefaultBatch).
	Batch int
	// KeepBodies keeps the bodies of sent mails (the dev mailbox); by
	// default they are blanked because they contain one-time links.
	KeepBodies bool
	// Logger receives delivery logs (slog.Default when nil).
	Logger *slog.Logger
}

// Sender moves mails from the outbox to a Transport. Several Senders (in
// one process or in several portal instances) may share a database: each
// mail is leased to one of them at a time and marked sent exactly once.
type Sender struct {
	store     *store.Store
	transport Transport
	opt       Options
	log       *slog.Logger
	wake      chan struct{}
}

// New returns a Sender delivering the outbox of s through t.
func New(s *store.Store, t Transport, opt Options) *Sender {
	if opt.Worker == "" {
		opt.Worker = defaultWorker()
	}
	if opt.Interval <= 0 {
		opt.Interval = DefaultInterval
	}
	if opt.Lease <= 0 {
		opt.Lease = DefaultLease
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = DefaultMaxAttempts
	}
	if opt.Batch <= 0 {
		opt.Batch = DefaultBatch
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Sender{store: s, transport: t, opt: opt,
		log: log.With("worker", opt.Worker), wake: make(chan struct{}, 1)}
}

func defaultWorker() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "portal"
	}
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Worker is the name this Sender leases mails under.
func (s *Sender) Worker() string { return s.opt.Worker }

// Notify wakes Run at once, for example after a transaction that enqueued
// a mail has committed. It never blocks.
func (s *Sender) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers due mails every Interval and whenever Notify is called,
// until ctx is done. Failures are logged, not returned.
//
// The first pass comes firstPassDelay after the start (or at the first
// Notify, for mail queued since): a pass at once took the database
// connection the portal opened at start, so its first request, the
// readiness check, had to open another (on PostgreSQL a new server
// process: start to ready took about 25 ms longer).
func (s *Sender) Run(ctx context.Context) {
	next := time.NewTimer(min(firstPassDelay, s.opt.Interval))
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-next.C:
			next.Reset(s.opt.Interval)
		case <-s.wake:
		}
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("mail outbox pass failed", "err", err)
		}
	}
}

// firstPassDelay is how long mail left from before a start waits.
const firstPassDelay = time.Second

// DeliverDue makes one pass over the outbox: it claims due mails in
// batches until none is left and tries each once. It returns how many it
// sent. A failed delivery is recorded on the mail (and retried later), not
// returned; the error is about the outbox itself.
func (s *Sender) DeliverDue(ctx context.Context) (sent int, err error) {
	for {
		batch, claimErr := s.store.ClaimMail(ctx, s.opt.Worker, s.opt.Lease, s.opt.Batch)
		if claimErr != nil {
			return sent, fmt.Errorf("mailer: %w", claimErr)
		}
		n, more, batchErr := s.deliverBatch(ctx, batch)
		sent += n
		if batchErr != nil || !more {
			return sent, batchErr
		}
	}
}

// deliverBatch tries each claimed mail once. It reports whether the pass
// should claim again: when the batch was full or stopped early for its
// lease, but not after a server-wide failure, which it records on the
// rest of the batch instead of trying them one by one. Mails it does not
// get to are released for any worker to claim.
func (s *Sender) deliverBatch(ctx context.Context, batch []store.OutboxMail) (sent int, more bool, err error) {
	claimedAt := s.store.Now()
	for i := range batch {
		if ctx.Err() != nil || s.store.Now().After(claimedAt.Add(s.opt.Lease/2)) {
			// Cancelled, or so slow that the lease could end mid-delivery.
			s.release(ctx, batch[i:])
			return sent, ctx.Err() == nil, ctx.Err()
		}
		m := &batch[i]
		sendErr := s.transport.Send(ctx, message(m))
		switch {
		case sendErr == nil:
			if err := s.markSent(ctx, m); err != nil {
				s.release(ctx, batch[i+1:])
				return sent, false, err
			}
			sent++
		case ctx.Err() != nil:
			s.release(ctx, batch[i:])
			return sent, false, ctx.Err()
		default:
			s.markFailed(ctx, m, sendErr)
			if class, _ := classOf(sendErr); serverWide(class) {
				for j := i + 1; j < len(batch); j++ {
					s.markFailed(ctx, &batch[j], sendErr)
				}
				return sent, false, nil
			}
		}
	}
	return sent, len(batch) == s.opt.Batch, nil
}

// release frees the leases of mails this pass did not finish.
func (s *Sender) release(ctx context.Context, mails []store.OutboxMail) {
	if len(mails) == 0 {
		return
	}
	ids := make([]uuid.UUID, len(mails))
	for i := range mails {
		ids[i] = mails[i].ID
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := s.store.ReleaseMail(ctx, s.opt.Worker, ids...); err != nil {
		s.log.Warn("mail leases not released; they expire", "mails", len(ids), "err", err)
	}
}

func message(m *store.OutboxMail) Message {
	return Message{ID: m.ID.String(), To: m.To, Subject: m.Subject, Text: m.TextBody, HTML: m.HTMLBody}
}

func (s *Sender) markSent(ctx context.Context, m *store.OutboxMail) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	ok, err := s.store.MarkMailSent(ctx, m.ID, s.opt.Worker, s.opt.KeepBodies)
	if err != nil {
		// Delivered but not recorded: after the lease it goes out again.
		s.log.Error("mail delivered but not marked sent", "mail_id", m.ID, "err", err)
		return fmt.Errorf("mailer: %w", err)
	}
	if !ok {
		s.log.Warn("mail delivered after its lease passed to another worker", "mail_id", m.ID)
		return nil
	}
	s.log.Info("mail sent", "mail_id", m.ID, "attempts", m.Attempts+1, "rcpt_domain", domainOf(m.To))
	return nil
}

// markFailed records a failed attempt and schedules the next one, or gives
// the mail up after MaxAttempts or a permanent refusal.
func (s *Sender) markFailed(ctx context.Context, m *store.OutboxMail, sendErr error) {
	class, permanent := classOf(sendErr)
	attempts := m.Attempts + 1
	giveUp := permanent || attempts >= s.opt.MaxAttempts
	next := store.MailRetryNever
	if !giveUp {
		next = s.store.Now().Add(backoff(m.Attempts))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	err := s.store.MarkMailFailed(ctx, m.ID, s.opt.Worker, errorText(sendErr), next)
	attrs := []any{"mail_id", m.ID, "attempts", attempts, "error_class", class, "rcpt_domain", domainOf(m.To)}
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.log.Warn("mail failure not recorded: lease passed to another worker", attrs...)
	case err != nil:
		s.log.Error("mail failure not recorded", append(attrs, "err", err)...)
	case giveUp:
		s.log.Error("mail given up", append(attrs, "permanent", permanent, "err", errorText(sendErr))...)
	default:
		s.log.Warn("mail delivery failed, will retry", append(attrs, "next_attempt_at", next, "err", errorText(sendErr))...)
	}
}

// errorText is what is stored and logged about a failure: a SendError's
// text is already free of secrets; other errors are redacted.
func errorText(err error) string {
	var se *SendError
	if errors.As(err, &se) {
		return se.Error()
	}
	return redact(err.Error())
}

// backoff is the wait before the next attempt after attempts earlier
// attempts failed: 30 s * 2^attempts, at most an hour, plus or minus 10 %.
func backoff(attempts int) time.Duration {
	d := backoffMax
	if attempts < 20 {
		d = min(backoffBase<<attempts, backoffMax)
	}
	jitter := time.Duration(mrand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}
