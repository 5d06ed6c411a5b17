package e2e

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hwk/kundenportal/store"
)

// testService is a relying party built on coreos/go-oidc and x/oauth2, on
// its own origin, as a chamber service would be. "/" starts the login,
// "/callback" checks the answer and shows what it got, "/logout" starts
// RP-initiated logout.
type testService struct {
	origin string
	id     string
	oauth  oauth2.Config
	prov   *gooidc.Provider

	mu                   sync.Mutex
	state, nonce, verify string
	idToken              string
	errs                 []string
}

func startService(t *testing.T, p *flowPortal, client store.OIDCClient, scopes ...string) *testService {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testService{origin: "http://localhost:" + strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:"), id: client.ID}
	client.RedirectURIs = s.origin + "/callback"
	client.PostLogoutURIs = s.origin + "/bye"
	secret, err := p.Store.CreateOIDCClient(context.Background(), &client)
	if err != nil {
		t.Fatal(err)
	}
	if s.prov, err = gooidc.NewProvider(context.Background(), p.BaseURL); err != nil {
		t.Fatalf("discovery: %v", err)
	}
	s.oauth = oauth2.Config{ClientID: client.ID, ClientSecret: secret, Endpoint: s.prov.Endpoint(),
		RedirectURL: client.RedirectURIs, Scopes: append([]string{gooidc.ScopeOpenID}, scopes...)}
	srv := &http.Server{Handler: s.mux()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *testService) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.state, s.nonce, s.verify = oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
		u := s.oauth.AuthCodeURL(s.state, gooidc.Nonce(s.nonce), oauth2.S256ChallengeOption(s.verify))
		s.mu.Unlock()
		http.Redirect(w, r, u, http.StatusFound)
	})
	m.HandleFunc("GET /callback", s.callback)
	m.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		var meta struct {
			EndSession string `json:"end_session_endpoint"`
		}
		_ = s.prov.Claims(&meta)
		s.mu.Lock()
		hint := s.idToken
		s.mu.Unlock()
		http.Redirect(w, r, meta.EndSession+"?id_token_hint="+hint+"&post_logout_redirect_uri="+s.origin+"/bye", http.StatusFound)
	})
	m.HandleFunc("GET /bye", func(w http.ResponseWriter, r *http.Request) { servicePage(w, "Abgemeldet", "") })
	return m
}

// callback checks everything a service must: state, code exchange with
// the PKCE verifier, the ID token's signature, issuer, audience and nonce,
// its amr, and reads the userinfo.
func (s *testService) callback(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(format string, args ...any) {
		s.errs = append(s.errs, fmt.Sprintf(format, args...))
		servicePage(w, "Fehler", s.errs[len(s.errs)-1])
	}
	if r.URL.Query().Get("state") != s.state {
		fail("state %q, want %q (error %q)", r.URL.Query().Get("state"), s.state, r.URL.Query().Get("error"))
		return
	}
	tok, err := s.oauth.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(s.verify))
	if err != nil {
		fail("exchange: %v", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.prov.Verifier(&gooidc.Config{ClientID: s.id, SupportedSigningAlgs: []string{gooidc.ES256}}).Verify(r.Context(), raw)
	if err != nil {
		fail("verify: %v", err)
		return
	}
	var claims struct {
		AMR []string `json:"amr"`
	}
	if err := idt.Claims(&claims); err != nil || idt.Nonce != s.nonce || !slices.Equal(claims.AMR, []string{"pwd", "otp", "mfa"}) {
		fail("nonce %q (want %q), amr %v (want pwd otp mfa), %v", idt.Nonce, s.nonce, claims.AMR, err)
		return
	}
	info, err := s.prov.UserInfo(r.Context(), oauth2.StaticTokenSource(tok))
	var extra struct {
		Businesses []struct{ Number, Name string } `json:"businesses"`
	}
	if err != nil || info.Claims(&extra) != nil {
		fail("userinfo: %v", err)
		return
	}
	s.idToken = raw
	var bs []string
	for _, b := range extra.Businesses {
		bs = append(bs, b.Number+" "+b.Name)
	}
	servicePage(w, "Angemeldet", strings.Join(bs, ", "))
}

func (s *testService) problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.errs)
}

func servicePage(w http.ResponseWriter, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>%s</title></head>`+
		`<body><main><h1>%s</h1><p id="businesses">%s</p></main></body></html>`, html.EscapeString(title), html.EscapeString(title), html.EscapeString(body))
}
