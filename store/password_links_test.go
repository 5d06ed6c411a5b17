package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestSettingAPasswordVoidsEveryPasswordLinkOfTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := newUser(t, s, "Kunde@Example.de")
		other := newUser(t, s, "andere@example.de")
		issue := func(kind string, owner *store.User, email string) string {
			t.Helper()
			var id *uuid.UUID
			if owner != nil {
				id = &owner.ID
			}
			raw, err := s.IssueToken(ctx, kind, id, email, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}
		invite := issue(store.TokenInvite, u, u.Email)
		recovery := issue(store.TokenRecovery, u, u.Email)
		register := issue(store.TokenRegister, nil, "kunde@example.de")
		foreign := issue(store.TokenRecovery, other, other.Email)
		if err := s.SetPassword(ctx, u.ID, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"); err != nil {
			t.Fatal(err)
		}
		for kind, raw := range map[string]string{store.TokenInvite: invite, store.TokenRecovery: recovery, store.TokenRegister: register} {
			if _, err := s.LookupToken(ctx, kind, raw); !errors.Is(err, store.ErrTokenUsed) {
				t.Errorf("%s link after a new password: %v, want ErrTokenUsed", kind, err)
			}
		}
		if _, err := s.LookupToken(ctx, store.TokenRecovery, foreign); err != nil {
			t.Errorf("another account's link was voided: %v", err)
		}
	})
}
