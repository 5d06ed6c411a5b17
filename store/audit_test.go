package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestAuditEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		start := clock.now
		anna, bernd := uuid.New(), uuid.New()
		written := []store.AuditEvent{
			{Event: "login.failed", Email: "anna@example.de", IP: "192.0.2.1"},
			{Event: "login.succeeded", UserID: &anna, Email: "anna@example.de", IP: "192.0.2.1"},
			{Event: "login.succeeded", UserID: &bernd, Email: "bernd@example.de"},
			{Event: "password.changed", UserID: &anna, Detail: `{"via":"recovery"}`},
		}
		for _, e := range written {
			clock.advance(time.Minute)
			if err := s.Audit(ctx, e); err != nil {
				t.Fatalf("Audit(%s): %v", e.Event, err)
			}
		}
		cases := []struct {
			name   string
			filter store.AuditFilter
			want   []int // indexes into written, in the expected order
		}{
			{"no filter lists everything newest first", store.AuditFilter{}, []int{3, 2, 1, 0}},
			{"user filter lists only that user", store.AuditFilter{UserID: &anna}, []int{3, 1}},
			{"since includes the event at that time", store.AuditFilter{Since: start.Add(2 * time.Minute)}, []int{3, 2, 1}},
			{"limit keeps the newest", store.AuditFilter{Limit: 2}, []int{3, 2}},
			{"event filter lists only those events", store.AuditFilter{Events: []string{"login.succeeded", "login.failed"}}, []int{2, 1, 0}},
			{"filters combine", store.AuditFilter{UserID: &anna, Events: []string{"login.succeeded"}}, []int{1}},
			{"unknown user lists nothing", store.AuditFilter{UserID: ptr(uuid.New())}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.AuditEvents(ctx, c.filter)
				if err != nil {
					t.Fatalf("AuditEvents: %v", err)
				}
				if len(got) != len(c.want) {
					t.Fatalf("got %d events, want %d: %+v", len(got), len(c.want), got)
				}
				for i, idx := range c.want {
					w, g := written[idx], got[i]
					wantAt := start.Add(time.Duration(idx+1) * time.Minute)
					if g.Event != w.Event || g.Email != w.Email || g.IP != w.IP || g.Detail != w.Detail ||
						(g.UserID == nil) != (w.UserID == nil) || (g.UserID != nil && *g.UserID != *w.UserID) ||
						!g.At.Equal(wantAt) || g.ID == 0 {
						t.Errorf("event %d = %+v, want %+v at %v with an id", i, g, w, wantAt)
					}
				}
			})
		}
	})
}

func TestAuditRejectsEmptyEventName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if err := s.Audit(context.Background(), store.AuditEvent{Email: "a@example.de"}); err == nil {
			t.Fatal("Audit without event name succeeded, want an error")
		}
	})
}
