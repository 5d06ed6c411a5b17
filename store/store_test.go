package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestMigrateIsRepeatable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		for _, table := range []string{"users", "sessions", "tokens", "mail_outbox", "audit_events", "throttles"} {
			var n int
			if err := s.DB().NewSelect().TableExpr(table).ColumnExpr("count(*)").Scan(context.Background(), &n); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
		var n int
		if err := s.DB().NewSelect().TableExpr("kv").ColumnExpr("count(*)").Scan(context.Background(), &n); err == nil {
			t.Error("table kv (dead since the throttles table) is still there after migrating")
		}
	})
}

func TestRunInTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if _, err := tx.IDB().ExecContext(ctx, "INSERT INTO throttles (scope, k, n, window_end, blocked_until, allowed) VALUES (?, ?, 1, 0, 0, ?)", "test", "a", true); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("RunInTx error = %v, want boom", err)
		}
		var n int
		if err := s.DB().NewSelect().TableExpr("throttles").ColumnExpr("count(*)").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rows after rollback = %d, want 0", n)
		}
	})
}

func TestKindRejectsUnknownScheme(t *testing.T) {
	cases := []struct {
		url, want string
		wantErr   bool
	}{
		{"", "sqlite", false},
		{"portal.db", "sqlite", false},
		{"sqlite:/var/lib/portal.db", "sqlite", false},
		{"postgres://u@h/db", "postgres", false},
		{"postgresql://u@h/db", "postgres", false},
		{"mysql://u@h/db", "", true},
	}
	for _, c := range cases {
		got, err := store.Kind(c.url)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("Kind(%q) = %q, %v; want %q, error %v", c.url, got, err, c.want, c.wantErr)
		}
	}
}
