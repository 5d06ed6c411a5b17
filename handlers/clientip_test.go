package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/hwk/kundenportal/handlers"
)

// behindProxy trusts the test's peer address (app.Test connects from
// 0.0.0.0) and a further proxy range, as PORTAL_TRUSTED_PROXIES would.
func behindProxy(o *handlers.Options) { o.TrustedProxies = []string{"0.0.0.0", "10.0.0.0/8"} }

func TestForgedForwardedForNeitherEvadesLimitsNorReachesTheAuditLog(t *testing.T) {
	t.Parallel()
	p := newPortal(t, behindProxy)
	c := p.client(t)
	c.getOK("/login")
	// As nginx builds it ($proxy_add_x_forwarded_for): the client's own
	// header, then the address nginx saw, then an inner proxy.
	for i := range 30 {
		hdr := http.Header{"X-Forwarded-For": {fmt.Sprintf("evil-%d, 198.51.100.%d, 203.0.113.7, 10.0.0.2", i, i)}}
		form := url.Values{"email": {fmt.Sprintf("k%d@example.de", i)}, "password": {"Falsch-geraten1!"}, "_csrf": {c.csrf}}
		if r := c.rawPost("/login", form, hdr); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d, want 422", i+1, r.StatusCode)
		}
	}
	hdr := http.Header{"X-Forwarded-For": {"1.1.1.1, 203.0.113.7"}}
	form := url.Values{"email": {"neu@example.de"}, "password": {"Falsch-geraten1!"}, "_csrf": {c.csrf}}
	if r := c.rawPost("/login", form, hdr); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("31st failure from 203.0.113.7 behind rotating prefixes: status %d, want 429", r.StatusCode)
	}
	for _, ev := range p.events(t, "login.failed") {
		if ev.IP != "203.0.113.7" {
			t.Errorf("audit ip %q, want 203.0.113.7", ev.IP)
		}
	}
}
