package handlers_test

import (
	"context"
	"testing"

	"golang.org/x/oauth2"
)

// TestOIDCEmailClaimFollowsAChangedAddress: after the customer changed
// the address, the service reads the new one (userinfo and a refreshed ID
// token), while the tokens it holds keep working (sessions stay).
func TestOIDCEmailClaimFollowsAChangedAddress(t *testing.T) {
	s := newOIDCSetup(t)
	b := newBrowser(t, s.origin)
	l := login(t, s.p, b, s.rp, s.user.Email)
	ctx := context.Background()
	tok, err := s.rp.oauth.Exchange(ctx, l.code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	const newEmail = "meisterin.neu@example.com"
	if err := s.p.Store.ChangeEmail(ctx, s.user.ID, newEmail); err != nil {
		t.Fatalf("change e-mail: %v", err)
	}
	info, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo after the change: %v", err)
	}
	if info.Email != newEmail || !info.EmailVerified {
		t.Errorf("userinfo email %q verified %v, want %q verified", info.Email, info.EmailVerified, newEmail)
	}
	tok.Expiry = tok.Expiry.Add(-24 * 3600 * 1e9) // make the source refresh
	fresh, err := s.rp.oauth.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatalf("refresh after the change: %v", err)
	}
	raw, _ := fresh.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no ID token on refresh")
	}
	idt, err := s.rp.verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify refreshed ID token: %v", err)
	}
	var claims struct {
		Email string `json:"email"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.Email != newEmail {
		t.Errorf("refreshed ID token email %q, want %q", claims.Email, newEmail)
	}
}
