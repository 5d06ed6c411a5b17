package main

import (
	"bytes"
	"context"
	"net/mail"
	"strings"
	"testing"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestBadConfigurationStopsWithOneLineAndStatus2(t *testing.T) {
	prod := map[string]string{
		"PORTAL_BASE_URL":   "https://portal.example.de",
		"PORTAL_SMTP_URL":   "smtp://u:p@mail.example.de:587",
		"PORTAL_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range prod {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		variable string
	}{
		{"unparsable idle duration", []string{"serve"}, with("PORTAL_SESSION_IDLE", "ten minutes"), "PORTAL_SESSION_IDLE"},
		{"unknown database scheme", []string{"serve"}, with("PORTAL_DATABASE_URL", "mysql://u@h/db"), "PORTAL_DATABASE_URL"},
		{"missing smtp outside dev", []string{"serve"}, with("PORTAL_SMTP_URL", ""), "PORTAL_SMTP_URL"},
		{"missing secret key outside dev", []string{"serve"}, with("PORTAL_SECRET_KEY", ""), "PORTAL_SECRET_KEY"},
		{"short secret key", []string{"serve"}, with("PORTAL_SECRET_KEY", "c2hvcnQ="), "PORTAL_SECRET_KEY"},
		{"ip address as base url", []string{"serve", "--dev"}, map[string]string{"PORTAL_BASE_URL": "http://127.0.0.1:8080"}, "PORTAL_BASE_URL"},
		{"http base url outside dev", []string{"serve"}, with("PORTAL_BASE_URL", "http://portal.example.de"), "PORTAL_BASE_URL"},
		{"smtp url with wrong scheme", []string{"serve"}, with("PORTAL_SMTP_URL", "http://mail.example.de"), "PORTAL_SMTP_URL"},
		{"bad sender address", []string{"serve"}, with("PORTAL_MAIL_FROM", "not an address"), "PORTAL_MAIL_FROM"},
		{"missing base url outside dev", []string{"serve"}, with("PORTAL_BASE_URL", ""), "PORTAL_BASE_URL"},
		{"invite without base url", []string{"invite", "--email", "a@example.org"}, with("PORTAL_BASE_URL", ""), "PORTAL_BASE_URL"},
		{"invite without secret key", []string{"invite", "--email", "a@example.org"}, with("PORTAL_SECRET_KEY", ""), "PORTAL_SECRET_KEY"},
		{"accounts import without base url", []string{"accounts", "import", "--file", "-"}, with("PORTAL_BASE_URL", ""), "PORTAL_BASE_URL"},
		{"migrate without base url", []string{"migrate"}, with("PORTAL_BASE_URL", ""), "PORTAL_BASE_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := Env{Getenv: envOf(c.env), Stdout: &stdout, Stderr: &stderr}
			code := exitCode(env, run(context.Background(), env, c.args))
			if code != 2 {
				t.Fatalf("exit code = %d, want 2 (stderr %q)", code, stderr.String())
			}
			out := strings.TrimRight(stderr.String(), "\n")
			if strings.Count(out, "\n") != 0 || !strings.Contains(out, c.variable) {
				t.Errorf("stderr = %q, want one line naming %s", out, c.variable)
			}
			if strings.Contains(out, "u:p@") || strings.Contains(out, prod["PORTAL_SECRET_KEY"]) {
				t.Errorf("stderr leaks a secret: %q", out)
			}
		})
	}
}

func TestValidProductionConfiguration(t *testing.T) {
	cfg, err := LoadConfig(envOf(map[string]string{
		"PORTAL_BASE_URL":     "https://portal.example.de",
		"PORTAL_SMTP_URL":     "smtps://u:p@mail.example.de",
		"PORTAL_SECRET_KEY":   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"PORTAL_SESSION_IDLE": "15m",
	}), ModeServe)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.SessionIdle.Minutes() != 15 || len(cfg.SecretKey) != 32 {
		t.Errorf("config = %+v", cfg)
	}
	if cfg.MailFrom != `"Handwerkskammer für Unterfranken" <noreply@portal.example.de>` {
		t.Errorf("default sender = %q", cfg.MailFrom)
	}
}

func TestSenderNamesTheOrganisation(t *testing.T) {
	prod := map[string]string{
		"PORTAL_BASE_URL": "https://portal.example.de", "PORTAL_SMTP_URL": "smtps://u:p@mail.example.de",
		"PORTAL_SECRET_KEY": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	}
	for _, c := range []struct{ name, from, org, want string }{
		{"bare address gets the organisation's name", "kundenportal@hwk-ufr.de", "", `"Handwerkskammer für Unterfranken" <kundenportal@hwk-ufr.de>`},
		{"another organisation", "", "Handwerkskammer Musterstadt, Abt. \"IT\"", `"Handwerkskammer Musterstadt, Abt. \"IT\"" <noreply@portal.example.de>`},
		{"a name of its own stays", "Kundenportal <noreply@hwk-ufr.de>", "", "Kundenportal <noreply@hwk-ufr.de>"},
	} {
		env := map[string]string{"PORTAL_MAIL_FROM": c.from, "PORTAL_ORG_NAME": c.org}
		for k, v := range prod {
			env[k] = v
		}
		cfg, err := LoadConfig(envOf(env), ModeServe)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cfg.MailFrom != c.want {
			t.Errorf("%s: sender = %q, want %q", c.name, cfg.MailFrom, c.want)
		}
		if a, err := mail.ParseAddress(cfg.MailFrom); err != nil || a.Name == "" {
			t.Errorf("%s: sender %q does not parse with a name: %v", c.name, cfg.MailFrom, err)
		}
	}
	cfg, err := LoadConfig(envOf(prod), ModeServe)
	if err != nil || cfg.Brand.OrgAddress != "Rennweger Ring 3, 97070 Würzburg" {
		t.Errorf("default postal address = %q (%v)", cfg.Brand.OrgAddress, err)
	}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, 0, "Commands:"},
		{[]string{"serve", "--help"}, 0, "--dev"},
		{[]string{"migrate", "--help"}, 0, "Usage: portal migrate"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"serve", "--nope"}, 2, "flag provided but not defined"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		env := Env{Getenv: envOf(nil), Stdout: &stdout, Stderr: &stderr}
		code := exitCode(env, run(context.Background(), env, c.args))
		if code != c.code || !strings.Contains(stdout.String()+stderr.String(), c.want) {
			t.Errorf("portal %v: code %d, output %q; want code %d containing %q", c.args, code, stdout.String()+stderr.String(), c.code, c.want)
		}
	}
}
