package handlers_test

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
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

// TestOIDCKeysPastTheirOverlapAreDeleted: the periodic cleanup deletes a
// replaced signing key once its overlap ended (no token it signed is still
// valid), not before, and never the key that signs now.
func TestOIDCKeysPastTheirOverlapAreDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := newPortalOn(t, s)
		ctx := t.Context()
		for range 2 {
			if err := provider.RotateKey(ctx, s, testSecretKey); err != nil {
				t.Fatal(err)
			}
		}
		rows := func() []string {
			var ids []string
			if err := s.DB().NewSelect().TableExpr("oidc_keys").Column("id").Order("created_at").Scan(ctx, &ids); err != nil {
				t.Fatal(err)
			}
			return ids
		}
		all := rows()
		if len(all) != 2 {
			t.Fatalf("%d keys after two rotations, want 2", len(all))
		}
		p.Clock.Advance(provider.KeyOverlap - time.Minute)
		p.Handler.Cleanup(ctx)
		if got := rows(); len(got) != 2 {
			t.Fatalf("cleanup within the overlap left %v, want both keys", got)
		}
		p.Clock.Advance(2 * time.Minute)
		p.Handler.Cleanup(ctx)
		if got := rows(); len(got) != 1 || got[0] != all[1] {
			t.Errorf("cleanup after the overlap left %v, want only the signing key %s", got, all[1])
		}
		if keys, err := s.OIDCKeys(ctx); err != nil || len(keys) != 1 || keys[0].RetiredAt != nil {
			t.Errorf("published keys: %+v, %v; want the signing key alone", keys, err)
		}
	})
}
