// Package storetest gives each test its own migrated database: a fresh
// PostgreSQL database (created and dropped around the test) or a fresh
// SQLite file. A missing PostgreSQL server fails the test; it never skips.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	ctx := context.Background()
	admin, err := store.Open(ctx, ServerURL())
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at %s is not reachable (make test starts it; PORTAL_TEST_DATABASE_URL overrides): %v", redact(ServerURL()), err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "portal_test_" + hex.EncodeToString(b[:])
	if _, err := admin.DB().ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.DB().ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatalf("storetest: parse server url: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres returns a migrated store on a fresh PostgreSQL database.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, PostgresURL(t))
}

// SQLite returns a migrated store on a fresh SQLite file.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "portal.db"))
}

// Each runs fn as a subtest once on PostgreSQL and once on SQLite.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
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
