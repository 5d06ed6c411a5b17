// Package store is the portal's persistence: one *Store over bun, on
// PostgreSQL (production) or an embedded SQLite file (a fresh machine).
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotFound is returned when a row that was asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrDuplicate is returned when an insert violates a unique constraint.
var ErrDuplicate = errors.New("store: duplicate")

// ErrConflict is returned when a row changed since it was read, so a
// compare-and-swap write did not happen.
var ErrConflict = errors.New("store: changed meanwhile")

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the portal's database. Inside RunInTx the callback gets a
// Store bound to the transaction, so every method works in both places.
type Store struct {
	db   bun.IDB
	root *bun.DB
	now  func() time.Time
}

// DefaultSQLite is the database used when PORTAL_DATABASE_URL is empty.
const DefaultSQLite = "portal.db"

// sqlitePragmas make SQLite behave under concurrent writers: WAL, a busy
// timeout, foreign keys and BEGIN IMMEDIATE transactions.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Open connects to the database named by rawURL: "postgres://…" or
// "postgresql://…" for PostgreSQL, "sqlite:PATH", "file:PATH" or a plain path
// for SQLite, and the default SQLite file when rawURL is empty.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	db, err := openDB(rawURL)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return &Store{db: db, root: db, now: func() time.Time { return time.Now().UTC() }}, nil
}

// Kind tells which database a URL names: "postgres" or "sqlite". It is
// an error for a scheme the portal does not know.
func Kind(rawURL string) (string, error) {
	switch {
	case rawURL == "":
		return "sqlite", nil
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return "postgres", nil
	case strings.HasPrefix(rawURL, "sqlite:"), strings.HasPrefix(rawURL, "file:"):
		return "sqlite", nil
	case !strings.Contains(rawURL, "://"):
		return "sqlite", nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("store: unparsable database url")
	}
	return "", fmt.Errorf("store: unknown database scheme %q (use postgres:// or a SQLite file path)", u.Scheme)
}

// postgresConns is the most connections to PostgreSQL an instance opens:
// twice its processors, at least four, all kept open. The portal's
// queries are short; more connections only make the server's processes
// wait for each other's locks. With 20 on two cores during a login flood
// (the server on the same cores), the server spent 16-31 ms of CPU per
// login, with 4 about 9 ms.
func postgresConns() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

func openDB(rawURL string) (*bun.DB, error) {
	kind, err := Kind(rawURL)
	if err != nil {
		return nil, err
	}
	if kind == "postgres" {
		cfg, err := pgx.ParseConfig(rawURL)
		if err != nil {
			return nil, fmt.Errorf("store: parse postgres url: %w", err)
		}
		sqldb := stdlib.OpenDB(*cfg)
		sqldb.SetMaxOpenConns(postgresConns())
		sqldb.SetMaxIdleConns(postgresConns())
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		return bun.NewDB(sqldb, pgdialect.New()), nil
	}
	path := rawURL
	if path == "" {
		path = DefaultSQLite
	}
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite:"), "file:")
	path = strings.TrimPrefix(path, "//")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+sqlitePragmas)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	sqldb.SetMaxOpenConns(4)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.root.Close() }

// DB is the underlying connection pool (tests and the migrator).
func (s *Store) DB() *bun.DB { return s.root }

// IDB is what queries run on: the pool, or the transaction inside RunInTx.
func (s *Store) IDB() bun.IDB { return s.db }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.root.PingContext(ctx) }

// IsPostgres reports whether the store runs on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.root.Dialect().Name() == dialect.PG }

// Now is the store's clock, in UTC. Tests may replace it with SetClock.
func (s *Store) Now() time.Time { return s.now() }

// SetClock replaces the store's clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// RunInTx runs fn in one transaction with a Store bound to it: committed
// when fn returns nil, rolled back otherwise. Called on a Store that is
// already in a transaction, it joins that transaction.
func (s *Store) RunInTx(ctx context.Context, fn func(ctx context.Context, tx *Store) error) error {
	if _, inTx := s.db.(bun.Tx); inTx {
		return fn(ctx, s)
	}
	return s.root.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(ctx, &Store{db: tx, root: s.root, now: s.now})
	})
}

func (s *Store) migrator(ctx context.Context) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationsFS); err != nil {
		return nil, fmt.Errorf("store: discover migrations: %w", err)
	}
	m := migrate.NewMigrator(s.root, ms,
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(map[string]bool{"PG": s.IsPostgres()}))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: init migrations: %w", err)
	}
	return m, nil
}

// PendingMigrations counts the embedded migrations not applied yet.
func (s *Store) PendingMigrations(ctx context.Context) (int, error) {
	m, err := s.migrator(ctx)
	if err != nil {
		return 0, err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migration status: %w", err)
	}
	return len(ms.Unapplied()), nil
}

// Migrate applies every embedded migration that has not run yet.
func (s *Store) Migrate(ctx context.Context) error {
	m, err := s.migrator(ctx)
	if err != nil {
		return err
	}
	if err := m.Lock(ctx); err != nil {
		return fmt.Errorf("store: lock migrations: %w", err)
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// MigrationsFingerprint identifies the migration set compiled into the
// binary (a hex SHA-256 over the files' names and contents), so tests can
// reuse a database migrated by the same set.
func MigrationsFingerprint() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(migrationsFS, "migrations")
	for _, e := range entries {
		b, _ := fs.ReadFile(migrationsFS, "migrations/"+e.Name())
		fmt.Fprintf(h, "%s\n%d\n", e.Name(), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mapErr turns driver errors into the store's sentinels.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrDuplicate, pgErr.ConstraintName)
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) && (liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return ErrDuplicate
	}
	return err
}

// opErr is mapErr's error with the store operation that failed in front
// ("store: user by email: …"); nil stays nil.
func opErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, mapErr(err))
}
