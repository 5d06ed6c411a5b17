package main

import (
	"context"
	"fmt"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/store"
)

func runMigrate(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "migrate", "migrate\n\nApplies the database migrations to PORTAL_DATABASE_URL.")
	if err := fs.parse(args); err != nil {
		return err
	}
	cfg, err := fs.config()
	if err != nil {
		return err
	}
	s, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := migrateAndReseal(ctx, env, s, cfg.SecretKey); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "migrations applied")
	return nil
}

// migrateAndReseal applies the migrations, then seals every TOTP secret
// still sealed the old way again with the derived key, bound to its row
// (idempotent: once done, a run finds nothing).
func migrateAndReseal(ctx context.Context, env Env, s *store.Store, secretKey []byte) error {
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	res, err := handlers.ResealLegacySecrets(ctx, s, secretKey)
	if err != nil {
		return err
	}
	if res.Resealed > 0 {
		fmt.Fprintf(env.Stdout, "%d TOTP secret(s) sealed again with the derived key\n", res.Resealed)
	}
	if res.Failed > 0 {
		fmt.Fprintf(env.Stderr, "warning: %d TOTP secret(s) do not open with PORTAL_SECRET_KEY and were left as they are\n", res.Failed)
	}
	return nil
}
