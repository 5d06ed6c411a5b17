package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// tab is another browser tab of c: the same cookies and CSRF token, its
// own jar from here on.
func (c *client) tab() *client {
	t := c.p.client(c.t)
	for k, v := range c.cookies {
		t.cookies[k] = v
	}
	t.csrf = c.csrf
	return t
}

// postTogether sends one e-mail code from each tab at the same time.
func postTogether(tabs []*client, codes []string) []*response {
	res := make([]*response, len(tabs))
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = tabs[i].post(plainForm, "/mfa/verify/email", url.Values{"code": {codes[i]}})
		}()
	}
	wg.Wait()
	return res
}

// atSecondStep logs a new customer in up to the e-mail code and returns the
// browser and the right code.
func atSecondStep(t *testing.T, p *portal, local string) (*client, string) {
	email := addrFor(plainForm, local)
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
	right := p.mailCode(t, email)
	c.getOK("/mfa/verify")
	return c, right
}

// codeAttempts is the attempt count of the pending e-mail code in c's
// session, as stored.
func codeAttempts(t *testing.T, p *portal, c *client) int {
	t.Helper()
	var raw string
	for name, ck := range c.cookies {
		if strings.HasSuffix(name, "session") {
			raw = ck.Value
		}
	}
	sess, err := p.Store.SessionByToken(t.Context(), raw)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	var d struct {
		Email *struct {
			Attempts int `json:"attempts"`
		} `json:"email"`
	}
	if err := json.Unmarshal([]byte(sess.Data), &d); err != nil || d.Email == nil {
		t.Fatalf("session data %s: no pending code (%v)", sess.Data, err)
	}
	return d.Email.Attempts
}

// TestTwoTabsCannotUndoEachOther sends e-mail codes from two tabs of one
// session at the same time. Both requests read the same session; the one
// that writes second must not overwrite the first. Before the session got
// a version, a wrong code's write could put a logged-in session back to the
// second step, and two wrong codes counted as one attempt. The loser now
// answers 409 with a page that says to reload.
func TestTwoTabsCannotUndoEachOther(t *testing.T) {
	t.Parallel()
	dbs := map[string]func(testing.TB) *store.Store{"postgres": storetest.Postgres, "sqlite": storetest.SQLite}
	for name, open := range dbs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newPortalOn(t, open(t))
			check := func(round int, r *response, want ...int) {
				t.Helper()
				for _, w := range want {
					if r.StatusCode == w {
						if w == http.StatusConflict && !strings.Contains(r.Text(t), p.msg(t, "error.409.body")) {
							t.Fatalf("round %d: the 409 page does not say to reload:\n%s", round, r.Body)
						}
						return
					}
				}
				t.Fatalf("round %d: status %d, want one of %v\n%s", round, r.StatusCode, want, r.Body)
			}
			logins, lost := 0, 0
			for round := range 6 {
				p.Clock.Advance(time.Hour) // every round's failures are past the address's limit window
				// A wrong and the right code: a login that succeeded stays.
				c, right := atSecondStep(t, p, "right"+string(rune('a'+round)))
				tabs := []*client{c.tab(), c.tab()}
				res := postTogether(tabs, []string{otherCode(right), right})
				// The wrong code's tab may also come after the login is done:
				// then it is sent on to the account (303).
				check(round, res[0], http.StatusUnprocessableEntity, http.StatusConflict, http.StatusSeeOther)
				check(round, res[1], http.StatusSeeOther, http.StatusConflict)
				if res[1].StatusCode == http.StatusSeeOther {
					logins++
					if !tabs[1].loggedIn() {
						lost++
					}
				}

				// Two wrong codes: each one refused with 422 is counted in the
				// session's pending code.
				c, right = atSecondStep(t, p, "wrong"+string(rune('a'+round)))
				tabs = []*client{c.tab(), c.tab()}
				res = postTogether(tabs, []string{otherCode(right), otherCode(right)})
				counted := 0
				for _, r := range res {
					check(round, r, http.StatusUnprocessableEntity, http.StatusConflict)
					if r.StatusCode == http.StatusUnprocessableEntity {
						counted++
					}
				}
				if got := codeAttempts(t, p, c); got != counted {
					t.Fatalf("round %d: %d wrong codes refused with 422, but the session counts %d attempts: an attempt was lost", round, counted, got)
				}
			}
			if lost > 0 {
				t.Fatalf("%d of %d logins were undone by the other tab's wrong code", lost, logins)
			}
			if logins == 0 {
				t.Fatalf("the right code never won a round: the race was not exercised")
			}
		})
	}
}
