package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/hwk/kundenportal/store/storetest"
)

// terminateBackends kills every other connection to the portal's
// PostgreSQL database, as a failover or an operator would.
func terminateBackends(t *testing.T, p *portal) int {
	t.Helper()
	var n int
	err := p.Store.DB().NewRaw("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(t.Context(), &n)
	if err != nil {
		t.Fatalf("terminate backends: %v", err)
	}
	return n
}

func TestKilledDatabaseConnectionsCostNoValidFormAndHealWithoutRestart(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	browsers := make([]*client, 4) // 8 mail requests: below the limit per client address
	for i := range browsers {
		browsers[i] = p.client(t)
		browsers[i].getOK("/login")
	}
	// Open several pool connections, then kill them all mid-traffic.
	var wg sync.WaitGroup
	for _, b := range browsers {
		wg.Go(func() {
			parallelPosts(t, b, "/login", repeat(1, url.Values{"email": {email}, "password": {"Falsch-geraten1!"}}))
		})
	}
	wg.Wait()
	if n := terminateBackends(t, p); n == 0 {
		t.Fatal("no connection was terminated")
	}
	statuses := make([][]int, len(browsers))
	for i, b := range browsers {
		wg.Go(func() {
			statuses[i] = parallelPosts(t, b, "/recovery", repeat(2, url.Values{"email": {fmt.Sprintf("k%d@example.de", i)}}))
		})
	}
	wg.Wait()
	for i, ss := range statuses {
		for _, s := range ss {
			if s == http.StatusForbidden {
				t.Errorf("browser %d: a valid form got 403 after the connections were killed", i)
			}
		}
	}
	if r := browsers[0].get("/readyz"); r.StatusCode != http.StatusOK {
		t.Errorf("/readyz after the database came back: %d, want 200", r.StatusCode)
	}
	for i, b := range browsers {
		if r := b.post(plainForm, "/recovery", url.Values{"email": {fmt.Sprintf("n%d@example.de", i)}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("browser %d: the next request got %d, want 303 without a restart", i, r.StatusCode)
		}
	}
}

func TestConcurrentLoginsAndRegistrationsOnSQLite(t *testing.T) {
	t.Parallel()
	p := newPortalOn(t, storetest.SQLite(t), behindProxy) // each browser its own address, below the limits
	var logins, regs []*client
	for i := range 16 {
		email := fmt.Sprintf("kunde%d@example.de", i)
		p.passwordUser(t, email, goodPassword)
		l := p.client(t)
		l.getOK("/login")
		r := p.client(t)
		r.header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		l.header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		r.getOK("/register")
		logins, regs = append(logins, l), append(regs, r)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	note := func(what string, ss []int, want int) {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range ss {
			if s != want {
				failed = append(failed, fmt.Sprintf("%s: %d", what, s))
			}
		}
	}
	for i := range 16 {
		wg.Go(func() {
			ss := parallelPosts(t, logins[i], "/login", repeat(1, url.Values{"email": {fmt.Sprintf("kunde%d@example.de", i)}, "password": {goodPassword}}))
			note("login", ss, http.StatusSeeOther)
		})
		wg.Go(func() {
			ss := parallelPosts(t, regs[i], "/register", repeat(1, url.Values{"email": {fmt.Sprintf("neu%d@example.de", i)}}))
			note("registration", ss, http.StatusSeeOther)
		})
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Errorf("%d of 32 concurrent requests failed: %v", len(failed), failed)
	}
}
