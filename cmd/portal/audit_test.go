package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
)

func TestAuditCommandFiltersByEmailTimeAndEvent(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			s := openStore(t, db)
			ctx := context.Background()
			u := &store.User{Email: "anna@example.de"}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			add := func(day int, event string, user *store.User, email string) {
				t.Helper()
				s.SetClock(func() time.Time { return time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC) })
				e := store.AuditEvent{Event: event, Email: email, IP: "192.0.2.7",
					UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"}
				if user != nil {
					e.UserID = &user.ID
				}
				if err := s.Audit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			add(10, "login.failed", nil, "anna@example.de")
			add(11, "login.ok", u, "") // the account's, without the address on the row
			add(12, "login.ok", nil, "bernd@example.de")
			add(13, "company.linked", u, "anna@example.de")

			out := mustRun(t, db, "audit", "--email", "ANNA@example.de")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 4 || !strings.Contains(lines[1], "company.linked") || !strings.Contains(lines[3], "login.failed") {
				t.Errorf("audit --email: want header and 3 events newest first:\n%s", out)
			}
			if strings.Contains(out, "bernd") || !strings.Contains(out, "Chrome (Linux)") || strings.Contains(out, "Mozilla") {
				t.Errorf("audit --email shows another account or an unshortened browser:\n%s", out)
			}
			out = mustRun(t, db, "audit", "--since", "2026-11-12", "--event", "login.ok,login.failed")
			if strings.Count(out, "\n") != 2 || !strings.Contains(out, "bernd@example.de") {
				t.Errorf("audit --since --event: want only bernd's login:\n%s", out)
			}
			out = mustRun(t, db, "audit", "--json", "--limit", "1")
			var l map[string]any
			if err := json.Unmarshal([]byte(out), &l); err != nil || l["event"] != "company.linked" || l["browser"] != "Chrome (Linux)" {
				t.Errorf("audit --json --limit 1 = %q (%v)", out, err)
			}
			if code, _, errOut := portalCmd(t, db, "audit", "--since", "gestern"); code != 2 || !strings.Contains(errOut, "is not a date") {
				t.Errorf("bad --since: exit %d, %q", code, errOut)
			}
		})
	}
}
