package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestChangeEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "alt@example.de")
		other := newUser(t, s, "vergeben@example.de")
		recovery, err := s.IssueToken(ctx, store.TokenRecovery, &u.ID, u.Email, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		change, err := s.IssueToken(ctx, store.TokenEmailChange, &u.ID, "neu@example.de", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		sessToken, err := s.CreateSession(ctx, &store.Session{UserID: &u.ID, ExpiresAt: s.Now().Add(time.Hour)})
		if err != nil {
			t.Fatalf("CreateSession: %v", err)
		}

		if err := s.ChangeEmail(ctx, u.ID, " VERGEBEN@example.de"); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("change to another account's address = %v, want ErrDuplicate", err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.Email != "alt@example.de" {
			t.Fatalf("a refused change changed the address to %q", got.Email)
		}
		if _, err := s.LookupToken(ctx, store.TokenRecovery, recovery); err != nil {
			t.Fatalf("a refused change voided the recovery link: %v", err)
		}

		if err := s.ChangeEmail(ctx, u.ID, "Neu@Example.de"); err != nil {
			t.Fatalf("ChangeEmail: %v", err)
		}
		got, err := s.UserByEmail(ctx, "neu@example.de")
		if err != nil || got.ID != u.ID || got.EmailVerifiedAt == nil {
			t.Fatalf("after the change: %+v, %v; want the account under the new, verified address", got, err)
		}
		if _, err := s.UserByEmail(ctx, "alt@example.de"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the old address still finds an account: %v", err)
		}
		for kind, raw := range map[string]string{store.TokenRecovery: recovery, store.TokenEmailChange: change} {
			if _, err := s.LookupToken(ctx, kind, raw); !errors.Is(err, store.ErrTokenUsed) {
				t.Errorf("%s link after the change: %v, want ErrTokenUsed", kind, err)
			}
		}
		if _, err := s.SessionByToken(ctx, sessToken); err != nil {
			t.Errorf("the session ended with the change: %v", err)
		}
		if err := s.ChangeEmail(ctx, u.ID, "neu@example.de"); err != nil {
			t.Errorf("changing to the own address again: %v", err)
		}
		if got, _ := s.UserByID(ctx, other.ID); got.Email != "vergeben@example.de" {
			t.Errorf("the other account changed to %q", got.Email)
		}
	})
}
