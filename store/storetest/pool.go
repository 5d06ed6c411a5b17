package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hwk/kundenportal/store"
)

// pool keeps the migrated databases of finished tests, emptied, for the
// next test of the same process. Emptying a database (a DELETE per table)
// takes a few milliseconds of the server's CPU; a new copy of the template
// took about 0.36 s here, since PostgreSQL copies its system catalogs
// (about 8 MB) into every new database, and nearly every handler test
// needs one.
//
// It is on only while Run runs the tests, so that someone drops the
// databases at the end; without Run each test's database is dropped when
// the test ends.
var pool struct {
	mu    sync.Mutex
	on    bool
	idle  []string // emptied, ready for the next test
	made  []string // every database the pool has made, dropped by Run
	empty string   // the statement that empties a database (emptyStatement)
}

// Run runs the tests of a package that uses Postgres (call it from
// TestMain), lending one test's database to the next, and drops the
// databases when the tests have ended. It returns m.Run's exit code.
func Run(m *testing.M) int {
	pool.mu.Lock()
	pool.on = true
	pool.mu.Unlock()
	code := m.Run()
	pool.mu.Lock()
	made := pool.made
	pool.on, pool.idle, pool.made = false, nil, nil
	pool.mu.Unlock()
	if err := dropAll(made); err != nil {
		fmt.Println("storetest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// pooledStore is Postgres for a test run by Run: a store on an emptied
// database of an earlier test, or on a new copy of the template. When the
// test ends its database is emptied, through the test's own connection
// (a new PostgreSQL connection costs tens of milliseconds of the server's
// CPU), and lent again; if that fails (the test closed its store or ended
// its connections) through a new one, and if that fails too the database
// is dropped.
func pooledStore(t testing.TB, tmpl string) *store.Store {
	t.Helper()
	pool.mu.Lock()
	var name string
	if n := len(pool.idle); n > 0 {
		name, pool.idle = pool.idle[n-1], pool.idle[:n-1]
	}
	pool.mu.Unlock()
	if name == "" {
		name = newName()
		if err := createDatabase(name, tmpl); err != nil {
			t.Fatalf("storetest: create database: %v", err)
		}
		pool.mu.Lock()
		pool.made = append(pool.made, name)
		pool.mu.Unlock()
	}
	u, err := databaseURL(name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() {
		err := empty(ctx, s)
		s.Close()
		if err != nil {
			err = emptyAnew(ctx, u)
		}
		if err != nil {
			t.Logf("storetest: %s not emptied, dropped instead: %v", name, err)
			if err := dropAll([]string{name}); err != nil {
				t.Errorf("storetest: %v", err)
			}
			return
		}
		pool.mu.Lock()
		pool.idle = append(pool.idle, name)
		pool.mu.Unlock()
	})
	return s
}

// emptyAnew empties the database at u through a new connection.
func emptyAnew(ctx context.Context, u string) error {
	s, err := store.Open(ctx, u)
	if err != nil {
		return err
	}
	defer s.Close()
	return empty(ctx, s)
}

// empty deletes every row of a migrated database but the migration
// records, and restarts its sequences: what is left is the same as a new
// copy of the template. It deletes rather than truncates: TRUNCATE gives
// every table new files, about thirty times the work for the few rows a
// test leaves. A test that left a transaction open makes it fail within
// seconds rather than wait.
func empty(ctx context.Context, s *store.Store) error {
	stmt, err := emptyStatement(ctx, s)
	if err != nil {
		return err
	}
	return s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if _, err := tx.IDB().ExecContext(ctx, "SET LOCAL lock_timeout = '5s'"); err != nil {
			return err
		}
		_, err := tx.IDB().ExecContext(ctx, stmt)
		return err
	})
}

// emptyStatement is the block that empties a database: its tables in an
// order that deletes rows before the rows they refer to, then its
// sequences set back to their start. It is read from the first database
// emptied (all have the same migrations).
func emptyStatement(ctx context.Context, s *store.Store) (string, error) {
	pool.mu.Lock()
	stmt := pool.empty
	pool.mu.Unlock()
	if stmt != "" {
		return stmt, nil
	}
	var tables []string
	if err := s.DB().NewRaw(`SELECT format('%I', tablename) FROM pg_tables
		WHERE schemaname = current_schema() AND tablename NOT LIKE 'bun\_migration%'`).
		Scan(ctx, &tables); err != nil {
		return "", fmt.Errorf("list tables: %w", err)
	}
	var refs []struct {
		From string `bun:"from"`
		To   string `bun:"to"`
	}
	if err := s.DB().NewRaw(`SELECT format('%I', c.relname) AS "from", format('%I', p.relname) AS "to"
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		WHERE k.contype = 'f' AND k.conrelid <> k.confrelid`).Scan(ctx, &refs); err != nil {
		return "", fmt.Errorf("list foreign keys: %w", err)
	}
	referrers := map[string][]string{}
	for _, r := range refs {
		referrers[r.To] = append(referrers[r.To], r.From)
	}
	// Depth-first: a table is emptied after every table that refers to it.
	var order []string
	done := map[string]bool{}
	var visit func(string)
	visit = func(t string) {
		if done[t] {
			return
		}
		done[t] = true
		for _, r := range referrers[t] {
			visit(r)
		}
		order = append(order, t)
	}
	for _, t := range tables {
		visit(t)
	}
	var b strings.Builder
	b.WriteString("DO $$ BEGIN\n")
	for _, t := range order {
		fmt.Fprintf(&b, "DELETE FROM %s;\n", t)
	}
	b.WriteString(`PERFORM setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
	FROM pg_sequences WHERE schemaname = current_schema() AND sequencename NOT LIKE 'bun\_migration%';
END $$`)
	stmt = b.String()
	pool.mu.Lock()
	pool.empty = stmt
	pool.mu.Unlock()
	return stmt, nil
}

func newName() string {
	var b [6]byte
	rand.Read(b[:])
	return "portal_test_" + hex.EncodeToString(b[:])
}

// createDatabase creates database name, empty or as a copy of tmpl.
func createDatabase(name, tmpl string) error {
	ctx := context.Background()
	admin, err := store.Open(ctx, ServerURL())
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s is not reachable (make test starts it; PORTAL_TEST_DATABASE_URL overrides): %w", redact(ServerURL()), err)
	}
	defer admin.Close()
	create := "CREATE DATABASE " + name
	if tmpl != "" {
		create += " TEMPLATE " + tmpl
	}
	return execRetrying(ctx, admin, create)
}

// dropAll drops the databases, ending any connection still open to them.
func dropAll(names []string) error {
	if len(names) == 0 {
		return nil
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, ServerURL())
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, name := range names {
		if _, err := admin.DB().ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
	}
	return nil
}
