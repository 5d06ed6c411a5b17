package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/password"
)

// TestLoginWhileHashingIsBusyAnswers503AtOnce: when the hash queue is
// full (password.ErrBusy; the admission itself is tested in
// handlers/password, and make bench-load floods the built portal), a
// login gets its form back at once with 503 and Retry-After, the same for
// known and unknown addresses, and no failed login is recorded.
func TestLoginWhileHashingIsBusyAnswers503AtOnce(t *testing.T) {
	t.Parallel()
	hasher := newBusyHasher()
	p := newPortal(t, func(o *handlers.Options) { o.Hasher = hasher })
	const known, unknown = "kunde@example.de", "niemand@example.de"
	p.passwordUser(t, known, goodPassword)
	hasher.busy.Store(true)
	for _, tr := range transports {
		answers := map[string]string{}
		for _, email := range []string{known, unknown} {
			c := p.client(t)
			c.getOK("/login")
			start := time.Now()
			r := c.postInvalid(tr, "/login", url.Values{"email": {email}, "password": {goodPassword}}, http.StatusServiceUnavailable, "login-form")
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: the busy answer took %v, want it at once", tr.name, d)
			}
			seconds, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || seconds < int(password.MaxQueue/time.Second) {
				t.Errorf("%s: Retry-After %q, want the queued work in seconds", tr.name, r.Header.Get("Retry-After"))
			}
			summary := squash(r.Doc(t).Find("#error-summary").Text())
			busy := p.msg(t, "login.error.busy", map[string]any{"Count": seconds})
			if !strings.Contains(summary, busy) {
				t.Errorf("%s: error summary %q, want %q", tr.name, summary, busy)
			}
			if got := r.Doc(t).Find("input#email").AttrOr("value", ""); got != email {
				t.Errorf("%s: typed address %q, want %q kept", tr.name, got, email)
			}
			// The wait may move by a second between the two; it shows only
			// in the message.
			body := strings.ReplaceAll(c.withoutCSRF(r.Body), email, "ADDRESS")
			answers[email] = strings.ReplaceAll(body, busy, "BUSY")
		}
		if answers[known] != answers[unknown] {
			t.Errorf("%s: busy answers tell the addresses apart:\nknown:\n%s\nunknown:\n%s", tr.name, answers[known], answers[unknown])
		}
	}
	if n := len(p.events(t, "login.failed")); n != 0 {
		t.Errorf("%d failed logins recorded: a refused check is not a wrong password", n)
	}
}

// busyHasher is a password hasher the test can make busy: while busy,
// every hash is refused with password.ErrBusy, as the admission does when
// more work is queued than password.MaxQueue. A flood of real hashes keeps
// the queue at the bound, where a request now and then gets in; this one
// refuses every request the test sends.
type busyHasher struct {
	*password.Hasher
	busy atomic.Bool
}

func newBusyHasher() *busyHasher {
	return &busyHasher{Hasher: password.NewHasher(password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}, 1)}
}

func (b *busyHasher) Hash(ctx context.Context, pw string) (string, error) {
	if b.busy.Load() {
		return "", password.ErrBusy
	}
	return b.Hasher.Hash(ctx, pw)
}

func (b *busyHasher) Verify(ctx context.Context, pw, stored string) (bool, bool, error) {
	if b.busy.Load() {
		return false, false, password.ErrBusy
	}
	return b.Hasher.Verify(ctx, pw, stored)
}

func (b *busyHasher) VerifyDummy(ctx context.Context, pw string) error {
	if b.busy.Load() {
		return password.ErrBusy
	}
	return b.Hasher.VerifyDummy(ctx, pw)
}

func (b *busyHasher) RetryAfter() time.Duration {
	if b.busy.Load() {
		return password.MaxQueue + time.Second
	}
	return b.Hasher.RetryAfter()
}

func TestBusyLoginsAreNotCountedAsAttempts(t *testing.T) {
	t.Parallel()
	hasher := newBusyHasher()
	p := newPortal(t, func(o *handlers.Options) { o.Hasher = hasher })
	const email = "geduldig@example.de"
	p.passwordUser(t, email, goodPassword)
	form := url.Values{"email": {email}, "password": {goodPassword}}
	c := p.client(t)
	c.getOK("/login")
	hasher.busy.Store(true)
	for range 8 { // more than the free attempts of an account
		c.postInvalid(plainForm, "/login", form, http.StatusServiceUnavailable, "login-form")
	}
	hasher.busy.Store(false)
	// The busy answers checked no password: the customer is not held back.
	c.passwordStep(plainForm, form, "/mfa/verify")
}

// A logged-in customer confirming the password while the portal is busy
// (e-mail change here; deletion, password change and the confirmation
// step share the check) gets the 503 page, and the attempt is given back
// like a busy login's.
func TestBusyPasswordConfirmationsAreNotCountedAsAttempts(t *testing.T) {
	t.Parallel()
	hasher := newBusyHasher()
	p := newPortal(t, func(o *handlers.Options) { o.Hasher = hasher })
	const email = "umsichtig@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.login(email, goodPassword)
	c.getOK("/account/email")
	form := url.Values{"new_email": {"umsichtig.neu@example.de"}, "current_password": {goodPassword}}
	hasher.busy.Store(true)
	for range 8 { // more than the free attempts of an account
		r := c.post(plainForm, "/account/email", form)
		if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
			t.Fatalf("e-mail change while busy: status %d, Retry-After %q; want 503 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"))
		}
	}
	hasher.busy.Store(false)
	if r := c.post(plainForm, "/account/email", form); r.StatusCode != http.StatusSeeOther {
		t.Errorf("e-mail change after the busy answers: status %d, want 303: the customer is held back (%s)",
			r.StatusCode, squash(r.Doc(t).Find("#error-summary").Text()))
	}
	if n := len(p.events(t, "login.failed")); n != 0 {
		t.Errorf("%d failed logins recorded: a refused check is not a wrong password", n)
	}
	// The access log says what the customer got, and a busy portal is a
	// warning, not a fault.
	logs := p.Logs.String()
	if !strings.Contains(logs, "level=WARN msg=request method=POST path=/account/email status=503") ||
		strings.Contains(logs, "path=/account/email status=500") {
		t.Errorf("access log of the busy answers: want WARN lines with status 503, no 500:\n%s", logs)
	}
}
