package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/store"
)

// runAccountsUnblock lifts every wait counted against one account.
func runAccountsUnblock(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "accounts unblock", "accounts unblock --email ADDRESS\n\n"+
		"Forgets the failed logins and second-factor attempts counted against the account,\n"+
		"from every browser, so its owner can log in at once. Audited.")
	email := fs.String("email", "", "the account's e-mail address (required)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *email == "" {
		return usageError("accounts unblock: --email is required")
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.UserByEmail(ctx, *email)
	if errors.Is(err, store.ErrNotFound) {
		return usageError(fmt.Sprintf("accounts unblock: no account for %s", *email))
	}
	if err != nil {
		return fmt.Errorf("accounts unblock: %w", err)
	}
	if err := handlers.UnblockAccount(ctx, s, u); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "unblocked %s\n", u.Email)
	return nil
}
