package main

import (
	"context"
	"fmt"

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
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "migrations applied")
	return nil
}
