// Package storetest gives each test its own migrated database: a fresh
// PostgreSQL database (created and dropped around the test) or a fresh
// SQLite file. A missing PostgreSQL server fails the test; it never skips.
//
// PostgreSQL databases are copies of a template migrated once per
// migration set (CREATE DATABASE … TEMPLATE), which is much quicker than
// migrating each one; test processes running at the same time share it.
// Under Run (from TestMain) a finished test's database is emptied and
// given to the next test of the process instead of dropped (see pool).
package storetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/store"
)

// DefaultServer is the PostgreSQL server tests use unless
// PORTAL_TEST_DATABASE_URL names another.
const DefaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL is the maintenance database URL of the test server.
func ServerURL() string {
	if u := os.Getenv("PORTAL_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultServer
}

// PostgresURL creates an empty database on the test server, drops it when
// the test ends, and returns its URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "")
}

// newDatabase creates a database, empty or as a copy of tmpl, and drops it
// when the test ends.
func newDatabase(t testing.TB, tmpl string) string {
	t.Helper()
	name := newName()
	if err := createDatabase(name, tmpl); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := dropAll([]string{name}); err != nil {
			t.Errorf("storetest: %v", err)
		}
	})
	u, err := databaseURL(name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return u
}

// databaseURL is the URL of database name on the test server.
func databaseURL(name string) (string, error) {
	u, err := url.Parse(ServerURL())
	if err != nil {
		return "", fmt.Errorf("parse server url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Postgres returns a migrated store on a fresh PostgreSQL database: a copy
// of the template, or under Run an emptied one of an earlier test.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	tmpl, err := template()
	if err != nil {
		t.Fatalf("storetest: template database: %v", err)
	}
	pool.mu.Lock()
	pooled := pool.on
	pool.mu.Unlock()
	if pooled {
		return pooledStore(t, tmpl)
	}
	return open(t, newDatabase(t, tmpl))
}

// SQLite returns a migrated store on a fresh SQLite file.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "portal.db"))
}

// Each runs fn as a subtest once on PostgreSQL and once on SQLite. The
// test and both subtests run in parallel with other tests: each has its
// own database, so nothing is shared.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Parallel()
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, Postgres(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, SQLite(t)) })
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable url)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return strings.TrimSpace(u.String())
}
