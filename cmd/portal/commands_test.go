package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// databases are the two kinds of database the operator commands run on:
// the default SQLite file and PostgreSQL.
var databases = []struct {
	name string
	url  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "portal.db") }},
	{"postgres", func(t *testing.T) string { return storetest.PostgresURL(t) }},
}

// portalCmd runs `portal args...` with PORTAL_DATABASE_URL set to db and
// returns the exit code, standard output and standard error.
func portalCmd(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := Env{Getenv: envOf(map[string]string{
		"PORTAL_DATABASE_URL": db,
		"PORTAL_BASE_URL":     "https://portal.example.de",
		"PORTAL_SECRET_KEY":   "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	}), Stdout: &stdout, Stderr: &stderr}
	code := exitCode(env, run(context.Background(), env, args))
	return code, stdout.String(), stderr.String()
}

// mustRun runs a command that must succeed.
func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	code, out, errOut := portalCmd(t, db, args...)
	if code != 0 {
		t.Fatalf("portal %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// openStore opens the database the commands used, to check what they did.
func openStore(t *testing.T, db string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestInviteCommand(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			if out := mustRun(t, db, "migrate"); !strings.Contains(out, "migrations applied") {
				t.Errorf("migrate said %q", out)
			}
			out := mustRun(t, db, "invite", "--email", "kunde@example.de", "--name", "Erika Muster")
			if !strings.Contains(out, "created and invited kunde@example.de") {
				t.Errorf("first invite said %q, want created and invited", out)
			}
			if !strings.Contains(out, "queued") {
				t.Errorf("without SMTP the command must say the mail is queued: %q", out)
			}
			out = mustRun(t, db, "invite", "--email", "Kunde@Example.de", "--lang", "en")
			if !strings.Contains(out, "invited existing account Kunde@Example.de") {
				t.Errorf("second invite said %q, want invited existing account", out)
			}

			s := openStore(t, db)
			ctx := context.Background()
			u, err := s.UserByEmail(ctx, "kunde@example.de")
			if err != nil {
				t.Fatalf("invited account: %v", err)
			}
			if u.Name != "Erika Muster" || u.PasswordHash != "" || u.Legacy {
				t.Errorf("invited account = %+v", u)
			}
			mails, err := s.RecentMail(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(mails) != 2 || mails[0].Subject != "Invitation to the customer portal" || mails[1].Subject != "Einladung zum Kundenportal" {
				t.Fatalf("outbox: %d mail(s), subjects %q; want a German invitation, then an English one", len(mails), subjects(mails))
			}
			if mails[0].TextBody == mails[1].TextBody {
				t.Errorf("the second invitation carries the same link")
			}
			for _, m := range mails {
				if !strings.Contains(m.TextBody, "https://portal.example.de/invite/confirm?token=") {
					t.Errorf("invitation without a link:\n%s", m.TextBody)
				}
			}
			events, err := s.AuditEvents(ctx, store.AuditFilter{Events: []string{"invite.sent"}})
			if err != nil || len(events) != 2 {
				t.Errorf("invite.sent events: %d, %v; want 2", len(events), err)
			}
		})
	}
}

// TestInviteWithDevDefaults: with --dev an operator command takes the
// defaults of portal serve --dev, so links point to the local portal.
func TestInviteWithDevDefaults(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "portal.db")
	var stdout, stderr bytes.Buffer
	env := Env{Getenv: envOf(map[string]string{"PORTAL_DATABASE_URL": db}), Stdout: &stdout, Stderr: &stderr}
	for _, args := range [][]string{{"migrate", "--dev"}, {"invite", "--dev", "--email", "a@example.org"}} {
		if code := exitCode(env, run(context.Background(), env, args)); code != 0 {
			t.Fatalf("portal %v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
		}
	}
	mails, err := openStore(t, db).RecentMail(context.Background(), 1)
	if err != nil || len(mails) != 1 {
		t.Fatalf("outbox: %d mails, %v", len(mails), err)
	}
	if !strings.Contains(mails[0].TextBody, "http://localhost:8080/invite/confirm?token=") {
		t.Errorf("invitation with --dev does not link the local portal:\n%s", mails[0].TextBody)
	}
}

func subjects(ms []store.OutboxMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func TestInviteCommandMistakes(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "portal.db")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"database not migrated", []string{"invite", "--email", "kunde@example.de"}, 2, "portal migrate"},
		{"missing address", []string{"invite"}, 2, "--email is required"},
		{"unknown language", []string{"invite", "--email", "kunde@example.de", "--lang", "fr"}, 2, "--lang"},
	}
	for _, tc := range cases {
		code, out, errOut := portalCmd(t, db, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q (stdout %q); want exit %d mentioning %q", tc.name, code, errOut, out, tc.code, tc.want)
		}
	}
	mustRun(t, db, "migrate")
	if code, _, errOut := portalCmd(t, db, "invite", "--email", "kein-at"); code == 0 || !strings.Contains(errOut, "kein-at") {
		t.Errorf("invalid address: exit %d, stderr %q", code, errOut)
	}
	if n, err := openStore(t, db).PendingMailCount(context.Background()); err != nil || n != 0 {
		t.Errorf("%d mail(s) queued by failed invitations (%v)", n, err)
	}
}

// writeCSV writes content to a file in a temporary directory.
func writeCSV(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "accounts.csv")
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestAccountsImportCreatesLegacyAccounts(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			mustRun(t, db, "invite", "--email", "bestand@example.de")
			file := writeCSV(t, "email,name\nalt@example.de,Alte Kundin\n BESTAND@example.de , Bestand\n")
			out := mustRun(t, db, "accounts", "import", "--file", file)
			if !strings.Contains(out, "imported 1 account(s); 1 address(es) already had an account") {
				t.Errorf("import said %q", out)
			}
			s := openStore(t, db)
			ctx := context.Background()
			u, err := s.UserByEmail(ctx, "alt@example.de")
			if err != nil {
				t.Fatalf("imported account: %v", err)
			}
			if !u.Legacy || u.PasswordHash != "" || u.Name != "Alte Kundin" {
				t.Errorf("imported account = %+v, want a legacy account without password", u)
			}
			if b, err := s.UserByEmail(ctx, "bestand@example.de"); err != nil || b.Legacy || b.Name != "" {
				t.Errorf("the existing account was changed: %+v, %v", b, err)
			}
			events, err := s.AuditEvents(ctx, store.AuditFilter{Events: []string{"account.imported"}})
			if err != nil || len(events) != 1 || events[0].Email != "alt@example.de" {
				t.Errorf("account.imported events = %+v, %v", events, err)
			}
		})
	}
}

func TestAccountsImportWithABadRowImportsNothing(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			file := writeCSV(t, "email,name\ngut@example.de,Gut\nkaputt,Schlecht\nauch-gut@example.de,Auch gut\n")
			code, out, errOut := portalCmd(t, db, "accounts", "import", "--file", file)
			if code == 0 || !strings.Contains(errOut, "line 3") || !strings.Contains(errOut, "kaputt") {
				t.Errorf("bad row: exit %d, stderr %q, stdout %q; want a failure naming line 3", code, errOut, out)
			}
			s := openStore(t, db)
			for _, email := range []string{"gut@example.de", "auch-gut@example.de"} {
				if _, err := s.UserByEmail(context.Background(), email); err == nil {
					t.Errorf("%s was imported although the file has a bad row", email)
				}
			}
			if events, _ := s.AuditEvents(context.Background(), store.AuditFilter{}); len(events) != 0 {
				t.Errorf("audit events written by a failed import: %+v", events)
			}
		})
	}
}
