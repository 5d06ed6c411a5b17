package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestFlowLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		f := &store.Flow{Kind: store.FlowPasswordRecovery, Email: "a@example.de", ExpiresAt: now.Add(time.Hour)}
		raw, err := s.CreateFlow(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if string(f.SecretHash) == raw {
			t.Fatal("the raw secret is stored")
		}
		if _, err := s.FlowBySecret(ctx, raw, store.FlowPasswordRegistration, store.FlowPasskeyLogin); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("flow of another kind: err = %v, want ErrNotFound", err)
		}
		got, err := s.FlowBySecret(ctx, raw, store.FlowPasswordInvitation, store.FlowPasswordRecovery)
		if err != nil || got.ID != f.ID || got.State != store.FlowOpen || got.Data != "{}" || !got.Valid(now) {
			t.Fatalf("FlowBySecret = %+v, %v", got, err)
		}
		if n, err := s.FailFlow(ctx, got.ID, 3); err != nil || n != 1 {
			t.Fatalf("FailFlow = %d, %v; want 1", n, err)
		}
		again, _ := s.FlowBySecret(ctx, raw, store.FlowPasswordRecovery)
		if again.Attempts != 1 || again.State != store.FlowOpen {
			t.Errorf("after one wrong try = %+v", again)
		}
		if got.Valid(got.ExpiresAt) {
			t.Error("a flow is valid at its expiry")
		}
		now = now.Add(2 * time.Hour)
		if _, err := s.FlowBySecret(ctx, raw, store.FlowPasswordRecovery); !errors.Is(err, store.ErrFlowExpired) {
			t.Errorf("expired flow: err = %v, want ErrFlowExpired", err)
		}
		if n, err := s.DeleteExpiredFlows(ctx, now); err != nil || n != 1 {
			t.Errorf("DeleteExpiredFlows = %d, %v; want 1", n, err)
		}
	})
}

func TestFinishFlowRunsOnceUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := &store.Flow{Kind: store.FlowPasswordInvitation, ExpiresAt: s.Now().Add(time.Hour)}
		raw, err := s.CreateFlow(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if s.FinishFlow(ctx, f.ID, nil) == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("FinishFlow succeeded %d times, want once", wins)
		}
		if _, err := s.FlowBySecret(ctx, raw, store.FlowPasswordInvitation); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("finished flow: err = %v, want ErrNotFound", err)
		}
	})
}

func TestFailuresCountWithinWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		for i := range 3 {
			now = now.Add(time.Duration(i+1) * time.Minute)
			if err := s.RecordFailure(ctx, "login.account", "u1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordFailure(ctx, "login.account", "u2"); err != nil {
			t.Fatal(err)
		}
		n, last, err := s.Failures(ctx, "login.account", "u1", now.Add(-15*time.Minute))
		if err != nil || n != 3 || !last.Equal(now) {
			t.Errorf("Failures = %d, %v, %v; want 3, %v", n, last, err, now)
		}
		n, _, _ = s.Failures(ctx, "login.account", "u1", now.Add(-2*time.Minute))
		if n != 1 {
			t.Errorf("failures in the last 2 minutes = %d, want 1", n)
		}
		if err := s.ClearFailures(ctx, "login.account", "u1"); err != nil {
			t.Fatal(err)
		}
		n, last, _ = s.Failures(ctx, "login.account", "u1", time.Time{})
		if n != 0 || !last.IsZero() {
			t.Errorf("after clear = %d, %v", n, last)
		}
		if n, _, _ := s.Failures(ctx, "login.account", "u2", time.Time{}); n != 1 {
			t.Errorf("another key was cleared too")
		}
	})
}

// TestFlowKindsMigrationMovesOldRows writes flows as they were before
// flows had typed kinds and states (a set-password flow with its origin in
// JSON, a PIN "issued", a passkey login "begun") and applies migration
// 20261201000008 again: every open flow is open in the new vocabulary and
// a set-password flow's kind is its origin.
func TestFlowKindsMigrationMovesOldRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := s.IDB()
		old := map[string]struct{ kind, state, data string }{
			"r": {"set_password", "set_password", `{"origin":"recovery"}`},
			"i": {"set_password", "set_password", `{"origin":"invite"}`},
			"g": {"set_password", "set_password", `{"origin":"register"}`},
			"p": {"passkey_login", "begun", `{}`},
		}
		ids := map[string]*store.Flow{}
		for name, o := range old {
			f := &store.Flow{Kind: store.FlowKind(o.kind), Data: o.data, ExpiresAt: s.Now().Add(time.Hour)}
			raw, err := s.CreateFlow(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.NewUpdate().Model((*store.Flow)(nil)).Set("state = ?", o.state).Where("id = ?", f.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			ids[name] = &store.Flow{ID: f.ID, Data: raw}
		}
		u := newUser(t, s, "pin@example.de")
		c := newCompany(t, s, "3000009", "Schreinerei")
		pin, err := s.IssuePIN(ctx, c.ID, &u.ID, []byte("pin-hash"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewUpdate().Model((*store.Flow)(nil)).Set("state = 'issued'").Where("id = ?", pin.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewDelete().Table("bun_migrations").Where("name = ?", "20261201000008").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
		want := map[string]store.FlowKind{"r": store.FlowPasswordRecovery, "i": store.FlowPasswordInvitation, "g": store.FlowPasswordRegistration, "p": store.FlowPasskeyLogin}
		for name, kind := range want {
			f, err := s.FlowBySecret(ctx, ids[name].Data, kind)
			if err != nil || f.State != store.FlowOpen || f.Data != "{}" && kind != store.FlowPasskeyLogin {
				t.Errorf("old %s flow after the migration = %+v, %v; want an open flow of kind %s", old[name].kind, f, err, kind)
			}
		}
		latest, err := s.LatestPIN(ctx, c.ID)
		if err != nil || !latest.Valid(s.Now()) {
			t.Errorf("issued PIN after the migration = %+v, %v; want it open", latest, err)
		}
	})
}
