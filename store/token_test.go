package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestTokenLookupAndConsume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		u := newUser(t, s, "jana@example.de")
		other := newUser(t, s, "kai@example.de")
		issue := func(t *testing.T, kind string, user *store.User, email string) string {
			t.Helper()
			var id *uuid.UUID
			if user != nil {
				id = &user.ID
			}
			raw, err := s.IssueToken(ctx, kind, id, email, time.Hour)
			if err != nil {
				t.Fatalf("IssueToken: %v", err)
			}
			return raw
		}
		cases := []struct {
			name        string
			prepare     func(t *testing.T) string // issues tokens, returns the one to test
			kind        string
			wantLookup  error
			wantConsume error
		}{
			{
				name:    "fresh token works once",
				prepare: func(t *testing.T) string { return issue(t, store.TokenRecovery, u, u.Email) },
				kind:    store.TokenRecovery,
			},
			{
				name: "expired token is ErrTokenExpired",
				prepare: func(t *testing.T) string {
					raw := issue(t, store.TokenRecovery, u, u.Email)
					clock.advance(time.Hour)
					return raw
				},
				kind: store.TokenRecovery, wantLookup: store.ErrTokenExpired, wantConsume: store.ErrTokenExpired,
			},
			{
				name: "token of another kind is not found",
				prepare: func(t *testing.T) string {
					return issue(t, store.TokenInvite, u, u.Email)
				},
				kind: store.TokenRecovery, wantLookup: store.ErrNotFound, wantConsume: store.ErrNotFound,
			},
			{
				name:    "unknown token is not found",
				prepare: func(t *testing.T) string { return "no-such-token" },
				kind:    store.TokenRecovery, wantLookup: store.ErrNotFound, wantConsume: store.ErrNotFound,
			},
			{
				name: "a new token for the user voids the older one",
				prepare: func(t *testing.T) string {
					old := issue(t, store.TokenRecovery, u, u.Email)
					issue(t, store.TokenRecovery, u, u.Email)
					return old
				},
				kind: store.TokenRecovery, wantLookup: store.ErrTokenUsed, wantConsume: store.ErrTokenUsed,
			},
			{
				name: "a new token for the address in another case voids the older one",
				prepare: func(t *testing.T) string {
					old := issue(t, store.TokenRegister, nil, "neu@example.de")
					issue(t, store.TokenRegister, nil, "NEU@Example.de")
					return old
				},
				kind: store.TokenRegister, wantLookup: store.ErrTokenUsed, wantConsume: store.ErrTokenUsed,
			},
			{
				name: "a new token of another kind or user keeps the older one",
				prepare: func(t *testing.T) string {
					old := issue(t, store.TokenRecovery, u, u.Email)
					issue(t, store.TokenInvite, u, u.Email)
					issue(t, store.TokenRecovery, other, other.Email)
					issue(t, store.TokenRegister, nil, u.Email)
					return old
				},
				kind: store.TokenRecovery,
			},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				raw := c.prepare(t)
				for range 2 { // looking up twice shows that lookup does not consume
					if _, err := s.LookupToken(ctx, c.kind, raw); !errors.Is(err, c.wantLookup) {
						t.Fatalf("LookupToken = %v, want %v", err, c.wantLookup)
					}
				}
				tok, err := s.ConsumeToken(ctx, c.kind, raw)
				if !errors.Is(err, c.wantConsume) {
					t.Fatalf("ConsumeToken = %v, want %v", err, c.wantConsume)
				}
				if c.wantConsume != nil {
					if tok != nil {
						t.Fatalf("ConsumeToken returned %+v with an error", tok)
					}
					return
				}
				if tok.Kind != c.kind || tok.UsedAt == nil || !tok.UsedAt.Equal(clock.now) || tok.Email == "" {
					t.Fatalf("consumed token = %+v, want kind %s, used now, with e-mail", tok, c.kind)
				}
				if _, err := s.ConsumeToken(ctx, c.kind, raw); !errors.Is(err, store.ErrTokenUsed) {
					t.Fatalf("second ConsumeToken = %v, want ErrTokenUsed", err)
				}
				if _, err := s.LookupToken(ctx, c.kind, raw); !errors.Is(err, store.ErrTokenUsed) {
					t.Fatalf("LookupToken after consume = %v, want ErrTokenUsed", err)
				}
			})
		}
	})
}

func TestConsumeTokenConcurrentlySucceedsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "lena@example.de")
		raw, err := s.IssueToken(ctx, store.TokenRecovery, &u.ID, u.Email, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		const workers = 10
		errs := make([]error, workers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range workers {
			wg.Go(func() {
				<-start
				_, errs[i] = s.ConsumeToken(ctx, store.TokenRecovery, raw)
			})
		}
		close(start)
		wg.Wait()
		ok, used := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrTokenUsed):
				used++
			default:
				t.Errorf("ConsumeToken: %v", err)
			}
		}
		if ok != 1 || used != workers-1 {
			t.Fatalf("%d successes and %d ErrTokenUsed, want 1 and %d", ok, used, workers-1)
		}
	})
}

func TestIssueTokenJoinsTheCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "mia@example.de")
		kept, err := s.IssueToken(ctx, store.TokenInvite, &u.ID, u.Email, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		var rolledBack string
		err = s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			raw, err := tx.IssueToken(ctx, store.TokenInvite, &u.ID, u.Email, time.Hour)
			if err != nil {
				return err
			}
			rolledBack = raw
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("RunInTx = %v, want boom", err)
		}
		if _, err := s.LookupToken(ctx, store.TokenInvite, rolledBack); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token issued in a rolled-back transaction: %v, want ErrNotFound", err)
		}
		if _, err := s.LookupToken(ctx, store.TokenInvite, kept); err != nil {
			t.Errorf("older token after rolled-back reissue: %v, want still valid", err)
		}
	})
}

func TestIssueTokenRejectsBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cases := []struct {
			name  string
			kind  string
			email string
			ttl   time.Duration
		}{
			{"empty kind", "", "a@example.de", time.Hour},
			{"no user and no address", store.TokenRegister, " ", time.Hour},
			{"zero ttl", store.TokenRegister, "a@example.de", 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if raw, err := s.IssueToken(ctx, c.kind, nil, c.email, c.ttl); err == nil || raw != "" {
					t.Fatalf("IssueToken = %q, %v; want an error", raw, err)
				}
			})
		}
	})
}

func TestDeleteExpiredTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		short, err := s.IssueToken(ctx, store.TokenRegister, nil, "a@example.de", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		long, err := s.IssueToken(ctx, store.TokenRegister, nil, "b@example.de", 48*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		clock.advance(2 * time.Hour)
		n, err := s.DeleteExpiredTokens(ctx, clock.now)
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpiredTokens = %d, %v; want 1", n, err)
		}
		if _, err := s.LookupToken(ctx, store.TokenRegister, short); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired token after cleanup: %v, want ErrNotFound", err)
		}
		if _, err := s.LookupToken(ctx, store.TokenRegister, long); err != nil {
			t.Errorf("valid token after cleanup: %v, want kept", err)
		}
	})
}
