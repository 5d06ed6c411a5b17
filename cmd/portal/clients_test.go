package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

var secretLine = regexp.MustCompile(`secret[^:]*: (\S+)`)

func TestClientsCommands(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			url := db.url(t)
			mustRun(t, url, "migrate")
			out := mustRun(t, url, "clients", "add", "--id", "kammer-app", "--name", "Kammer-App",
				"--redirect-uri", "https://app.example.de/cb", "--redirect-uri", "https://app.example.de/cb2",
				"--post-logout-uri", "https://app.example.de/", "--first-party", "--may-ask-businesses")
			m := secretLine.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("clients add printed no secret:\n%s", out)
			}
			s := openStore(t, url)
			ctx := context.Background()
			c, err := s.OIDCClientByID(ctx, "kammer-app")
			if err != nil {
				t.Fatal(err)
			}
			if !c.SecretMatches(m[1]) || bytes.Contains(c.SecretHash, []byte(m[1])) || len(c.RedirectList()) != 2 || !c.FirstParty || !c.MayAskBusinesses {
				t.Errorf("stored client %+v does not match the command (secret must be stored hashed)", c)
			}
			if list := mustRun(t, url, "clients", "list"); !strings.Contains(list, "kammer-app\tKammer-App\tconfidential first-party,may-ask-businesses") {
				t.Errorf("clients list:\n%s", list)
			}
			renewed := secretLine.FindStringSubmatch(mustRun(t, url, "clients", "secret", "--id", "kammer-app"))
			c, _ = s.OIDCClientByID(ctx, "kammer-app")
			if renewed == nil || c.SecretMatches(m[1]) || !c.SecretMatches(renewed[1]) {
				t.Errorf("after clients secret the old secret must fail and the new one work")
			}
			if code, _, _ := portalCmd(t, url, "clients", "add", "--id", "kammer-app", "--name", "X", "--redirect-uri", "https://x.example/"); code != 2 {
				t.Errorf("duplicate id: exit %d, want 2", code)
			}
			if code, _, errOut := portalCmd(t, url, "clients", "add", "--id", "x", "--name", "X", "--redirect-uri", "http://x.example/cb"); code != 2 || !strings.Contains(errOut, "https") {
				t.Errorf("http redirect URI: exit %d (%s), want 2 naming https", code, errOut)
			}
			if out := mustRun(t, url, "clients", "add", "--id", "spa", "--name", "SPA", "--public", "--redirect-uri", "http://localhost:3000/cb"); strings.Contains(out, "secret") {
				t.Errorf("public client got a secret:\n%s", out)
			}
			mustRun(t, url, "clients", "remove", "--id", "kammer-app")
			if code, _, _ := portalCmd(t, url, "clients", "remove", "--id", "kammer-app"); code != 2 {
				t.Errorf("removing a missing client: exit %d, want 2", code)
			}
		})
	}
}

func TestKeysRotateNeedsSecretKey(t *testing.T) {
	url := databases[0].url(t)
	mustRun(t, url, "migrate")
	var stdout, stderr bytes.Buffer
	noKey := Env{Getenv: envOf(map[string]string{"PORTAL_DATABASE_URL": url, "PORTAL_BASE_URL": "https://portal.example.de"}), Stdout: &stdout, Stderr: &stderr}
	if code := exitCode(noKey, run(context.Background(), noKey, []string{"keys", "rotate"})); code != 2 || !strings.Contains(stderr.String(), "PORTAL_SECRET_KEY") {
		t.Errorf("keys rotate without PORTAL_SECRET_KEY: exit %d (%q), want 2 naming the variable", code, stderr.String())
	}
	stderr.Reset()
	env := Env{Getenv: envOf(map[string]string{"PORTAL_DATABASE_URL": url, "PORTAL_BASE_URL": "https://portal.example.de",
		"PORTAL_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}), Stdout: &stdout, Stderr: &stderr}
	for range 2 {
		if err := run(context.Background(), env, []string{"keys", "rotate"}); err != nil {
			t.Fatalf("keys rotate: %v (%s)", err, stderr.String())
		}
	}
	keys, err := openStore(t, url).OIDCKeys(context.Background())
	if err != nil || len(keys) != 2 || keys[0].RetiredAt != nil || keys[1].RetiredAt == nil {
		t.Errorf("after two rotations: %d keys (%v); want the new one active and the old one retired but published", len(keys), err)
	}
}
