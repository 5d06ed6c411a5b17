package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/hwk/kundenportal/store"
)

// Audit events of the retention commands.
const (
	eventAccountPurged   = "account.purged"
	eventAccountExempted = "account.exempted"
	eventExemptionEnded  = "account.exemption_ended"
)

func runAccountsPurge(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "accounts purge", "accounts purge --last-login-before DATE [--dry-run] [--batch N]\n\n"+
		"Deletes the accounts whose last login (or creation, if they never logged in) is\n"+
		"before DATE, with everything that belongs to them: sessions, links, flows, second\n"+
		"factors, recovery codes, business links, PIN requests and unsent mails. Exempt\n"+
		"accounts (portal accounts exempt) are kept. Each deletion is audited as\n"+
		"account.purged. --dry-run lists the accounts and changes nothing.")
	before := fs.String("last-login-before", "", "cutoff date, YYYY-MM-DD (midnight UTC) (required)")
	dry := fs.Bool("dry-run", false, "list the accounts that would be deleted; change nothing")
	batch := fs.Int("batch", 100, "accounts deleted per transaction")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *before == "" {
		return usageError("accounts purge: --last-login-before is required")
	}
	cutoff, err := time.Parse("2006-01-02", *before)
	if err != nil {
		return usageError(fmt.Sprintf("accounts purge: --last-login-before %q is not a date like 2019-01-01", *before))
	}
	if *batch < 1 {
		return usageError("accounts purge: --batch must be at least 1")
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if *dry {
		return listPurge(ctx, env, s, cutoff)
	}
	n, err := purge(ctx, s, cutoff, *batch, env)
	fmt.Fprintf(env.Stdout, "%d account(s) deleted\n", n)
	return err
}

func listPurge(ctx context.Context, env Env, s *store.Store, cutoff time.Time) error {
	users, err := s.PurgeCandidates(ctx, cutoff, 0)
	if err != nil {
		return fmt.Errorf("accounts purge: %w", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tCREATED\tLAST LOGIN")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Email, day(&u.CreatedAt), day(u.LastLoginAt))
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "%d account(s) would be deleted (dry run, nothing changed)\n", len(users))
	return nil
}

func day(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format("2006-01-02")
}

// purge deletes the candidates batch by batch, each batch in one
// transaction, until none is left.
func purge(ctx context.Context, s *store.Store, cutoff time.Time, batch int, env Env) (int, error) {
	total := 0
	for {
		var done int
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			users, err := tx.PurgeCandidates(ctx, cutoff, batch)
			if err != nil {
				return err
			}
			for i := range users {
				u := &users[i]
				detail := fmt.Sprintf("by=cli cutoff=%s created=%s last_login=%s", cutoff.Format("2006-01-02"), day(&u.CreatedAt), day(u.LastLoginAt))
				if err := tx.PurgeUser(ctx, u, store.AuditEvent{Event: eventAccountPurged, Detail: detail}); err != nil {
					return err
				}
			}
			done = len(users)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("accounts purge: %w", err)
		}
		total += done
		if done < batch {
			return total, nil
		}
	}
}

func runAccountsExempt(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "accounts exempt", "accounts exempt --email ADDRESS [--remove] | --list\n\n"+
		"Exempts an account (such as a staff account) from accounts purge, ends the\n"+
		"exemption with --remove, or lists the exempt accounts with --list.")
	email := fs.String("email", "", "the account's e-mail address")
	remove := fs.Bool("remove", false, "end the exemption instead")
	list := fs.Bool("list", false, "list the exempt accounts")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *list == (*email != "") {
		return usageError("accounts exempt: give either --email or --list")
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if *list {
		users, err := s.RetentionExemptUsers(ctx)
		if err != nil {
			return fmt.Errorf("accounts exempt: %w", err)
		}
		for _, u := range users {
			fmt.Fprintln(env.Stdout, u.Email)
		}
		fmt.Fprintf(env.Stdout, "%d exempt account(s)\n", len(users))
		return nil
	}
	return setExempt(ctx, env, s, *email, !*remove)
}

func setExempt(ctx context.Context, env Env, s *store.Store, email string, exempt bool) error {
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("accounts exempt: no account with the address %s", email)
	} else if err != nil {
		return fmt.Errorf("accounts exempt: %w", err)
	}
	event, verb := eventAccountExempted, "exempt from the purge"
	if !exempt {
		event, verb = eventExemptionEnded, "no longer exempt from the purge"
	}
	err = s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.SetRetentionExempt(ctx, u.ID, exempt); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: event, UserID: &u.ID, Email: u.Email, Detail: "by=cli"})
	})
	if err != nil {
		return fmt.Errorf("accounts exempt: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s is %s\n", u.Email, verb)
	return nil
}
