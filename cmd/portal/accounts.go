package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/store"
)

// eventAccountImported is the audit event of an imported legacy account.
const eventAccountImported = "account.imported"

func runAccounts(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(env.Stdout, "Usage: portal accounts SUBCOMMAND [flags]\n\n"+
			"  import   create legacy accounts (no usable password) from a CSV of e-mail,name\n"+
			"  purge    delete accounts whose last login is before a date (--dry-run lists them)\n"+
			"  exempt   exempt staff accounts from the purge, or list the exempt ones\n"+
			"  unblock  forget the failed logins counted against an account\n\n"+
			"Run 'portal accounts SUBCOMMAND --help' for its flags.")
		if len(args) == 0 {
			return usageError("accounts: name a subcommand: import, purge, exempt or unblock")
		}
		return nil
	}
	switch args[0] {
	case "import":
		return runAccountsImport(ctx, env, args[1:])
	case "purge":
		return runAccountsPurge(ctx, env, args[1:])
	case "exempt":
		return runAccountsExempt(ctx, env, args[1:])
	case "unblock":
		return runAccountsUnblock(ctx, env, args[1:])
	}
	return usageError(fmt.Sprintf("accounts: unknown subcommand %q", args[0]))
}

func runAccountsImport(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "accounts import", "accounts import --file FILE\n\n"+
		"Creates accounts from a CSV file with the columns e-mail and name (a header row\n"+
		"starting with \"email\" is skipped). The accounts have no usable password: their\n"+
		"owners are told at login that the rules changed and set a new one by recovery.\n"+
		"Addresses that already have an account are left as they are.")
	file := fs.String("file", "", "CSV file to read (- for standard input)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *file == "" {
		return usageError("accounts import: --file is required")
	}
	cfg, err := fs.config()
	if err != nil {
		return err
	}
	in, err := openInput(*file)
	if err != nil {
		return err
	}
	defer in.Close()
	s, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := prepareDatabase(ctx, s, false); err != nil {
		return err
	}
	created, existing, err := importAccounts(ctx, s, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d account(s); %d address(es) already had an account\n", created, existing)
	return nil
}

func openInput(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("accounts import: %w", err)
	}
	return f, nil
}

// importAccounts creates one legacy account per CSV row, all in one
// transaction: a bad row stops the import and nothing is written.
func importAccounts(ctx context.Context, s *store.Store, in io.Reader) (created, existing int, err error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	err = s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		line := 0
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			line++
			if err != nil {
				return fmt.Errorf("accounts import: line %d: %w", line, err)
			}
			email := strings.TrimSpace(rec[0])
			if line == 1 && strings.EqualFold(email, "email") || email == "" {
				continue
			}
			if !handlers.ValidEmail(email) {
				return usageError(fmt.Sprintf("accounts import: line %d: %q is not an e-mail address", line, email))
			}
			name := ""
			if len(rec) > 1 {
				name = strings.TrimSpace(rec[1])
			}
			// Look first: on PostgreSQL a failed insert would abort the transaction.
			if _, err := tx.UserByEmail(ctx, email); err == nil {
				existing++
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("accounts import: line %d: %w", line, err)
			}
			u := &store.User{Email: email, Name: name, Legacy: true}
			if err := tx.CreateUser(ctx, u); err != nil {
				return fmt.Errorf("accounts import: line %d: %w", line, err)
			}
			if err := tx.Audit(ctx, store.AuditEvent{Event: eventAccountImported, UserID: &u.ID, Email: u.Email, Detail: "by=cli"}); err != nil {
				return err
			}
			created++
		}
	})
	if err != nil {
		return 0, 0, err
	}
	return created, existing, nil
}
