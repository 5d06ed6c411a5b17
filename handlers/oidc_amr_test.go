package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"golang.org/x/oauth2"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// TestOIDCAMRSaysWhichKindOfPasskeyWasUsed: a real WebAuthn ceremony (the
// virtual authenticator) with a passkey bound to its device gives amr
// "hwk", with a synced (backup-eligible) passkey "swk", whether the passkey
// logs in alone or follows the password; the flag is that of the passkey
// of this ceremony, not of another one the customer used since.
func TestOIDCAMRSaysWhichKindOfPasskeyWasUsed(t *testing.T) {
	for _, tc := range []struct {
		name           string
		synced, second bool
		want           []string
	}{
		{"device-bound passkey alone", false, false, []string{"hwk", "mfa"}},
		{"synced passkey alone", true, false, []string{"swk", "mfa"}},
		{"password and device-bound passkey", false, true, []string{"pwd", "hwk", "mfa"}},
		{"password and synced passkey", true, true, []string{"pwd", "swk", "mfa"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, origin := serve(t)
			ctx := t.Context()
			secret := addClient(t, p, store.OIDCClient{ID: "kammer-app", Name: "Kammer-App", FirstParty: true})
			rp := newRP(t, origin, "kammer-app", secret)
			wa := virtualwebauthn.RelyingParty{Name: "Kundenportal", ID: "localhost", Origin: origin}

			u := p.passwordUserNoMFA(t, "passkey@example.de", goodPassword)
			setup := stepClient(t, p, u, store.SessionMFASetup, paths.MFAPasskey)
			d, fin := registerPasskey(t, p, setup, wa, virtualwebauthn.AuthenticatorOptions{BackupEligible: tc.synced, BackupState: tc.synced})
			if fin.Status != http.StatusOK {
				t.Fatalf("register: status %d: %s", fin.Status, fin.Raw)
			}
			// The other kind of passkey, used after this session's ceremony
			// by another browser, must not change this session's amr.
			other := freshClient(t, p, u)
			o, fin := registerPasskey(t, p, other, wa, virtualwebauthn.AuthenticatorOptions{BackupEligible: !tc.synced, BackupState: !tc.synced})
			if fin.Status != http.StatusOK {
				t.Fatalf("register the other passkey: status %d: %s", fin.Status, fin.Raw)
			}

			c := ceremony(t, p, u, d, wa, tc.second)
			ceremony(t, p, u, o, wa, false)

			b := newBrowser(t, origin)
			base, _ := url.Parse(origin)
			b.http.Jar.SetCookies(base, []*http.Cookie{{Name: "session", Value: c.cookies["session"].Value, Path: "/"}})
			pg, l := startLogin(b, rp)
			if pg.Request.URL.Path == "/oidc/continue" {
				pg = b.followRefresh(pg)
			}
			q := callback(t, pg)
			tok, err := rp.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(l.verifier))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := tok.Extra("id_token").(string)
			idt, err := rp.verifier.Verify(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			var claims struct {
				AMR []string `json:"amr"`
				ACR string   `json:"acr"`
			}
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(claims.AMR, tc.want) || claims.ACR != "urn:kundenportal:acr:mfa" {
				t.Errorf("amr %v, acr %q; want %v and the second-factor acr", claims.AMR, claims.ACR, tc.want)
			}
		})
	}
}

// ceremony logs u in with device d: the passkey alone ("Mit Passkey
// anmelden") or, with second, as the second factor after the password.
func ceremony(t *testing.T, p *portal, u *store.User, d *passkeyDevice, wa virtualwebauthn.RelyingParty, second bool) *client {
	t.Helper()
	var c *client
	var fin passkeyAnswer
	if second {
		c = stepClient(t, p, u, store.SessionMFAVerify, paths.MFAVerify+"?method=webauthn")
		begin := passkeyPost(t, c, paths.PasskeyVerifyBegin, nil)
		fin = passkeyPost(t, c, paths.PasskeyVerifyFinish, map[string]json.RawMessage{"credential": d.assert(t, wa, begin)})
	} else {
		c = p.client(t)
		c.getOK("/login")
		begin := passkeyPost(t, c, paths.PasskeyLoginBegin, nil)
		fin = passkeyPost(t, c, paths.PasskeyLoginFinish, map[string]any{"flow": begin.Flow, "credential": d.assert(t, wa, begin)})
	}
	if fin.Status != http.StatusOK || c.cookies["session"] == nil {
		t.Fatalf("passkey ceremony (second factor %v): status %d: %s", second, fin.Status, fin.Raw)
	}
	return c
}

// freshClient is a browser of u that logged in (with a second factor) just
// now: it may add a passkey without confirming the password again.
func freshClient(t *testing.T, p *portal, u *store.User) *client {
	t.Helper()
	now := p.Store.Now()
	raw, err := p.Store.CreateSession(t.Context(), &store.Session{
		UserID: &u.ID, State: store.SessionAuthenticated, AuthenticatedAt: &now, VerifiedAt: &now, ExpiresAt: now.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := p.client(t)
	c.cookies["session"] = &http.Cookie{Name: "session", Value: raw}
	c.getOK("/account")
	return c
}
