// Command portal runs the Kundenportal and its operator commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hwk/kundenportal/store"
)

// command is one subcommand of portal.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, env Env, args []string) error
}

// Env is what a command sees of the outside world.
type Env struct {
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the portal (default); --dev for local development", runServe},
		{"migrate", "apply database migrations", runMigrate},
		{"invite", "create or find an account and send the invitation e-mail", runInvite},
		{"accounts", "accounts import, purge, exempt, unblock: legacy import, retention, exemptions, lifting waits", runAccounts},
		{"companies", "companies add|import|list|pin-requests|pin: the business register and PIN letters", runCompanies},
		{"audit", "print the audit log, newest first (filter by e-mail, time, event)", runAudit},
		{"clients", "clients add|list|remove|secret: services that log in through the portal (OpenID Connect)", runClients},
		{"keys", "keys rotate: add a new OpenID Connect signing key", runKeys},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := Env{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr}
	err := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(exitCode(env, err))
}

// run picks the subcommand ("serve" when none is named) and runs it.
func run(ctx context.Context, env Env, args []string) error {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		printUsage(env.Stdout)
		return nil
	}
	if name == "help" {
		if len(args) == 0 {
			printUsage(env.Stdout)
			return nil
		}
		name, args = args[0], []string{"--help"} // portal help COMMAND: the command's usage
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, args)
		}
	}
	printUsage(env.Stderr)
	return usageError(fmt.Sprintf("unknown command %q", name))
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: portal [command] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nRun 'portal COMMAND --help' for a command's flags. Configuration comes from PORTAL_* variables (see README).")
}

// usageError is a mistake in the command line or configuration: exit 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func exitCode(env Env, err error) int {
	var cfgErr *configError
	var useErr usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &cfgErr):
		fmt.Fprintf(env.Stderr, "portal: configuration: %s\n", cfgErr)
		return 2
	case errors.As(err, &useErr):
		fmt.Fprintf(env.Stderr, "portal: %s\n", useErr)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "portal: %s\n", err)
		return 1
	}
}

// newFlags makes a flag set whose Usage prints the command's usage to
// env.Stdout (parseFlags calls it for --help only).
func newFlags(env Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fs.SetOutput(env.Stdout)
		fmt.Fprintf(env.Stdout, "Usage: portal %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// opCommand is an operator command: its flags (with --dev, see devFlag) and
// what it opens with the configuration of its mode.
type opCommand struct {
	*flag.FlagSet
	env Env
	dev *bool
}

// newCommand makes the flag set of an operator command, --dev included.
func newCommand(env Env, name, synopsis string) *opCommand {
	fs := newFlags(env, name, synopsis)
	return &opCommand{FlagSet: fs, env: env, dev: devFlag(fs)}
}

// parse parses the command's arguments (see parseFlags).
func (c *opCommand) parse(args []string) error { return parseFlags(c.FlagSet, args) }

// config loads the configuration of an operator command, or of --dev.
func (c *opCommand) config() (Config, error) { return LoadConfig(c.env.Getenv, commandMode(*c.dev)) }

// openStore opens the migrated database.
func (c *opCommand) openStore(ctx context.Context) (*store.Store, error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	return openMigrated(ctx, cfg.DatabaseURL)
}

// openMigrated opens the database at url, which must be migrated.
func openMigrated(ctx context.Context, url string) (*store.Store, error) {
	s, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := prepareDatabase(ctx, s, false); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// withStore runs fn on the migrated database.
func (c *opCommand) withStore(ctx context.Context, fn func(s *store.Store) error) error {
	s, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// openApp opens the migrated database with a Handler for the flows' logic.
func (c *opCommand) openApp(ctx context.Context) (*cliApp, error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	return openApp(ctx, cfg, c.env)
}

// parseFlags parses args; --help prints the usage, a bad flag is a usage
// error (exit 2) reported once, by exitCode, with a pointer to --help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return err
		}
		return usageError(fmt.Sprintf("%s (see 'portal %s --help')", err, fs.Name()))
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}
