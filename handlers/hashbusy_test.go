package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/password"
)

// floodHasher keeps the hasher's queue fuller than password.MaxQueue until
// the test ends or the returned stop is called, as a flood of logins does.
func floodHasher(t *testing.T, h *password.Hasher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	stop = func() { cancel(); wg.Wait() }
	t.Cleanup(stop)
	// Enough that the queue overflows even where a hash takes only 20 ms.
	for range 2*int(password.MaxQueue/(20*time.Millisecond)) + 1 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := h.Hash(ctx, "Flut-Passwort9!"); errors.Is(err, password.ErrBusy) {
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for h.RetryAfter() <= password.MaxQueue {
		if time.Now().After(deadline) {
			t.Fatalf("the queue never held more than %v of work (retry after %v)", password.MaxQueue, h.RetryAfter())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return stop
}

func TestLoginDuringAHashFloodAnswers503AtOnce(t *testing.T) {
	t.Parallel()
	slow := password.NewHasher(password.Params{Memory: 32 * 1024, Time: 2, Threads: 1}, 1)
	p := newPortal(t, func(o *handlers.Options) { o.Hasher = slow })
	const known, unknown = "kunde@example.de", "niemand@example.de"
	p.passwordUser(t, known, goodPassword)
	floodHasher(t, slow)
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

func TestBusyLoginsAreNotCountedAsAttempts(t *testing.T) {
	t.Parallel()
	slow := password.NewHasher(password.Params{Memory: 32 * 1024, Time: 2, Threads: 1}, 1)
	p := newPortal(t, func(o *handlers.Options) { o.Hasher = slow })
	const email = "geduldig@example.de"
	p.passwordUser(t, email, goodPassword)
	stop := floodHasher(t, slow)
	form := url.Values{"email": {email}, "password": {goodPassword}}
	c := p.client(t)
	c.getOK("/login")
	for range 8 { // more than the free attempts of an account
		c.postInvalid(plainForm, "/login", form, http.StatusServiceUnavailable, "login-form")
	}
	stop()
	// The busy answers checked no password: the customer is not held back.
	c.passwordStep(plainForm, form, "/mfa/verify")
}
