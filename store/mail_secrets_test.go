package store_test

import (
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestOneTimeSecretsLeaveTheOutboxWhenTheyExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		clock := setClock(s)
		enqueue := func(until time.Time) *store.OutboxMail {
			t.Helper()
			m := &store.OutboxMail{To: "kunde@example.de", Subject: "S", TextBody: "link ?token=geheim", HTMLBody: "<a>geheim</a>", SecretExpiresAt: until}
			if err := s.EnqueueMail(ctx, m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		unsent := enqueue(clock.now.Add(time.Hour))
		plain := enqueue(time.Time{})
		clock.advance(59 * time.Minute)
		if n, err := s.EraseExpiredSecrets(ctx); err != nil || n != 0 {
			t.Fatalf("before expiry: %d erased, %v", n, err)
		}
		clock.advance(2 * time.Minute)
		if n, err := s.EraseExpiredSecrets(ctx); err != nil || n != 1 {
			t.Fatalf("after expiry: %d erased, %v; want 1", n, err)
		}
		got, err := s.MailByID(ctx, unsent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TextBody != "" || got.HTMLBody != "" || !got.NextAttemptAt.Equal(store.MailRetryNever) {
			t.Errorf("expired unsent mail: body %q/%q, next attempt %v; want erased and given up", got.TextBody, got.HTMLBody, got.NextAttemptAt)
		}
		if p, _ := s.MailByID(ctx, plain.ID); p.TextBody == "" {
			t.Error("a mail without a secret lost its body")
		}
		clock.advance(store.MailRetention)
		if n, err := s.PurgeGivenUpMail(ctx); err != nil || n != 1 {
			t.Errorf("PurgeGivenUpMail = %d, %v; want the given-up mail deleted", n, err)
		}
		if _, err := s.MailByID(ctx, plain.ID); err != nil {
			t.Errorf("a mail still due was purged: %v", err)
		}
	})
}
