package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
)

// Audit events of the client commands.
const (
	eventClientAdded   = "openid.client.added"
	eventClientRemoved = "openid.client.removed"
	eventClientSecret  = "openid.client.secret"
)

// listFlag collects a flag given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runClients(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usageError("clients: name a subcommand: add, list, remove or secret")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "add":
		return clientsAdd(ctx, env, args)
	case "list":
		return clientsList(ctx, env, args)
	case "remove":
		return clientsRemove(ctx, env, args)
	case "secret":
		return clientsSecret(ctx, env, args)
	}
	return usageError(fmt.Sprintf("clients: unknown subcommand %q (add, list, remove, secret)", sub))
}

func clientsAdd(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "clients add", "clients add --id ID --name NAME --redirect-uri URI [--redirect-uri URI…]\n"+
		"    [--post-logout-uri URI…] [--public] [--first-party] [--may-ask-businesses] [--scopes \"openid email …\"]\n\n"+
		"Registers a service that logs its users in through the portal (OpenID Connect).\n"+
		"A confidential client's secret is printed once; only its hash is stored.")
	var redirects, logouts listFlag
	id := fs.String("id", "", "client id (required)")
	name := fs.String("name", "", "the service's name, shown to customers (required)")
	fs.Var(&redirects, "redirect-uri", "an exact redirect URI (at least one; repeat for more)")
	fs.Var(&logouts, "post-logout-uri", "an exact URI to return to after logout (repeatable)")
	public := fs.Bool("public", false, "public client (no secret; PKCE required), e.g. a single-page app")
	firstParty := fs.Bool("first-party", false, "a service of the chamber itself: no consent page")
	businesses := fs.Bool("may-ask-businesses", false, "the service may ask for the scope businesses")
	scopes := fs.String("scopes", "", "space-separated scopes the service may ask for (default: all)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *id == "" || *name == "" || len(redirects) == 0 {
		return usageError("clients add: --id, --name and --redirect-uri are required")
	}
	for _, u := range append(append([]string{}, redirects...), logouts...) {
		if err := checkClientURI(u); err != nil {
			return usageError("clients add: " + err.Error())
		}
	}
	c := &store.OIDCClient{ID: *id, Name: *name, Public: *public, FirstParty: *firstParty, MayAskBusinesses: *businesses,
		RedirectURIs: strings.Join(redirects, " "), PostLogoutURIs: strings.Join(logouts, " "),
		Scopes: strings.Join(strings.Fields(*scopes), " ")}
	return fs.withStore(ctx, func(s *store.Store) error {
		var secret string
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			var err error
			if secret, err = tx.CreateOIDCClient(ctx, c); err != nil {
				return err
			}
			return tx.Audit(ctx, store.AuditEvent{Event: eventClientAdded, Detail: "client=" + c.ID})
		})
		if errors.Is(err, store.ErrDuplicate) {
			return usageError(fmt.Sprintf("clients add: a client with id %q exists", c.ID))
		}
		if err != nil {
			return fmt.Errorf("clients add: %w", err)
		}
		fmt.Fprintf(env.Stdout, "client %s registered\n", c.ID)
		if secret != "" {
			fmt.Fprintf(env.Stdout, "client secret (shown only now): %s\n", secret)
		}
		return nil
	})
}

// checkClientURI accepts absolute https URIs without fragment; http only
// for localhost (development of a service).
func checkClientURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URI without fragment", raw)
	}
	host := u.Hostname()
	if u.Scheme != "https" && !(u.Scheme == "http" && (host == "localhost" || host == "127.0.0.1" || host == "::1")) {
		return fmt.Errorf("%q must use https (http only for localhost)", raw)
	}
	return nil
}

func clientsList(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "clients list", "clients list\n\nLists the registered services.")
	if err := fs.parse(args); err != nil {
		return err
	}
	return fs.withStore(ctx, func(s *store.Store) error {
		cs, err := s.OIDCClients(ctx)
		if err != nil {
			return fmt.Errorf("clients list: %w", err)
		}
		for _, c := range cs {
			kind := "confidential"
			if c.Public {
				kind = "public"
			}
			var flags []string
			if c.FirstParty {
				flags = append(flags, "first-party")
			}
			if c.MayAskBusinesses {
				flags = append(flags, "may-ask-businesses")
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s %s\tredirect: %s\tpost-logout: %s\tscopes: %s\n",
				c.ID, c.Name, kind, strings.Join(flags, ","), c.RedirectURIs, c.PostLogoutURIs, orAll(c.Scopes))
		}
		return nil
	})
}

func orAll(s string) string {
	if s == "" {
		return "(all)"
	}
	return s
}

func clientsRemove(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "clients remove", "clients remove --id ID\n\nRemoves a service with its tokens and consents.")
	id := fs.String("id", "", "client id (required)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *id == "" {
		return usageError("clients remove: --id is required")
	}
	return fs.withStore(ctx, func(s *store.Store) error {
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := tx.DeleteOIDCClient(ctx, *id); err != nil {
				return err
			}
			return tx.Audit(ctx, store.AuditEvent{Event: eventClientRemoved, Detail: "client=" + *id})
		})
		if errors.Is(err, store.ErrNotFound) {
			return usageError(fmt.Sprintf("clients remove: no client %q", *id))
		}
		if err != nil {
			return fmt.Errorf("clients remove: %w", err)
		}
		fmt.Fprintf(env.Stdout, "client %s removed\n", *id)
		return nil
	})
}

func clientsSecret(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "clients secret", "clients secret --id ID\n\nGives a confidential client a new secret; the old one stops working.")
	id := fs.String("id", "", "client id (required)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *id == "" {
		return usageError("clients secret: --id is required")
	}
	return fs.withStore(ctx, func(s *store.Store) error {
		var secret string
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			var err error
			if secret, err = tx.RenewOIDCClientSecret(ctx, *id); err != nil {
				return err
			}
			return tx.Audit(ctx, store.AuditEvent{Event: eventClientSecret, Detail: "client=" + *id})
		})
		if errors.Is(err, store.ErrNotFound) {
			return usageError(fmt.Sprintf("clients secret: no confidential client %q", *id))
		}
		if err != nil {
			return fmt.Errorf("clients secret: %w", err)
		}
		fmt.Fprintf(env.Stdout, "new client secret for %s (shown only now): %s\n", *id, secret)
		return nil
	})
}

func runKeys(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usageError("keys: the subcommand is rotate")
	}
	fs := newCommand(env, "keys rotate", "keys rotate\n\nAdds a new OpenID Connect signing key. The old one stays in the key set\n"+
		"until the tokens it signed have expired. Needs PORTAL_SECRET_KEY, as the portal has it.")
	if err := fs.parse(args[1:]); err != nil {
		return err
	}
	cfg, err := fs.config()
	if err != nil {
		return err
	}
	return fs.withStore(ctx, func(s *store.Store) error {
		if err := provider.RotateKey(ctx, s, cfg.SecretKey); err != nil {
			return fmt.Errorf("keys rotate: %w", err)
		}
		fmt.Fprintf(env.Stdout, "new signing key added; the previous one stays published for %s\n", provider.KeyOverlap)
		return nil
	})
}
