package handlers_test

import (
	"context"
	"log/slog"
	"net"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/provider"
)

// secondInstance runs another portal process's handler on the same
// database and secret key, behind the same public origin; it returns the
// address it listens on.
func secondInstance(t *testing.T, p *portal, origin string) string {
	t.Helper()
	h, err := handlers.New(handlers.Options{
		BaseURL: origin, Dev: true, Catalog: p.Catalog, Store: p.Store, Hasher: p.Hasher,
		SecretKey: testSecretKey, Logger: slog.New(slog.NewTextHandler(p.Logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := h.App()
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func TestOIDCTwoInstancesShareTokens(t *testing.T) {
	s := newOIDCSetup(t)
	ctx := context.Background()
	other := secondInstance(t, s.p, s.origin)
	l := login(t, s.p, newBrowser(t, s.origin), s.rp, s.user.Email)

	atB := s.rp.oauth
	atB.Endpoint.TokenURL = other + provider.PathToken
	tok, err := atB.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier)) // code from A, tokens from B
	if err != nil {
		t.Fatalf("exchange at the second instance: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if _, err := s.rp.verifier.Verify(ctx, raw); err != nil { // A's key set
		t.Fatalf("ID token of the second instance does not verify with the first one's keys: %v", err)
	}
	viaB := gooidc.NewVerifier(s.origin, gooidc.NewRemoteKeySet(ctx, other+provider.PathKeys), &gooidc.Config{ClientID: "kammer-app", SupportedSigningAlgs: []string{gooidc.ES256}})
	if _, err := viaB.Verify(ctx, raw); err != nil {
		t.Fatalf("ID token does not verify with the second instance's keys: %v", err)
	}
	if _, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil { // A's userinfo
		t.Fatalf("first instance refuses the second one's access token: %v", err)
	}
}

func TestOIDCKeyRotationKeepsOldKey(t *testing.T) {
	s := newOIDCSetup(t)
	ctx := context.Background()
	l := login(t, s.p, newBrowser(t, s.origin), s.rp, s.user.Email)
	tok, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := tok.Extra("id_token").(string)
	if err := provider.RotateKey(ctx, s.p.Store, testSecretKey); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	keys, err := s.p.Store.OIDCKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].RetiredAt != nil || keys[1].RetiredAt == nil {
		t.Fatalf("keys after rotation: %+v, %v; want a new one and the retired old one", keys, err)
	}
	fresh := gooidc.NewVerifier(s.origin, gooidc.NewRemoteKeySet(ctx, s.origin+provider.PathKeys), &gooidc.Config{ClientID: "kammer-app", SupportedSigningAlgs: []string{gooidc.ES256}})
	if _, err := fresh.Verify(ctx, before); err != nil {
		t.Errorf("token signed with the old key no longer verifies: %v", err)
	}
	l = login(t, s.p, newBrowser(t, s.origin), s.rp, s.user.Email)
	tok, err = s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := tok.Extra("id_token").(string)
	if _, err := fresh.Verify(ctx, after); err != nil {
		t.Errorf("token signed with the new key does not verify: %v", err)
	}
	if kid(t, after) != keys[0].ID {
		t.Errorf("new token signed with key %s, want the new key %s", kid(t, after), keys[0].ID)
	}
}
