package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRecoveryMailsPerAddressAreLimitedSilently(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.getOK("/recovery")
	for i := 1; i <= 6; i++ {
		if to := c.submit(plainForm, "/recovery", url.Values{"email": {email}}); to != "/recovery/sent" {
			t.Fatalf("request %d: sent to %q, want the same answer as always", i, to)
		}
	}
	if n := len(p.mails(t, email)); n != 5 {
		t.Errorf("%d mails for 6 requests, want 5 (the limit per address)", n)
	}
}

func TestMailRequestsPerClientAddressAreLimited(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	c.getOK("/recovery")
	for i := 1; i <= 10; i++ {
		c.postInvalid(plainForm, "/recovery", url.Values{"email": {"kaputt"}}, http.StatusUnprocessableEntity, "email-form")
	}
	for _, tr := range transports {
		r := c.post(tr, "/recovery", url.Values{"email": {"kunde@example.de"}})
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: request 11+ from one client address: status %d, Retry-After %q; want 429 with Retry-After",
				tr.name, r.StatusCode, r.Header.Get("Retry-After"))
		}
		if !strings.Contains(r.Text(t), p.msg(t, "request.error.throttled", map[string]any{"Count": 10})) {
			t.Errorf("%s: 429 answer lacks the form that says how long to wait:\n%s", tr.name, r.Body)
		}
	}
	if n := len(p.mails(t, "kunde@example.de")); n != 0 {
		t.Errorf("%d mail(s) sent past the limit", n)
	}
}
