package storetest_test

import (
	"os"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Run(m)) }

// TestLentDatabaseIsLikeANewCopy runs two tests one after the other: the
// second gets the first one's database (the pool lends the last one
// returned), and finds it as a new copy of the template would be: no row in
// any table, sequences at their start, the migrations recorded.
func TestLentDatabaseIsLikeANewCopy(t *testing.T) {
	var first string
	t.Run("writes", func(t *testing.T) {
		s := storetest.Postgres(t)
		first = currentDatabase(t, s)
		ctx := t.Context()
		u := &store.User{Email: "kunde@example.de"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatalf("create user: %v", err)
		}
		for range 3 {
			if err := s.Audit(ctx, store.AuditEvent{At: time.Now(), Event: "login.ok", UserID: &u.ID, Email: u.Email}); err != nil {
				t.Fatalf("audit: %v", err)
			}
		}
	})
	t.Run("finds it empty", func(t *testing.T) {
		s := storetest.Postgres(t)
		if got := currentDatabase(t, s); got != first {
			t.Fatalf("got database %s, want the first test's %s again", got, first)
		}
		ctx := t.Context()
		var tables []string
		if err := s.DB().NewRaw(`SELECT format('%I', tablename) FROM pg_tables WHERE schemaname = current_schema()`).Scan(ctx, &tables); err != nil {
			t.Fatal(err)
		}
		if len(tables) < 10 {
			t.Fatalf("only %d tables: %v", len(tables), tables)
		}
		for _, table := range tables {
			var n int
			if err := s.DB().NewRaw("SELECT count(*) FROM "+table).Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			switch migrations := table == "bun_migrations"; {
			case migrations && n == 0:
				t.Errorf("bun_migrations is empty: the migrations' records were deleted")
			case !migrations && table != "bun_migration_locks" && n != 0:
				t.Errorf("%s has %d rows, want none", table, n)
			}
		}
		if err := s.Audit(ctx, store.AuditEvent{At: time.Now(), Event: "login.ok", Email: "x@example.de"}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := s.DB().NewRaw("SELECT max(id) FROM audit_events").Scan(ctx, &id); err != nil {
			t.Fatal(err)
		}
		if id != 1 {
			t.Errorf("the first audit event has id %d, want 1 (sequence not restarted)", id)
		}
	})
}

func currentDatabase(t *testing.T, s *store.Store) string {
	t.Helper()
	var name string
	if err := s.DB().NewRaw("SELECT current_database()").Scan(t.Context(), &name); err != nil {
		t.Fatal(err)
	}
	return name
}
