package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hwk/kundenportal/store"
)

const oidcPassword = "Handwerk-2026-sicher!"

// oidcLogin is one finished login of a customer at a service.
type oidcLogin struct {
	code, state, nonce, verifier string
}

// startLogin sends the browser from the service to the portal and returns
// the page the portal shows (the login page when there is no session).
func startLogin(b *browser, rp *relyingParty, extra ...oauth2.AuthCodeOption) (page, oidcLogin) {
	l := oidcLogin{state: randomString(b.t), nonce: randomString(b.t), verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{gooidc.Nonce(l.nonce), oauth2.S256ChallengeOption(l.verifier)}, extra...)
	return b.get(rp.oauth.AuthCodeURL(l.state, opts...)), l
}

// login runs the whole login of email at the service and returns the code.
func login(t *testing.T, p *portal, b *browser, rp *relyingParty, email string) oidcLogin {
	t.Helper()
	pg, l := startLogin(b, rp)
	if pg.Request.URL.Path != "/login" {
		t.Fatalf("authorization without a session: at %s, want the login page", pg.Request.URL)
	}
	pg = b.loginWithEmailCode(p, pg, email, oidcPassword)
	if pg.Request.URL.Path != "/oidc/continue" {
		t.Fatalf("after the second factor: at %s, want /oidc/continue", pg.Request.URL)
	}
	q := callback(t, b.followRefresh(pg))
	if q.Get("state") != l.state || q.Get("code") == "" {
		t.Fatalf("callback %v: want the state and a code", q)
	}
	l.code = q.Get("code")
	return l
}

type oidcSetup struct {
	p      *portal
	origin string
	rp     *relyingParty
	user   *store.User
}

// newOIDCSetup is a portal with a first-party service that may ask for
// businesses, and a customer (e-mail code as second factor) linked to one.
func newOIDCSetup(t *testing.T) *oidcSetup {
	p, origin := serve(t)
	secret := addClient(t, p, store.OIDCClient{ID: "kammer-app", Name: "Kammer-App", FirstParty: true, MayAskBusinesses: true,
		PostLogoutURIs: "http://localhost:9/bye"})
	u := p.passwordUser(t, "meisterin@example.com", oidcPassword)
	ctx := context.Background()
	c := &store.Company{Number: "1234567", Name: "Tischlerei Holz GmbH"}
	if _, err := p.Store.SaveCompany(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.LinkCompany(ctx, u.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	rp := newRP(t, origin, "kammer-app", secret, gooidc.ScopeEmail, "profile", "businesses", gooidc.ScopeOfflineAccess)
	return &oidcSetup{p: p, origin: origin, rp: rp, user: u}
}

func TestOIDCCodeFlowWithPKCE(t *testing.T) {
	s := newOIDCSetup(t)
	b := newBrowser(t, s.origin)
	l := login(t, s.p, b, s.rp, s.user.Email)
	ctx := context.Background()
	tok, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.rp.verifier.Verify(ctx, raw) // signature, issuer, audience, expiry
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var claims struct {
		AMR   []string `json:"amr"`
		ACR   string   `json:"acr"`
		Email string   `json:"email"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != l.nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, l.nonce)
	}
	if idt.Subject != s.user.ID.String() || strings.Contains(idt.Subject, "@") {
		t.Errorf("sub %q, want the account's opaque id", idt.Subject)
	}
	if !slices.Equal(claims.AMR, []string{"pwd", "otp", "mfa"}) || claims.ACR != "urn:kundenportal:acr:mfa" {
		t.Errorf("amr %v, acr %q; want [pwd otp mfa] and the second-factor acr", claims.AMR, claims.ACR)
	}
	info, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var extra struct {
		Businesses []struct{ Number, Name string } `json:"businesses"`
	}
	if err := info.Claims(&extra); err != nil {
		t.Fatal(err)
	}
	if info.Email != s.user.Email || !info.EmailVerified || len(extra.Businesses) != 1 || extra.Businesses[0].Number != "1234567" || extra.Businesses[0].Name != "Tischlerei Holz GmbH" {
		t.Errorf("userinfo email %q verified %v, businesses %+v; want the account's address and its business", info.Email, info.EmailVerified, extra.Businesses)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
	old := tok.RefreshToken
	tok.Expiry = time.Now().Add(-time.Minute)
	fresh, err := s.rp.oauth.TokenSource(ctx, tok).Token()
	if err != nil || fresh.RefreshToken == "" || fresh.RefreshToken == old {
		t.Fatalf("refresh: %v; new refresh token %q must differ from the old one", err, fresh.RefreshToken)
	}
	if _, err := s.rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: old}).Token(); err == nil {
		t.Error("the rotated-out refresh token still works")
	}
	if n := len(s.p.eventsOf(t, "openid.token.issued", s.user)); n != 1 {
		t.Errorf("%d openid.token.issued events, want 1", n)
	}
	if n := len(s.p.eventsOf(t, "openid.token.refreshed", s.user)); n != 1 {
		t.Errorf("%d openid.token.refreshed events, want 1", n)
	}
}

// errorPage checks that the portal answered with its own error page and
// sent the browser nowhere.
func errorPage(t *testing.T, pg page, title string) {
	t.Helper()
	if pg.StatusCode != http.StatusBadRequest || pg.Header.Get("Location") != "" {
		t.Fatalf("%s: status %d, Location %q; want 400 without redirect", pg.Request.URL, pg.StatusCode, pg.Header.Get("Location"))
	}
	if h1 := strings.TrimSpace(pg.doc(t).Find("h1").Text()); h1 != title {
		t.Errorf("error page heading %q, want %q", h1, title)
	}
}

func TestOIDCRefusesUnknownClientAndRedirectURI(t *testing.T) {
	s := newOIDCSetup(t)
	b := newBrowser(t, s.origin)
	auth := s.rp.oauth.Endpoint.AuthURL
	q := url.Values{"response_type": {"code"}, "scope": {"openid"}, "client_id": {"kammer-app"}, "state": {"s"},
		"redirect_uri": {"https://evil.example/callback"}}
	errorPage(t, b.get(auth+"?"+q.Encode()), s.p.msg(t, "oidc.error.redirect.title"))
	q.Set("redirect_uri", rpCallback+"/other")
	errorPage(t, b.get(auth+"?"+q.Encode()), s.p.msg(t, "oidc.error.redirect.title"))
	q.Set("client_id", "unbekannt")
	q.Set("redirect_uri", rpCallback)
	errorPage(t, b.get(auth+"?"+q.Encode()), s.p.msg(t, "oidc.error.client.title"))
}

func TestOIDCRefusesMissingOrWrongVerifier(t *testing.T) {
	s := newOIDCSetup(t)
	ctx := context.Background()
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"missing verifier": nil,
		"wrong verifier":   {oauth2.VerifierOption(oauth2.GenerateVerifier())},
	} {
		t.Run(name, func(t *testing.T) {
			l := login(t, s.p, newBrowser(t, s.origin), s.rp, s.user.Email)
			if _, err := s.rp.oauth.Exchange(ctx, l.code, opts...); err == nil {
				t.Fatal("exchange succeeded")
			}
		})
	}
}

func TestOIDCPublicClientNeedsPKCE(t *testing.T) {
	s := newOIDCSetup(t)
	addClient(t, s.p, store.OIDCClient{ID: "spa", Name: "Einzelseite", Public: true, FirstParty: true})
	q := url.Values{"response_type": {"code"}, "scope": {"openid"}, "client_id": {"spa"}, "state": {"s"}, "redirect_uri": {rpCallback}}
	got := callback(t, newBrowser(t, s.origin).get(s.rp.oauth.Endpoint.AuthURL+"?"+q.Encode()))
	if got.Get("error") != "invalid_request" {
		t.Errorf("public client without code_challenge: %v, want error=invalid_request", got)
	}
}

func TestOIDCReusedCodeRevokesItsTokens(t *testing.T) {
	s := newOIDCSetup(t)
	ctx := context.Background()
	l := login(t, s.p, newBrowser(t, s.origin), s.rp, s.user.Email)
	tok, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	if _, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier)); err == nil {
		t.Fatal("second exchange of the same code succeeded")
	}
	if _, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token of a reused code still works")
	}
	if _, err := s.rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("the refresh token of a reused code still works")
	}
	if n := len(s.p.events(t, "openid.code.reused")); n != 1 {
		t.Errorf("%d openid.code.reused events, want 1", n)
	}
}

func TestOIDCCodeForAnotherClient(t *testing.T) {
	s := newOIDCSetup(t)
	other := addClient(t, s.p, store.OIDCClient{ID: "andere-app", Name: "Andere App", FirstParty: true})
	l := login(t, s.p, newBrowser(t, s.origin), s.rp, s.user.Email)
	rp2 := newRP(t, s.origin, "andere-app", other)
	if _, err := rp2.oauth.Exchange(context.Background(), l.code, oauth2.VerifierOption(l.verifier)); err == nil {
		t.Fatal("another client exchanged the code")
	}
}

func TestOIDCExpiredCode(t *testing.T) {
	s := newOIDCSetup(t)
	l := login(t, s.p, newBrowser(t, s.origin), s.rp, s.user.Email)
	s.p.Clock.Advance(2 * time.Minute)
	if _, err := s.rp.oauth.Exchange(context.Background(), l.code, oauth2.VerifierOption(l.verifier)); err == nil {
		t.Fatal("an expired code was exchanged")
	}
}

func TestOIDCPromptNoneWithoutSession(t *testing.T) {
	s := newOIDCSetup(t)
	pg, l := startLogin(newBrowser(t, s.origin), s.rp, oauth2.SetAuthURLParam("prompt", "none"))
	q := callback(t, pg)
	if q.Get("error") != "login_required" || q.Get("state") != l.state {
		t.Errorf("prompt=none without session: %v, want error=login_required with the state", q)
	}
}

func TestOIDCSessionReusedAndPromptLogin(t *testing.T) {
	s := newOIDCSetup(t)
	b := newBrowser(t, s.origin)
	login(t, s.p, b, s.rp, s.user.Email)
	pg, _ := startLogin(b, s.rp)
	callback(t, pg) // logged in: straight back to the service, no page
	pg, _ = startLogin(b, s.rp, oauth2.SetAuthURLParam("prompt", "login"))
	if pg.Request.URL.Path != "/login" {
		t.Fatalf("prompt=login: at %s, want the login page", pg.Request.URL)
	}
}
