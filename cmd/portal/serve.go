package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/mailer"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/locales"
	"github.com/hwk/kundenportal/store"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--dev]\n\nRuns the portal on PORTAL_ADDR.")
	dev := fs.Bool("dev", false, "local development: SQLite default, dev mailbox at /_dev/mail, locale files re-read from ./locales, migrations at start")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := LoadConfig(env.Getenv, serveMode(*dev))
	if err != nil {
		return err
	}
	log := newLogger(env, cfg.Dev)
	slog.SetDefault(log)

	s, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := prepareDatabase(ctx, s, cfg.Dev); err != nil {
		return err
	}
	// portal migrate re-seals old TOTP secrets; serve does it once more at
	// start (idempotent, a no-op when done) for databases migrated by an
	// older binary and for --dev, which migrates here.
	if res, err := handlers.ResealLegacySecrets(ctx, s, cfg.SecretKey); err != nil {
		return err
	} else if res.Resealed > 0 || res.Failed > 0 {
		log.Info("old TOTP secrets sealed again", "resealed", res.Resealed, "not_opening", res.Failed)
	}
	catalog, err := openCatalog(cfg.Dev)
	if err != nil {
		return err
	}
	sender, err := newSender(cfg, s, log)
	if err != nil {
		return err
	}
	hasher := password.NewHasher(cfg.Argon2, 0)
	limitMemory(env, hasher, log)
	collectLessOften(env)
	h, err := handlers.New(handlers.Options{
		BaseURL: cfg.BaseURL, Dev: cfg.Dev, SessionIdle: cfg.SessionIdle, Contact: cfg.Contact,
		TrustedProxies: cfg.TrustedProxies, Catalog: catalog, Store: s, Logger: log,
		MailNotify: sender.Notify, Hasher: hasher, RecoveryTTL: cfg.RecoveryTTL,
		SecretKey: cfg.SecretKey, Brand: cfg.Brand,
	})
	if err != nil {
		return err
	}
	app := h.App()

	senderDone := make(chan struct{})
	go func() { sender.Run(ctx); close(senderDone) }()
	go h.RunCleanup(ctx)

	serveErr := make(chan error, 1)
	go func() { serveErr <- app.Listen(cfg.Addr) }()
	log.Info("portal listening", "addr", cfg.Addr, "base_url", cfg.BaseURL, "dev", cfg.Dev, "database", dbKind(cfg.DatabaseURL))
	if cfg.Dev {
		fmt.Fprintf(env.Stdout, "Kundenportal: %s  (dev mailbox: %s/_dev/mail)\n", cfg.BaseURL, cfg.BaseURL)
	}
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
		log.Error("shutdown", "err", err)
	}
	<-senderDone
	return nil
}

// prepareDatabase migrates in --dev; otherwise it refuses to serve on a
// database that `portal migrate` has not brought up to date.
func prepareDatabase(ctx context.Context, s *store.Store, dev bool) error {
	if dev {
		return s.Migrate(ctx)
	}
	n, err := s.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return usageError(fmt.Sprintf("the database lacks %d migration(s): run 'portal migrate' first", n))
	}
	return nil
}

// openCatalog follows ./locales on disk in --dev (translators see edits at
// once) and uses the compiled-in catalogs otherwise.
func openCatalog(dev bool) (*locales.Catalog, error) {
	if dev {
		if fi, err := os.Stat("locales"); err == nil && fi.IsDir() {
			return locales.FromDir("locales")
		}
	}
	return locales.Embedded()
}

func newSender(cfg Config, s *store.Store, log *slog.Logger) (*mailer.Sender, error) {
	var transport mailer.Transport = mailer.DevTransport{}
	if cfg.SMTPURL != "" {
		var opts []mailer.SMTPOption
		if cfg.Dev {
			opts = append(opts, mailer.Opportunistic)
		}
		t, err := mailer.NewSMTP(cfg.SMTPURL, cfg.MailFrom, opts...)
		if err != nil {
			return nil, &configError{"PORTAL_SMTP_URL", err.Error()}
		}
		transport = t
	}
	return mailer.New(s, transport, mailer.Options{
		KeepBodies: cfg.Dev, // the dev mailbox shows bodies; elsewhere sent bodies (with links) are erased
		Logger:     log,
	}), nil
}

// baseMemory is what the portal needs besides the password hashes: code,
// catalogs, caches, requests in flight and their garbage.
const baseMemory = 32 << 20

// limitMemory sets a soft memory limit for the Go runtime (unless the
// operator set GOMEMLIMIT): the working memory of the hashes that may run
// at once plus a base. The hasher keeps that memory from hash to hash, so
// a login flood holds no more; the limit makes the collector run before
// the garbage of requests grows past the base (at gcPercent it would let
// the heap grow to five times the hashes' memory).
func limitMemory(env Env, hasher *password.Hasher, log *slog.Logger) {
	if env.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := baseMemory + int64(hasher.Concurrency())*int64(hasher.Params().Memory)*1024
	debug.SetMemoryLimit(limit)
	log.Debug("memory limit", "bytes", limit, "hash_concurrency", hasher.Concurrency())
}

// gcPercent is the garbage collector's target (GOGC) unless the operator
// set GOGC: GET /login leaves about 6 KB of short-lived garbage, and at Go's
// default of 100 the small heap of the portal made the collector run about
// 25 times a second under page load (5 at 400), each time taking a core
// from the requests. The memory limit still bounds the total, and idle
// memory stays under 25 MB.
const gcPercent = 400

// collectLessOften sets gcPercent unless GOGC is set.
func collectLessOften(env Env) {
	if env.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

func newLogger(env Env, dev bool) *slog.Logger {
	if dev {
		return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewJSONHandler(env.Stderr, nil))
}

func dbKind(url string) string {
	k, _ := store.Kind(url)
	return k
}
