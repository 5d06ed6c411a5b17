package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hwk/kundenportal/store"
)

func TestOIDCRefreshAfterLogout(t *testing.T) {
	s := newOIDCSetup(t)
	ctx := context.Background()
	b := newBrowser(t, s.origin)
	l := login(t, s.p, b, s.rp, s.user.Email)
	tok, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatal(err)
	}
	acct := b.get("/account")
	b.submit(acct, `form[action="/logout"]`, nil)
	if _, err := s.rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("refresh token works after the portal session was logged out")
	}
}

func TestOIDCRPInitiatedLogout(t *testing.T) {
	s := newOIDCSetup(t)
	ctx := context.Background()
	b := newBrowser(t, s.origin)
	l := login(t, s.p, b, s.rp, s.user.Email)
	tok, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := s.rp.provider.Claims(&meta); err != nil || meta.EndSession == "" {
		t.Fatalf("discovery has no end_session_endpoint: %v", err)
	}
	hint, _ := tok.Extra("id_token").(string)
	bad := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/"}}
	errorPage(t, b.get(meta.EndSession+"?"+bad.Encode()), s.p.msg(t, "oidc.error.logout.title"))
	q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"http://localhost:9/bye"}, "state": {"x"}}
	pg := b.get(meta.EndSession + "?" + q.Encode())
	if loc := pg.Header.Get("Location"); !strings.HasPrefix(loc, "http://localhost:9/bye") {
		t.Fatalf("end session: status %d, Location %q; want the registered post-logout URI\n%s", pg.StatusCode, loc, pg.Body)
	}
	if acct := b.get("/account"); acct.Request.URL.Path != "/login" {
		t.Errorf("after RP-initiated logout /account is at %s, want the login page", acct.Request.URL)
	}
	if _, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token still works after logout")
	}
}

func TestOIDCMaxAgeAndPromptNoneWithSession(t *testing.T) {
	s := newOIDCSetup(t)
	b := newBrowser(t, s.origin)
	login(t, s.p, b, s.rp, s.user.Email)
	pg, _ := startLogin(b, s.rp, oauth2.SetAuthURLParam("prompt", "none"))
	if q := callback(t, pg); q.Get("code") == "" {
		t.Errorf("prompt=none with a session: %v, want a code", q)
	}
	s.p.Clock.Advance(5 * time.Second)
	pg, _ = startLogin(b, s.rp, oauth2.SetAuthURLParam("max_age", "2"))
	if pg.Request.URL.Path != "/login" {
		t.Errorf("max_age=2 five seconds after the login: at %s, want the login page", pg.Request.URL)
	}
}

func TestOIDCEndOtherSessionsRevokesTheirTokens(t *testing.T) {
	s := newOIDCSetup(t)
	ctx := context.Background()
	phone := newBrowser(t, s.origin)
	l := login(t, s.p, phone, s.rp, s.user.Email)
	tok, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatal(err)
	}
	pc := newBrowser(t, s.origin)
	login(t, s.p, pc, s.rp, s.user.Email)
	pc.submit(pc.get("/account"), `form[action="/account/sessions/end-others"]`, nil)
	if _, err := s.rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("the other session's refresh token still works")
	}
}

func TestOIDCConsent(t *testing.T) {
	s := newOIDCSetup(t)
	secret := addClient(t, s.p, store.OIDCClient{ID: "partner", Name: "Partnerdienst"})
	rp := newRP(t, s.origin, "partner", secret, gooidc.ScopeEmail)
	b := newBrowser(t, s.origin)
	login(t, s.p, b, s.rp, s.user.Email) // a session, from the first-party service

	pg, _ := startLogin(b, rp, oauth2.SetAuthURLParam("prompt", "none"))
	if q := callback(t, pg); q.Get("error") != "consent_required" {
		t.Errorf("prompt=none without consent: %v, want consent_required", q)
	}
	pg, _ = startLogin(b, rp)
	if pg.Request.URL.Path != "/oidc/consent" {
		t.Fatalf("non-first-party service: at %s, want the consent page", pg.Request.URL)
	}
	if got := squash(pg.doc(t).Find("main ul").Text()); !strings.Contains(got, s.p.msg(t, "oidc.consent.claim.email")) {
		t.Errorf("consent page lists %q, want the e-mail address", got)
	}
	denied := b.submit(pg, `form[action="/oidc/consent"]`, url.Values{"decision": {"deny"}})
	if q := callback(t, b.followRefresh(denied)); q.Get("error") != "access_denied" {
		t.Errorf("declined: %v, want access_denied", q)
	}

	pg, l := startLogin(b, rp)
	allowed := b.submit(pg, `form[action="/oidc/consent"]`, url.Values{"decision": {"allow"}})
	if q := callback(t, b.followRefresh(allowed)); q.Get("code") == "" || q.Get("state") != l.state {
		t.Fatalf("allowed: %v, want a code", q)
	}
	pg, _ = startLogin(b, rp)
	callback(t, pg) // remembered: no page
	if n := len(s.p.eventsOf(t, "openid.consent.given", s.user)); n != 1 {
		t.Errorf("%d consent events, want 1", n)
	}

	services := b.get("/account/services")
	if !strings.Contains(services.Body, "Partnerdienst") {
		t.Fatalf("Verbundene Dienste does not list the service:\n%s", services.Body)
	}
	b.submit(services, `form[action="/account/services/revoke"]`, nil)
	pg, _ = startLogin(b, rp)
	if pg.Request.URL.Path != "/oidc/consent" {
		t.Errorf("after withdrawing: at %s, want the consent page again", pg.Request.URL)
	}
}

// TestOIDCLogoutWithoutHintAsksFirst: any site can send a browser to the
// end-session endpoint; without an ID token hint the portal asks, and
// only its own logout button ends the session.
func TestOIDCLogoutWithoutHintAsksFirst(t *testing.T) {
	s := newOIDCSetup(t)
	b := newBrowser(t, s.origin)
	login(t, s.p, b, s.rp, s.user.Email)
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := s.rp.provider.Claims(&meta); err != nil || meta.EndSession == "" {
		t.Fatalf("discovery has no end_session_endpoint: %v", err)
	}
	pg := b.get(meta.EndSession + "?" + url.Values{"post_logout_redirect_uri": {"http://localhost:9/bye"}, "client_id": {s.rp.oauth.ClientID}}.Encode())
	if pg.Request.URL.Path != "/oidc/logout/confirm" || !strings.Contains(pg.Body, s.p.msg(t, "oidc.logout_confirm.title")) {
		t.Fatalf("end session without a hint: at %s, status %d; want the confirmation page\n%s", pg.Request.URL, pg.StatusCode, pg.Body)
	}
	if acct := b.get("/account"); acct.Request.URL.Path != "/account" || acct.StatusCode != http.StatusOK {
		t.Fatalf("the session ended without the customer's confirmation (/account at %s)", acct.Request.URL)
	}
	b.submit(pg, `form[action="/logout"]`, nil)
	if acct := b.get("/account"); acct.Request.URL.Path != "/login" {
		t.Errorf("after confirming, /account is at %s, want the login page", acct.Request.URL)
	}
}
