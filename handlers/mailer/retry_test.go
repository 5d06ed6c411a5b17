package mailer_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/mailer"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestMailWaitsInTheOutboxWhileTheServerIsDownAndIsDeliveredOnceWhenItComesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := pinClock(s)
		addr := smtptest.FreeAddr(t)
		m := enqueue(t, s, "kunde@example.de", "Passwort zurücksetzen")
		snd := mailer.New(s, newSMTP(t, "smtp://"+addr+"?tls=none"), mailer.Options{Worker: "w1", Logger: quietLogger()})

		if n := deliver(t, snd); n != 0 {
			t.Fatalf("sent %d with the server down", n)
		}
		kept := load(t, s, m)
		if kept.SentAt != nil || kept.Attempts != 1 || kept.LastError == "" || kept.TextBody == "" {
			t.Fatalf("after failure: sent_at %v, attempts %d, last_error %q, body kept %v",
				kept.SentAt, kept.Attempts, kept.LastError, kept.TextBody != "")
		}
		if !kept.NextAttemptAt.After(*now) || kept.LockedBy != "" {
			t.Fatalf("after failure: next attempt %v (now %v), locked by %q", kept.NextAttemptAt, *now, kept.LockedBy)
		}
		if n := deliver(t, snd); n != 0 || load(t, s, m).Attempts != 1 {
			t.Fatal("retried before the backoff passed")
		}

		sink := smtptest.StartAt(t, addr)
		*now = now.Add(2 * time.Minute)
		if n := deliver(t, snd); n != 1 {
			t.Fatalf("sent %d after the server came up, want 1", n)
		}
		for range 3 {
			*now = now.Add(2 * time.Hour)
			if n := deliver(t, snd); n != 0 {
				t.Fatalf("a later pass sent %d more", n)
			}
		}
		if got := sink.Messages(); len(got) != 1 || got[0].Subject != "Passwort zurücksetzen" {
			t.Fatalf("sink has %d mails, want exactly 1", len(got))
		}
		if done := load(t, s, m); done.SentAt == nil || done.Attempts != 2 {
			t.Fatalf("final row: sent_at %v, attempts %d", done.SentAt, done.Attempts)
		}
	})
}

func TestTemporaryRejectionIsRetriedLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := pinClock(s)
		sink := smtptest.Start(t, smtptest.WithTempFailure())
		m := enqueue(t, s, "kunde@example.de", "Ihr Anmeldecode")
		snd := mailer.New(s, newSMTP(t, sink.URL()), mailer.Options{Worker: "w1", Logger: quietLogger()})

		if n := deliver(t, snd); n != 0 {
			t.Fatalf("sent %d while the server answers 451", n)
		}
		failed := load(t, s, m)
		if failed.Attempts != 1 || !strings.Contains(failed.LastError, "451") || failed.NextAttemptAt.Equal(store.MailRetryNever) {
			t.Fatalf("after 451: attempts %d, last_error %q, next %v", failed.Attempts, failed.LastError, failed.NextAttemptAt)
		}
		if strings.Contains(failed.LastError, "kunde@") {
			t.Fatalf("last_error names the recipient: %q", failed.LastError)
		}

		sink.SetTempFailure(false)
		*now = now.Add(2 * time.Minute)
		if n := deliver(t, snd); n != 1 {
			t.Fatalf("retry sent %d, want 1", n)
		}
		if got := sink.Messages(); len(got) != 1 {
			t.Fatalf("sink has %d mails, want 1", len(got))
		}
	})
}

func TestPermanentRecipientRejectionIsGivenUpAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := pinClock(s)
		sink := smtptest.Start(t, smtptest.WithRejectedRecipient("weg@example.de"))
		bad := enqueue(t, s, "weg@example.de", "Einladung")
		good := enqueue(t, s, "da@example.de", "Einladung")
		snd := mailer.New(s, newSMTP(t, sink.URL()), mailer.Options{Worker: "w1", Logger: quietLogger()})

		if n := deliver(t, snd); n != 1 {
			t.Fatalf("sent %d, want only the good one", n)
		}
		gaveUp := load(t, s, bad)
		if gaveUp.SentAt != nil || gaveUp.Attempts != 1 || !gaveUp.NextAttemptAt.Equal(store.MailRetryNever) ||
			!strings.Contains(gaveUp.LastError, "550") {
			t.Fatalf("rejected mail: sent %v, attempts %d, next %v, error %q", gaveUp.SentAt, gaveUp.Attempts, gaveUp.NextAttemptAt, gaveUp.LastError)
		}
		if load(t, s, good).SentAt == nil {
			t.Fatal("the rejection stopped the other mail")
		}
		*now = now.Add(24 * time.Hour)
		if n := deliver(t, snd); n != 0 || load(t, s, bad).Attempts != 1 {
			t.Fatal("a permanently rejected mail was tried again")
		}
	})
}

func TestMailIsGivenUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := pinClock(s)
		var logs bytes.Buffer
		m := enqueue(t, s, "kunde@example.de", "Einladung")
		snd := mailer.New(s, newSMTP(t, "smtp://"+smtptest.FreeAddr(t)+"?tls=none"), mailer.Options{
			Worker: "w1", MaxAttempts: 3, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})

		for range 5 {
			deliver(t, snd)
			*now = now.Add(2 * time.Hour)
		}
		got := load(t, s, m)
		if got.Attempts != 3 || got.SentAt != nil || !got.NextAttemptAt.Equal(store.MailRetryNever) || got.LastError == "" {
			t.Fatalf("after 5 passes: attempts %d, sent %v, next %v, error %q", got.Attempts, got.SentAt, got.NextAttemptAt, got.LastError)
		}
		if !strings.Contains(logs.String(), `"level":"ERROR","msg":"mail given up"`) {
			t.Fatalf("no error log for the given-up mail:\n%s", logs.String())
		}
	})
}

func TestLogsNameNeitherTheRecipientNorTheBodyNorTheLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := pinClock(s)
		var logs bytes.Buffer
		sink := smtptest.Start(t, smtptest.WithTempFailure())
		m := enqueue(t, s, "max.mustermann@example.de", "Passwort zurücksetzen")
		snd := mailer.New(s, newSMTP(t, sink.URL()), mailer.Options{
			Worker: "w1", Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

		deliver(t, snd)
		sink.SetTempFailure(false)
		*now = now.Add(2 * time.Minute)
		deliver(t, snd)

		out := logs.String()
		for _, secret := range []string{"max.mustermann", "token=", "Guten Tag"} {
			if strings.Contains(out, secret) {
				t.Errorf("logs contain %q:\n%s", secret, out)
			}
		}
		for _, want := range []string{m.ID.String(), `"rcpt_domain":"example.de"`, `"error_class":"data"`, `"msg":"mail sent"`} {
			if !strings.Contains(out, want) {
				t.Errorf("logs lack %s:\n%s", want, out)
			}
		}
	})
}

// transportFunc adapts a function to mailer.Transport.
type transportFunc func(ctx context.Context, m mailer.Message) error

func (f transportFunc) Send(ctx context.Context, m mailer.Message) error { return f(ctx, m) }

func TestCancelledPassReleasesItsLeasesWithoutCountingAnAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := enqueue(t, s, "a@example.de", "A")
		b := enqueue(t, s, "b@example.de", "B")
		ctx, cancel := context.WithCancel(context.Background())
		stopping := transportFunc(func(ctx context.Context, _ mailer.Message) error {
			cancel() // the portal shuts down while the first mail is being sent
			return ctx.Err()
		})
		snd := mailer.New(s, stopping, mailer.Options{Worker: "w1", Logger: quietLogger()})
		if _, err := snd.DeliverDue(ctx); err == nil {
			t.Fatal("cancelled pass returned no error")
		}
		for _, m := range []*store.OutboxMail{a, b} {
			if got := load(t, s, m); got.Attempts != 0 || got.LockedBy != "" || got.LastError != "" {
				t.Fatalf("after cancel: attempts %d, locked by %q, error %q", got.Attempts, got.LockedBy, got.LastError)
			}
		}
		other := mailer.New(s, mailer.DevTransport{}, mailer.Options{Worker: "w2", Logger: quietLogger()})
		if n := deliver(t, other); n != 2 {
			t.Fatalf("another worker sent %d at once, want 2", n)
		}
	})
}

func TestSlowDeliveryStopsBeforeTheLeaseRunsOutAndReclaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := pinClock(s)
		var seen []string
		slow := transportFunc(func(_ context.Context, m mailer.Message) error {
			*now = now.Add(40 * time.Second) // more than half the lease
			seen = append(seen, m.Subject)
			return nil
		})
		for _, subj := range []string{"A", "B", "C"} {
			enqueue(t, s, "kunde@example.de", subj)
			*now = now.Add(time.Second)
		}
		snd := mailer.New(s, slow, mailer.Options{Worker: "w1", Lease: time.Minute, Batch: 3, Logger: quietLogger()})
		if n := deliver(t, snd); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		if strings.Join(seen, "") != "ABC" {
			t.Fatalf("delivered %q, want each once in order", seen)
		}
	})
}

func TestServerWideFailureIsRecordedOnTheWholeBatchWithOneConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		pinClock(s)
		var tries int
		down := transportFunc(func(context.Context, mailer.Message) error {
			tries++
			return &mailer.SendError{Class: mailer.ClassConnect}
		})
		mails := []*store.OutboxMail{enqueue(t, s, "a@example.de", "A"), enqueue(t, s, "b@example.de", "B"), enqueue(t, s, "c@example.de", "C")}
		snd := mailer.New(s, down, mailer.Options{Worker: "w1", Logger: quietLogger()})
		if n := deliver(t, snd); n != 0 || tries != 1 {
			t.Fatalf("sent %d with %d connection attempts, want 0 with 1", n, tries)
		}
		for _, m := range mails {
			if got := load(t, s, m); got.Attempts != 1 || got.LastError != "smtp connect" || got.LockedBy != "" {
				t.Fatalf("%s: attempts %d, error %q, locked by %q", m.Subject, got.Attempts, got.LastError, got.LockedBy)
			}
		}
	})
}
