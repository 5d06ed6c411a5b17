package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

var loginThrottle = store.Throttle{Free: 5, Window: 15 * time.Minute, Sliding: true,
	Delays: []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute}}

func TestParallelAttemptsPassNoMoreThanTheLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		passed, failed := 0, 0
		for range 40 {
			wg.Go(func() {
				ok, _, err := s.Attempt(t.Context(), loginThrottle, "login.account", "kunde@example.de")
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed++
					t.Errorf("attempt: %v", err)
				}
				if ok {
					passed++
				}
			})
		}
		wg.Wait()
		if passed != 5 {
			t.Errorf("%d of 40 parallel attempts passed, want exactly 5", passed)
		}
	})
}

func TestThrottleDelaysGrowAndReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Now().UTC()
		s.SetClock(func() time.Time { return now })
		try := func(want bool, what string) time.Duration {
			t.Helper()
			ok, wait, err := s.Attempt(ctx, loginThrottle, "s", "k")
			if err != nil || ok != want {
				t.Fatalf("%s: allowed %v (wait %v, err %v), want %v", what, ok, wait, err, want)
			}
			return wait
		}
		for i := range 5 {
			try(true, "free attempt "+string(rune('1'+i)))
		}
		if w := try(false, "sixth at once"); w != 30*time.Second {
			t.Errorf("wait %v, want 30s", w)
		}
		now = now.Add(30 * time.Second)
		try(true, "sixth after 30s")
		if w := try(false, "seventh at once"); w != time.Minute {
			t.Errorf("wait %v, want 1m", w)
		}
		if err := s.Refund(ctx, "s", "k"); err != nil {
			t.Fatal(err)
		}
		if err := s.ClearThrottle(ctx, "s", "k"); err != nil {
			t.Fatal(err)
		}
		try(true, "after clearing")
		now = now.Add(time.Hour)
		if n, err := s.DeleteOldThrottles(ctx); err != nil || n != 1 {
			t.Errorf("DeleteOldThrottles = %d, %v; want 1 counter removed", n, err)
		}
	})
}

func TestRateLimitWindowIsFixed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Now().UTC()
		s.SetClock(func() time.Time { return now })
		p := store.Throttle{Free: 3, Window: 10 * time.Minute}
		for i := range 3 {
			if ok, _, err := s.Attempt(ctx, p, "rl", "ip"); !ok || err != nil {
				t.Fatalf("request %d refused: %v", i+1, err)
			}
			now = now.Add(time.Minute)
		}
		ok, wait, err := s.Attempt(ctx, p, "rl", "ip")
		if ok || err != nil || wait != 7*time.Minute {
			t.Errorf("fourth request: allowed %v, wait %v, err %v; want refused for the 7 minutes left", ok, wait, err)
		}
		now = now.Add(7 * time.Minute)
		if ok, _, err := s.Attempt(ctx, p, "rl", "ip"); !ok || err != nil {
			t.Errorf("after the window: refused (%v)", err)
		}
	})
}
