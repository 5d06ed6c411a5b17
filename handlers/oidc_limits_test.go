package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/store"
)

// backChannel posts form to a provider endpoint as a service's backend
// does, from the client address addr (behind the trusted proxy).
func backChannel(t *testing.T, p *portal, path, addr, clientID, secret string, form url.Values) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, baseURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	if clientID != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	res, err := p.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	obj := map[string]any{}
	if err := json.Unmarshal(body, &obj); err != nil && res.StatusCode == http.StatusTooManyRequests {
		t.Fatalf("POST %s: status 429, not in the OAuth JSON error format: %q", path, body)
	}
	return res.StatusCode, res.Header, obj
}

// TestProviderBackChannelEndpointsAreRateLimited: the token, introspection
// and revocation endpoints count calls per client address and per client id
// (3 a minute here); the call over a limit gets 429 with Retry-After in the
// OAuth error format, before the provider looks at the client.
func TestProviderBackChannelEndpointsAreRateLimited(t *testing.T) {
	p := newPortal(t, behindProxy, func(o *handlers.Options) { o.OIDCEndpointLimit = 3 })
	secret := addClient(t, p, store.OIDCClient{ID: "dienst", Name: "Dienst"})
	other := addClient(t, p, store.OIDCClient{ID: "anderer", Name: "Anderer Dienst"})
	badCode := url.Values{"grant_type": {"authorization_code"}, "code": {"erfunden"}, "redirect_uri": {rpCallback}}

	// Per client: one client from a new address each time.
	for i := 1; i <= 3; i++ {
		status, _, obj := backChannel(t, p, "/oidc/token", "198.51.100."+strconv.Itoa(i), "dienst", secret, badCode)
		if status != http.StatusBadRequest || obj["error"] != "invalid_grant" {
			t.Fatalf("call %d of client dienst: status %d %v, want the provider's own invalid_grant", i, status, obj)
		}
	}
	status, hdr, obj := backChannel(t, p, "/oidc/token", "198.51.100.99", "dienst", secret, badCode)
	if status != http.StatusTooManyRequests || obj["error"] != "temporarily_unavailable" || hdr.Get("Retry-After") == "" {
		t.Errorf("4th token call of one client from a fresh address: status %d, %v, Retry-After %q; want 429 temporarily_unavailable with Retry-After",
			status, obj, hdr.Get("Retry-After"))
	}
	if status, _, _ := backChannel(t, p, "/oidc/token", "198.51.100.98", "anderer", other, badCode); status == http.StatusTooManyRequests {
		t.Errorf("another client was limited by the first one's calls")
	}

	// Per address: a new client id (even an unknown one) each time.
	for i := 1; i <= 3; i++ {
		if status, _, _ := backChannel(t, p, "/oidc/introspect", "203.0.113.7", "unbekannt-"+strconv.Itoa(i), "x", url.Values{"token": {"abc"}}); status == http.StatusTooManyRequests {
			t.Fatalf("introspection call %d from one address: 429 too early", i)
		}
	}
	status, hdr, obj = backChannel(t, p, "/oidc/introspect", "203.0.113.7", "unbekannt-4", "x", url.Values{"token": {"abc"}})
	if status != http.StatusTooManyRequests || obj["error"] != "temporarily_unavailable" || hdr.Get("Retry-After") == "" {
		t.Errorf("4th introspection call from one address: status %d, %v, Retry-After %q; want 429", status, obj, hdr.Get("Retry-After"))
	}

	// Revocation has its own counters, limited the same way.
	for i := 1; i <= 4; i++ {
		status, _, obj := backChannel(t, p, "/oidc/revoke", "192.0.2.1", "anderer", other, url.Values{"token": {"abc"}})
		if i <= 3 && status == http.StatusTooManyRequests || i == 4 && (status != http.StatusTooManyRequests || obj["error"] != "temporarily_unavailable") {
			t.Errorf("revocation call %d: status %d %v", i, status, obj)
		}
	}
}

// TestStrangersCannotUseUpAServicesAllowance: calls that name a client
// without its secret (a wrong one in HTTP Basic, none, or client_id in the
// form) count against their own addresses only, so strangers calling from
// many addresses do not lock the service out of its token endpoint.
func TestStrangersCannotUseUpAServicesAllowance(t *testing.T) {
	p := newPortal(t, behindProxy, func(o *handlers.Options) { o.OIDCEndpointLimit = 3 })
	secret := addClient(t, p, store.OIDCClient{ID: "dienst", Name: "Dienst"})
	badCode := url.Values{"grant_type": {"authorization_code"}, "code": {"erfunden"}, "redirect_uri": {rpCallback}}
	formNamed := url.Values{"client_id": {"dienst"}, "grant_type": {"authorization_code"}, "code": {"erfunden"}, "redirect_uri": {rpCallback}}
	for i := 1; i <= 9; i++ {
		addr := "203.0.113." + strconv.Itoa(i)
		switch i % 3 {
		case 0:
			backChannel(t, p, "/oidc/token", addr, "dienst", "falsch", badCode)
		case 1:
			backChannel(t, p, "/oidc/token", addr, "", "", formNamed)
		case 2:
			backChannel(t, p, "/oidc/token", addr, "dienst", "", badCode)
		}
	}
	for i := 1; i <= 3; i++ {
		status, _, obj := backChannel(t, p, "/oidc/token", "198.51.100."+strconv.Itoa(i), "dienst", secret, badCode)
		if status != http.StatusBadRequest || obj["error"] != "invalid_grant" {
			t.Errorf("call %d of the service itself after nine strangers named it: status %d %v, want the provider's own invalid_grant", i, status, obj)
		}
	}
}

// TestClientSecretPostCountsPerClient: a confidential client that sends
// its secret in the form (client_secret_post) is counted per client like
// one using HTTP Basic, so its allowance bounds it from any address.
func TestClientSecretPostCountsPerClient(t *testing.T) {
	p := newPortal(t, behindProxy, func(o *handlers.Options) { o.OIDCEndpointLimit = 3 })
	secret := addClient(t, p, store.OIDCClient{ID: "dienst", Name: "Dienst"})
	form := url.Values{"client_id": {"dienst"}, "client_secret": {secret}, "grant_type": {"authorization_code"}, "code": {"erfunden"}, "redirect_uri": {rpCallback}}
	for i := 1; i <= 3; i++ {
		if status, _, _ := backChannel(t, p, "/oidc/token", "198.51.100."+strconv.Itoa(i), "", "", form); status == http.StatusTooManyRequests {
			t.Fatalf("call %d of the client: 429 too early", i)
		}
	}
	status, hdr, obj := backChannel(t, p, "/oidc/token", "198.51.100.99", "", "", form)
	if status != http.StatusTooManyRequests || obj["error"] != "temporarily_unavailable" || hdr.Get("Retry-After") == "" {
		t.Errorf("4th call of one client with its secret in the form, from a fresh address: status %d, %v; want 429 with Retry-After", status, obj)
	}
}
