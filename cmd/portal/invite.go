package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/locales"
	"github.com/hwk/kundenportal/store"
)

func runInvite(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "invite", "invite --email ADDRESS [--name NAME] [--lang de|en]\n\n"+
		"Creates the customer's account (or finds it) and sends the invitation e-mail.\n"+
		"Its link lets the customer set a first password; inviting again voids the old link.")
	email := fs.String("email", "", "the customer's e-mail address (required)")
	name := fs.String("name", "", "the customer's name, used in the greeting")
	lang := fs.String("lang", "de", "language of the e-mail: de or en")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *email == "" {
		return usageError("invite: --email is required")
	}
	if *lang != "de" && *lang != "en" {
		return usageError("invite: --lang must be de or en")
	}
	app, err := fs.openApp(ctx)
	if err != nil {
		return err
	}
	defer app.close()
	created, err := app.handler.Invite(ctx, handlers.Invitation{Email: *email, Name: *name, Lang: *lang})
	if err != nil {
		return err
	}
	verb := "invited existing account"
	if created {
		verb = "created and invited"
	}
	fmt.Fprintf(env.Stdout, "%s %s\n", verb, *email)
	return app.deliverNow(ctx, env)
}

// cliApp is what operator commands need: the store and a Handler for the
// flows' logic (mails are rendered the same way as in the portal).
type cliApp struct {
	cfg     Config
	store   *store.Store
	handler *handlers.Handler
}

// openApp opens the database (which must be migrated) and builds the
// handler without serving.
func openApp(ctx context.Context, cfg Config, env Env) (*cliApp, error) {
	s, err := openMigrated(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	catalog, err := locales.Embedded()
	if err != nil {
		s.Close()
		return nil, err
	}
	h, err := handlers.New(handlers.Options{
		BaseURL: cfg.BaseURL, Contact: cfg.Contact, Catalog: catalog, Store: s, SecretKey: cfg.SecretKey,
		Logger: slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	return &cliApp{cfg: cfg, store: s, handler: h}, nil
}

func (a *cliApp) close() { a.store.Close() }

// deliverNow sends queued mail at once when SMTP is configured; otherwise
// the running portal's sender delivers it (or, in --dev, the dev mailbox
// shows it).
func (a *cliApp) deliverNow(ctx context.Context, env Env) error {
	if a.cfg.SMTPURL == "" {
		fmt.Fprintln(env.Stdout, "the e-mail is queued; the running portal sends it (with --dev: see /_dev/mail)")
		return nil
	}
	sender, err := newSender(a.cfg, a.store, slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sent, err := sender.DeliverDue(ctx)
	if err != nil {
		fmt.Fprintf(env.Stdout, "the e-mail is queued; delivery failed for now and is retried by the portal: %v\n", err)
		return nil
	}
	fmt.Fprintf(env.Stdout, "%d e-mail(s) sent\n", sent)
	return nil
}
