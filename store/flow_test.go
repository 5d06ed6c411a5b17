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
		f := &store.Flow{Kind: "recovery", State: "set_password", Email: "a@example.de", ExpiresAt: now.Add(time.Hour)}
		raw, err := s.CreateFlow(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if string(f.SecretHash) == raw {
			t.Fatal("the raw secret is stored")
		}
		if _, err := s.FlowBySecret(ctx, "register", raw); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("flow of another kind: err = %v, want ErrNotFound", err)
		}
		got, err := s.FlowBySecret(ctx, "recovery", raw)
		if err != nil || got.ID != f.ID || got.State != "set_password" || got.Data != "{}" {
			t.Fatalf("FlowBySecret = %+v, %v", got, err)
		}
		got.Attempts, got.Data = 2, `{"x":1}`
		if err := s.UpdateFlow(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := s.FlowBySecret(ctx, "recovery", raw)
		if again.Attempts != 2 || again.Data != `{"x":1}` {
			t.Errorf("after update = %+v", again)
		}
		now = now.Add(2 * time.Hour)
		if _, err := s.FlowBySecret(ctx, "recovery", raw); !errors.Is(err, store.ErrFlowExpired) {
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
		f := &store.Flow{Kind: "invite", State: "set_password", ExpiresAt: s.Now().Add(time.Hour)}
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
				if s.FinishFlow(ctx, f.ID) == nil {
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
		if _, err := s.FlowBySecret(ctx, "invite", raw); !errors.Is(err, store.ErrNotFound) {
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
