package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/store/storetest"
)

// dbs runs fn on a portal on PostgreSQL and on one on SQLite.
func dbs(t *testing.T, fn func(t *testing.T, p *portal)) {
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, newPortal(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, newPortalOn(t, storetest.SQLite(t))) })
}

func repeat(n int, form url.Values) []url.Values {
	forms := make([]url.Values, n)
	for i := range forms {
		forms[i] = form
	}
	return forms
}

func TestParallelWrongPasswordsAreEvaluatedOnlyUpToTheLimit(t *testing.T) {
	t.Parallel()
	dbs(t, func(t *testing.T, p *portal) {
		const email = "kunde@example.de"
		p.passwordUser(t, email, goodPassword)
		c := p.client(t)
		c.getOK("/login")
		statuses := parallelPosts(t, c, "/login", repeat(40, url.Values{"email": {email}, "password": {"Falsch-geraten1!"}}))
		if n := countStatus(statuses, http.StatusUnprocessableEntity); n != 5 {
			t.Errorf("%d of 40 parallel wrong passwords were checked, want 5 (the free attempts per account); statuses %v", n, statuses)
		}
		if n := countStatus(statuses, http.StatusTooManyRequests); n != 35 {
			t.Errorf("%d of 40 answered 429, want 35", n)
		}
		if n := len(p.events(t, "login.failed")); n != 5 {
			t.Errorf("%d failed logins audited, want 5", n)
		}
	})
}

func TestParallelTOTPGuessesAreEvaluatedOnlyUpToTheLimit(t *testing.T) {
	t.Parallel()
	dbs(t, func(t *testing.T, p *portal) {
		const email = "kunde@example.de"
		u := p.passwordUserNoMFA(t, email, goodPassword)
		p.addTOTP(t, u)
		c := p.client(t)
		c.getOK("/login")
		c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
		c.getOK("/mfa/verify?method=totp")
		statuses := parallelPosts(t, c, "/mfa/verify/totp", repeat(30, url.Values{"code": {"000000"}}))
		if n := countStatus(statuses, http.StatusUnprocessableEntity); n > 5 {
			t.Errorf("%d of 30 parallel TOTP guesses were checked, want at most 5; statuses %v", n, statuses)
		}
		if n := countStatus(statuses, http.StatusTooManyRequests); n < 25 {
			t.Errorf("%d of 30 answered 429, want at least 25; statuses %v", n, statuses)
		}
	})
}

func TestParallelRecoveryRequestsQueueNoMoreMailsThanTheLimit(t *testing.T) {
	t.Parallel()
	dbs(t, func(t *testing.T, p *portal) {
		const email = "kunde@example.de"
		p.passwordUser(t, email, goodPassword)
		c := p.client(t)
		c.getOK("/recovery")
		statuses := parallelPosts(t, c, "/recovery", repeat(10, url.Values{"email": {email}}))
		if n := countStatus(statuses, http.StatusSeeOther); n != 10 {
			t.Errorf("%d of 10 requests got the usual answer; statuses %v", n, statuses)
		}
		if n := len(p.mails(t, email)); n != 5 {
			t.Errorf("%d mails queued for 10 parallel requests, want 5 (the limit per address)", n)
		}
	})
}

func TestMalformedLoginAddressIsAnOrdinaryFailure(t *testing.T) {
	t.Parallel()
	dbs(t, func(t *testing.T, p *portal) {
		c := p.client(t)
		c.getOK("/login")
		for name, email := range map[string]string{
			"3,000 characters": incompressible(3000) + "@example.de",
			"NUL byte":         "kunde\x00@example.de",
			"no domain":        "kunde@localhost",
		} {
			for _, tr := range transports {
				r := c.post(tr, "/login", url.Values{"email": {email}, "password": {"Falsch-geraten1!"}})
				if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Text(t), p.msg(t, "login.error.invalid")) {
					t.Errorf("%s (%s): status %d, want 422 with the usual message\n%.300s", name, tr.name, r.StatusCode, r.Body)
				}
			}
		}
	})
}

// incompressible is n characters that PostgreSQL cannot compress into an
// index entry.
func incompressible(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%x", uint32(i)*2654435761)
	}
	return b.String()[:n]
}
