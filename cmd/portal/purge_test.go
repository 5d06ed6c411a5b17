package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// seedAccount creates an account created at created, last logged in at
// lastLogin (never when zero), with a row in every table that belongs to
// an account.
func seedAccount(t *testing.T, s *store.Store, email string, created, lastLogin time.Time, company *store.Company) *store.User {
	t.Helper()
	ctx := context.Background()
	s.SetClock(func() time.Time { return created })
	defer s.SetClock(time.Now)
	u := &store.User{Email: email, Name: "Kunde", PasswordHash: "$argon2id$x"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", email, err)
		}
	}
	must(s.CreateUser(ctx, u))
	if !lastLogin.IsZero() {
		must(s.TouchLogin(ctx, u.ID, lastLogin))
	}
	_, err := s.CreateSession(ctx, &store.Session{UserID: &u.ID, ExpiresAt: created.Add(time.Hour)})
	must(err)
	_, err = s.IssueToken(ctx, store.TokenRecovery, &u.ID, u.Email, time.Hour)
	must(err)
	_, err = s.CreateFlow(ctx, &store.Flow{Kind: store.FlowPasswordRecovery, UserID: &u.ID, Email: u.Email, ExpiresAt: created.Add(time.Hour)})
	must(err)
	must(s.AddMethod(ctx, &store.MFAMethod{UserID: u.ID, Kind: factor.Email}))
	must(s.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte(uuid.NewString())}))
	_, err = s.LinkCompany(ctx, u.ID, company.ID)
	must(err)
	_, err = s.RequestPIN(ctx, u.ID, company.ID)
	must(err)
	must(s.EnqueueMail(ctx, &store.OutboxMail{To: u.Email, Subject: "s", TextBody: "t", HTMLBody: "h"}))
	must(s.Audit(ctx, store.AuditEvent{Event: "login.ok", UserID: &u.ID, Email: u.Email, IP: "192.0.2.1"}))
	return u
}

// rowsOf counts the rows in table that belong to the account (by user_id,
// or by address for the outbox).
func rowsOf(t *testing.T, s *store.Store, table string, u *store.User) int {
	t.Helper()
	q := s.DB().NewSelect().TableExpr(table)
	if table == "mail_outbox" {
		q = q.Where("to_addr = ?", u.Email)
	} else {
		q = q.Where("user_id = ?", u.ID)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

var accountTables = []string{"sessions", "tokens", "flows", "mfa_methods", "recovery_codes", "company_links", "pin_requests", "mail_outbox"}

func TestAccountsPurgeDeletesExactlyTheOldAccounts(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			mustRun(t, db, "companies", "add", "--number", "8000001", "--name", "Firma", "--street", "S 1", "--postcode", "97070", "--city", "Würzburg")
			s := openStore(t, db)
			company, err := s.CompanyByNumber(context.Background(), "8000001")
			if err != nil {
				t.Fatal(err)
			}
			at := func(y int) time.Time { return time.Date(y, 6, 1, 12, 0, 0, 0, time.UTC) }
			oldLogin := seedAccount(t, s, "alt@example.de", at(2015), at(2018), company)
			neverOld := seedAccount(t, s, "nie@example.de", at(2017), time.Time{}, company)
			recent := seedAccount(t, s, "aktiv@example.de", at(2015), at(2024), company)
			neverNew := seedAccount(t, s, "neu@example.de", at(2020), time.Time{}, company)
			staff := seedAccount(t, s, "team@example.de", at(2014), at(2016), company)
			if out := mustRun(t, db, "accounts", "exempt", "--email", "team@example.de"); !strings.Contains(out, "exempt") {
				t.Errorf("exempt said %q", out)
			}
			if out := mustRun(t, db, "accounts", "exempt", "--list"); !strings.Contains(out, "team@example.de") {
				t.Errorf("exempt --list lacks the staff account:\n%s", out)
			}

			out := mustRun(t, db, "accounts", "purge", "--last-login-before", "2019-01-01", "--dry-run")
			for _, want := range []string{"alt@example.de", "2015-06-01", "2018-06-01", "nie@example.de", "never", "2 account(s) would be deleted"} {
				if !strings.Contains(out, want) {
					t.Errorf("dry run lacks %q:\n%s", want, out)
				}
			}
			for _, keep := range []string{"aktiv@", "neu@", "team@"} {
				if strings.Contains(out, keep) {
					t.Errorf("dry run lists %s:\n%s", keep, out)
				}
			}
			if n := rowsOf(t, s, "sessions", oldLogin); n != 1 {
				t.Fatalf("dry run changed the database: %d sessions left", n)
			}

			out = mustRun(t, db, "accounts", "purge", "--last-login-before", "2019-01-01", "--batch", "1")
			if !strings.Contains(out, "2 account(s) deleted") {
				t.Errorf("purge said %q", out)
			}
			for _, u := range []*store.User{oldLogin, neverOld} {
				if _, err := s.UserByID(context.Background(), u.ID); err == nil {
					t.Errorf("%s still exists", u.Email)
				}
				for _, table := range accountTables {
					if n := rowsOf(t, s, table, u); n != 0 {
						t.Errorf("%s: %d row(s) left in %s", u.Email, n, table)
					}
				}
				evs, _ := s.AuditEvents(context.Background(), store.AuditFilter{UserID: &u.ID})
				if len(evs) != 2 || evs[0].Event != eventAccountPurged || evs[0].Email != "" || evs[1].Email != "" {
					t.Errorf("%s: audit after purge = %+v; want the purge event and no address kept", u.Email, evs)
				}
			}
			for _, u := range []*store.User{recent, neverNew, staff} {
				for _, table := range accountTables {
					if n := rowsOf(t, s, table, u); n != 1 {
						t.Errorf("kept account %s: %d row(s) in %s, want 1", u.Email, n, table)
					}
				}
			}
			if out := mustRun(t, db, "accounts", "purge", "--last-login-before", "2019-01-01"); !strings.Contains(out, "0 account(s) deleted") {
				t.Errorf("second purge said %q", out)
			}
			if err := s.CreateUser(context.Background(), &store.User{Email: "alt@example.de"}); err != nil {
				t.Errorf("a purged customer cannot register again: %v", err)
			}
		})
	}
}

func TestAccountsPurgeRejectsABadDate(t *testing.T) {
	code, _, errOut := portalCmd(t, "unused.db", "accounts", "purge", "--last-login-before", "1.1.2019")
	if code != 2 || !strings.Contains(errOut, "not a date like 2019-01-01") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}
