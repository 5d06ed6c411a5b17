package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
)

func TestAccountsUnblockForgetsTheAccountsFailures(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			mustRun(t, db, "invite", "--email", "kunde@example.de")
			s := openStore(t, db)
			ctx := context.Background()
			u, err := s.UserByEmail(ctx, "kunde@example.de")
			if err != nil {
				t.Fatal(err)
			}
			p := store.Throttle{Free: 5, Window: time.Hour}
			for _, c := range [][2]string{{"login.account", "kunde@example.de"}, {"mfa.account", u.ID.String()}, {"login.device", u.ID.String() + ":abc"}, {"login.device", "other:abc"}} {
				for range 2 {
					if _, _, err := s.Attempt(ctx, p, c[0], c[1]); err != nil {
						t.Fatal(err)
					}
				}
			}
			if out := mustRun(t, db, "accounts", "unblock", "--email", "Kunde@example.de"); !strings.Contains(out, "unblocked kunde@example.de") {
				t.Errorf("unblock said %q", out)
			}
			for _, c := range [][2]string{{"login.account", "kunde@example.de"}, {"mfa.account", u.ID.String()}, {"login.device", u.ID.String() + ":abc"}} {
				if n, err := s.Attempts(ctx, c[0], c[1]); err != nil || n != 0 {
					t.Errorf("%s %s: %d attempts left (%v), want 0", c[0], c[1], n, err)
				}
			}
			if n, _ := s.Attempts(ctx, "login.device", "other:abc"); n != 2 {
				t.Errorf("another account's browser lost its count: %d", n)
			}
			if code, _, _ := portalCmd(t, db, "accounts", "unblock", "--email", "niemand@example.de"); code != 2 {
				t.Errorf("unknown address: exit %d, want 2", code)
			}
		})
	}
}
