package handlers_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
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

// TestEachRequestOnAKeptConnectionHasItsOwnAddress: a proxy (nginx with
// upstream keepalive) sends the requests of many clients over one kept
// connection. Each request's address is its own X-Forwarded-For, and a
// request without one is the proxy's. The address the portal had set for
// an earlier request stood for every later one on the connection, so
// strangers shared each other's rate limits and audit entries.
func TestEachRequestOnAKeptConnectionHasItsOwnAddress(t *testing.T) {
	t.Parallel()
	p := newPortal(t, func(o *handlers.Options) { o.TrustedProxies = []string{"127.0.0.1"} })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go p.App.Listener(ln)
	t.Cleanup(func() { p.App.Shutdown() })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections)
	sent := []string{"198.51.100.1", "198.51.100.2", "", "198.51.100.3"}
	for i, forwarded := range sent {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/login", nil)
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		reused := false
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
		}))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if i > 0 && !reused {
			t.Fatalf("request %d came on a new connection: the test needs one kept connection", i)
		}
	}
	var logged []string
	for _, l := range strings.Split(p.Logs.String(), "\n") {
		if strings.Contains(l, "msg=request") {
			logged = append(logged, l[strings.LastIndex(l, " ip=")+4:])
		}
	}
	if len(logged) != len(sent) {
		t.Fatalf("%d requests logged, want %d", len(logged), len(sent))
	}
	for i, forwarded := range sent {
		want := forwarded
		if want == "" {
			want = "127.0.0.1"
		}
		if logged[i] != want {
			t.Errorf("request %d (X-Forwarded-For %q) logged from %s, want %s", i, forwarded, logged[i], want)
		}
	}
}
