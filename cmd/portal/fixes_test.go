package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpCommandShowsTheUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}} {
		code, out, errOut := portalCmd(t, "unused.db", args...)
		if code != 0 || !strings.Contains(out, "Usage: portal") || !strings.Contains(out, "companies") || errOut != "" {
			t.Errorf("portal %v: exit %d, stdout %q, stderr %q; want the usage on stdout", args, code, out, errOut)
		}
	}
	code, out, _ := portalCmd(t, "unused.db", "help", "audit")
	if code != 0 || !strings.Contains(out, "Usage: portal audit") {
		t.Errorf("portal help audit: exit %d, %q; want the audit command's usage", code, out)
	}
}

func TestUnknownFlagIsReportedOnce(t *testing.T) {
	for _, args := range [][]string{{"invite", "--bogus"}, {"companies", "list", "--bogus"}, {"audit", "--bogus"}} {
		code, out, errOut := portalCmd(t, "unused.db", args...)
		if code != 2 || strings.Count(errOut, "flag provided but not defined") != 1 {
			t.Errorf("portal %v: exit %d, stderr %q; want status 2 and the error once", args, code, errOut)
		}
		if strings.Contains(out, "Usage:") {
			t.Errorf("portal %v printed the whole usage on stdout for a mistake:\n%s", args, out)
		}
	}
}

func TestAccountsImportRejectsMalformedAddresses(t *testing.T) {
	for _, bad := range []string{"@", "a b@@x", "kunde@localhost"} {
		db := filepath.Join(t.TempDir(), "portal.db")
		mustRun(t, db, "migrate")
		file := writeFile(t, "accounts.csv", "email,name\ngut@example.de,Gut\n"+bad+",Schlecht\n")
		code, _, errOut := portalCmd(t, db, "accounts", "import", "--file", file)
		if code == 0 || !strings.Contains(errOut, "not an e-mail address") {
			t.Errorf("import of %q: exit %d, stderr %q; want it rejected", bad, code, errOut)
		}
		s := openStore(t, db)
		if _, err := s.UserByEmail(context.Background(), "gut@example.de"); err == nil {
			t.Errorf("import of %q: the good line was written although the file was rejected", bad)
		}
	}
}
