package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// mailClock pins the store's clock; tests move it by assigning *now.
func mailClock(s *store.Store) *time.Time {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	return &now
}

func enqueueTestMail(t *testing.T, s *store.Store, to string) *store.OutboxMail {
	t.Helper()
	m := &store.OutboxMail{To: to, Subject: "Passwort zurücksetzen",
		TextBody: "Link: https://portal.example/r?token=secret", HTMLBody: "<p>secret</p>"}
	if err := s.EnqueueMail(context.Background(), m); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return m
}

func claim(t *testing.T, s *store.Store, worker string, limit int) []store.OutboxMail {
	t.Helper()
	got, err := s.ClaimMail(context.Background(), worker, time.Minute, limit)
	if err != nil {
		t.Fatalf("claim by %s: %v", worker, err)
	}
	return got
}

func TestEnqueueMailIsPartOfTheCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := tx.EnqueueMail(ctx, &store.OutboxMail{To: "a@example.de", Subject: "x"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("RunInTx = %v, want boom", err)
		}
		if n, _ := s.PendingMailCount(ctx); n != 0 {
			t.Fatalf("pending after rollback = %d, want 0", n)
		}
		err = s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			return tx.EnqueueMail(ctx, &store.OutboxMail{To: "a@example.de", Subject: "x"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := s.PendingMailCount(ctx); n != 1 {
			t.Fatalf("pending after commit = %d, want 1", n)
		}
	})
}

func TestEnqueueMailRefusesEmptyRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if err := s.EnqueueMail(context.Background(), &store.OutboxMail{Subject: "x"}); err == nil {
			t.Fatal("enqueue without recipient succeeded")
		}
	})
}

func TestClaimMailLeasesSoASecondClaimGetsNothingUntilTheLeaseExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := mailClock(s)
		m := enqueueTestMail(t, s, "kunde@example.de")

		first := claim(t, s, "w1", 10)
		if len(first) != 1 || first[0].ID != m.ID {
			t.Fatalf("first claim = %+v, want the mail", first)
		}
		if first[0].LockedBy != "w1" || first[0].LockedUntil == nil || !first[0].LockedUntil.Equal(now.Add(time.Minute)) {
			t.Fatalf("lease = %q until %v, want w1 until %v", first[0].LockedBy, first[0].LockedUntil, now.Add(time.Minute))
		}
		if first[0].TextBody == "" || first[0].Subject != "Passwort zurücksetzen" {
			t.Fatalf("claimed mail lost its content: %+v", first[0])
		}
		if got := claim(t, s, "w2", 10); len(got) != 0 {
			t.Fatalf("second claim during lease = %d mails, want 0", len(got))
		}
		*now = now.Add(59 * time.Second)
		if got := claim(t, s, "w2", 10); len(got) != 0 {
			t.Fatalf("claim just before lease end = %d mails, want 0", len(got))
		}
		*now = now.Add(2 * time.Second)
		got := claim(t, s, "w2", 10)
		if len(got) != 1 || got[0].LockedBy != "w2" {
			t.Fatalf("claim after lease expiry = %+v, want the mail leased to w2", got)
		}
	})
}

func TestClaimMailHonoursLimitAndOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := mailClock(s)
		var ids []uuid.UUID
		for range 3 {
			ids = append(ids, enqueueTestMail(t, s, "a@example.de").ID)
			*now = now.Add(time.Second)
		}
		got := claim(t, s, "w1", 2)
		if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
			t.Fatalf("claim(limit 2) = %v, want the two oldest", got)
		}
		rest := claim(t, s, "w2", 2)
		if len(rest) != 1 || rest[0].ID != ids[2] {
			t.Fatalf("second claim = %v, want the third mail", rest)
		}
	})
}

func TestClaimMailSkipsMailsNotDueYet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := mailClock(s)
		m := &store.OutboxMail{To: "a@example.de", Subject: "x", NextAttemptAt: now.Add(time.Hour)}
		if err := s.EnqueueMail(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if got := claim(t, s, "w1", 10); len(got) != 0 {
			t.Fatalf("claimed %d mails not due yet", len(got))
		}
		*now = now.Add(time.Hour)
		if got := claim(t, s, "w1", 10); len(got) != 1 {
			t.Fatalf("claimed %d mails once due, want 1", len(got))
		}
	})
}

func TestMarkMailSentIsConditionalOnTheWorkerAndBlanksBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mailClock(s)
		m := enqueueTestMail(t, s, "kunde@example.de")
		claim(t, s, "w1", 10)

		if ok, err := s.MarkMailSent(ctx, m.ID, "w2", false); err != nil || ok {
			t.Fatalf("mark sent by a worker without the lease = %v, %v; want false", ok, err)
		}
		if ok, err := s.MarkMailSent(ctx, m.ID, "w1", false); err != nil || !ok {
			t.Fatalf("mark sent by the lease holder = %v, %v; want true", ok, err)
		}
		if ok, err := s.MarkMailSent(ctx, m.ID, "w1", false); err != nil || ok {
			t.Fatalf("second mark sent = %v, %v; want false", ok, err)
		}
		got, err := s.MailByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SentAt == nil || got.TextBody != "" || got.HTMLBody != "" {
			t.Fatalf("sent mail = sent_at %v, text %q, html %q; want sent and bodies blank", got.SentAt, got.TextBody, got.HTMLBody)
		}
		if got.Subject != m.Subject || got.To != m.To || got.Attempts != 1 {
			t.Fatalf("sent mail lost its envelope: %+v", got)
		}
		if n, _ := s.PendingMailCount(ctx); n != 0 {
			t.Fatalf("pending = %d after sending, want 0", n)
		}
		if again := claim(t, s, "w2", 10); len(again) != 0 {
			t.Fatalf("a sent mail was claimed again")
		}
	})
}

func TestMarkMailSentKeepsBodiesForTheDevMailbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := enqueueTestMail(t, s, "kunde@example.de")
		claim(t, s, "dev", 10)
		if ok, err := s.MarkMailSent(ctx, m.ID, "dev", true); err != nil || !ok {
			t.Fatalf("mark sent = %v, %v", ok, err)
		}
		got, err := s.MailByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TextBody != m.TextBody || got.HTMLBody != m.HTMLBody {
			t.Fatalf("bodies = %q / %q, want kept", got.TextBody, got.HTMLBody)
		}
	})
}

func TestMarkMailFailedFreesTheLeaseAndSchedulesTheRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := mailClock(s)
		m := enqueueTestMail(t, s, "kunde@example.de")
		claim(t, s, "w1", 10)
		next := now.Add(30 * time.Second)

		if err := s.MarkMailFailed(ctx, m.ID, "w2", "x", next); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("mark failed without the lease = %v, want ErrNotFound", err)
		}
		if err := s.MarkMailFailed(ctx, m.ID, "w1", strings.Repeat("ä", 1000), next); err != nil {
			t.Fatal(err)
		}
		got, err := s.MailByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Attempts != 1 || got.LockedBy != "" || got.LockedUntil != nil || !got.NextAttemptAt.Equal(next) {
			t.Fatalf("failed mail = attempts %d, locked %q/%v, next %v", got.Attempts, got.LockedBy, got.LockedUntil, got.NextAttemptAt)
		}
		if n := len([]rune(got.LastError)); n == 0 || n > 300 {
			t.Fatalf("last_error has %d runes, want 1..300", n)
		}
		if got.TextBody == "" {
			t.Fatal("failed mail lost its body")
		}
		if again := claim(t, s, "w2", 10); len(again) != 0 {
			t.Fatal("mail claimed before its retry time")
		}
		*now = next
		if again := claim(t, s, "w2", 10); len(again) != 1 {
			t.Fatal("mail not claimed at its retry time")
		}
	})
}

func TestRecentMailIsNewestFirstAndMailByIDFindsOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := mailClock(s)
		a := enqueueTestMail(t, s, "a@example.de")
		*now = now.Add(time.Second)
		b := enqueueTestMail(t, s, "b@example.de")

		got, err := s.RecentMail(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != b.ID || got[1].ID != a.ID {
			t.Fatalf("recent = %v, want b then a", got)
		}
		if one, _ := s.RecentMail(ctx, 1); len(one) != 1 {
			t.Fatalf("recent(1) = %d mails", len(one))
		}
		m, err := s.MailByID(ctx, a.ID)
		if err != nil || m.To != "a@example.de" || !m.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("mail by id = %+v, %v", m, err)
		}
		if _, err := s.MailByID(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown id = %v, want ErrNotFound", err)
		}
	})
}

func TestReleaseMailFreesTheLeaseWithoutCountingAnAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mailClock(s)
		a := enqueueTestMail(t, s, "a@example.de")
		b := enqueueTestMail(t, s, "b@example.de")
		claim(t, s, "w1", 10)

		if err := s.ReleaseMail(ctx, "w2", a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if got := claim(t, s, "w2", 10); len(got) != 0 {
			t.Fatal("a worker without the lease released it")
		}
		if err := s.ReleaseMail(ctx, "w1", a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		got := claim(t, s, "w2", 10)
		if len(got) != 2 || got[0].Attempts != 0 || got[1].Attempts != 0 {
			t.Fatalf("after release: claimed %+v, want both with 0 attempts", got)
		}
		if err := s.ReleaseMail(ctx, "w2"); err != nil {
			t.Fatalf("release of nothing: %v", err)
		}
	})
}
