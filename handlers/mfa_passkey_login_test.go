package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/descope/virtualwebauthn"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

func TestPasskeyAsSecondFactor(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u, d := enrolled(t, p, "dora@example.de")
	c := stepClient(t, p, u, store.SessionMFAVerify, paths.MFAVerify+"?method=webauthn")

	page := c.getOK(paths.MFAVerify + "?method=webauthn")
	if page.Doc(t).Find("button[data-webauthn-verify]").Length() != 1 || page.Doc(t).Find(`script[src*="bundle"]`).Length() != 1 || page.Doc(t).Find("[data-webauthn-messages]").Length() != 1 {
		t.Fatalf("verify page has no passkey button, no script bundle (with webauthn.js) or no passkey messages:\n%s", page.Body)
	}
	begin := passkeyPost(t, c, paths.PasskeyVerifyBegin, nil)
	if begin.Status != http.StatusOK {
		t.Fatalf("begin: status %d: %s", begin.Status, begin.Raw)
	}
	assertion := d.assert(t, passkeyRP, begin)
	fin := passkeyPost(t, c, paths.PasskeyVerifyFinish, map[string]json.RawMessage{"credential": assertion})
	if fin.Status != http.StatusOK || fin.Redirect != paths.Account {
		t.Fatalf("finish: status %d, %s; want redirect to %s", fin.Status, fin.Raw, paths.Account)
	}
	if !c.loggedIn() {
		t.Fatal("not logged in after the passkey")
	}
	m, cred := storedPasskey(t, p, u)
	if cred.Authenticator.SignCount != 1 || m.LastUsedAt == nil {
		t.Errorf("after use: sign count %d, last used %v; want 1 and a time", cred.Authenticator.SignCount, m.LastUsedAt)
	}
	if evs := p.events(t, "mfa.passed"); len(evs) == 0 || evs[0].Detail != "method=webauthn" {
		t.Errorf("mfa.passed events: %+v", evs)
	}
}

func TestPasskeySecondFactorRefusals(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u, d := enrolled(t, p, "emil@example.de")
	c := stepClient(t, p, u, store.SessionMFAVerify, paths.MFAVerify+"?method=webauthn")

	// Signed for another site.
	begin := passkeyPost(t, c, paths.PasskeyVerifyBegin, nil)
	fin := passkeyPost(t, c, paths.PasskeyVerifyFinish, map[string]json.RawMessage{"credential": d.assert(t, evilRP, begin)})
	wantRefused(t, p, fin, "passkey.error.failed")

	// A good assertion, replayed: once against its used-up ceremony, once
	// against a new one.
	begin = passkeyPost(t, c, paths.PasskeyVerifyBegin, nil)
	good := d.assert(t, passkeyRP, begin)
	passkeyPost(t, c, paths.PasskeyVerifyBegin, nil) // a new ceremony replaces that one
	fin = passkeyPost(t, c, paths.PasskeyVerifyFinish, map[string]json.RawMessage{"credential": good})
	wantRefused(t, p, fin, "passkey.error.failed")
	fin = passkeyPost(t, c, paths.PasskeyVerifyFinish, map[string]json.RawMessage{"credential": good})
	wantRefused(t, p, fin, "passkey.error.expired")

	// A sign counter that went back (a cloned authenticator) is refused.
	begin = passkeyPost(t, c, paths.PasskeyVerifyBegin, nil)
	d.key.Counter = 5
	fin = passkeyPost(t, c, paths.PasskeyVerifyFinish, map[string]json.RawMessage{"credential": d.assert(t, passkeyRP, begin)})
	if fin.Status != http.StatusOK {
		t.Fatalf("good assertion: status %d: %s", fin.Status, fin.Raw)
	}
	c2 := stepClient(t, p, u, store.SessionMFAVerify, paths.MFAVerify+"?method=webauthn")
	begin = passkeyPost(t, c2, paths.PasskeyVerifyBegin, nil)
	d.key.Counter = 2
	fin = passkeyPost(t, c2, paths.PasskeyVerifyFinish, map[string]json.RawMessage{"credential": d.assert(t, passkeyRP, begin)})
	wantRefused(t, p, fin, "passkey.error.failed")
	if c2.loggedIn() {
		t.Error("logged in with a sign counter that went back")
	}
	if _, cred := storedPasskey(t, p, u); cred.Authenticator.SignCount != 6 {
		t.Errorf("stored sign count %d, want 6", cred.Authenticator.SignCount)
	}
	if n := len(p.events(t, "mfa.failed")); n != 4 {
		t.Errorf("%d mfa.failed events, want 4 (each refusal counts)", n)
	}
}

func TestPasskeyLoginWithoutPassword(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u, d := enrolled(t, p, "frieda@example.de")
	c := p.client(t)
	page := c.getOK(paths.Login)
	if got := page.Doc(t).Find("input#email").AttrOr("autocomplete", ""); got != "username webauthn" {
		t.Errorf("e-mail field autocomplete = %q, want \"username webauthn\"", got)
	}
	button := page.Doc(t).Find("[data-needs-webauthn] button[data-webauthn-login]")
	if button.Length() != 1 || button.Closest("[hidden]").Length() != 1 {
		t.Errorf("login page: want the passkey button inside a hidden [data-needs-webauthn] block")
	}

	begin := passkeyPost(t, c, paths.PasskeyLoginBegin, nil)
	if begin.Status != http.StatusOK || begin.Flow == "" || strings.Contains(begin.Raw, "allowCredentials") {
		t.Fatalf("begin: status %d: %s", begin.Status, begin.Raw)
	}
	if !strings.Contains(begin.Raw, `"userVerification":"required"`) {
		t.Errorf("passwordless login must require user verification: %s", begin.Raw)
	}
	fin := passkeyPost(t, c, paths.PasskeyLoginFinish, map[string]any{
		"flow": begin.Flow, "credential": d.assert(t, passkeyRP, begin), "next": "/account?tab=1",
	})
	if fin.Status != http.StatusOK || fin.Redirect != "/account?tab=1" {
		t.Fatalf("finish: status %d, %s; want redirect to /account?tab=1", fin.Status, fin.Raw)
	}
	if !c.loggedIn() {
		t.Fatal("not logged in after the passkey")
	}
	if _, cred := storedPasskey(t, p, u); cred.Authenticator.SignCount != 1 {
		t.Errorf("sign count %d after login, want 1", cred.Authenticator.SignCount)
	}
	evs := p.events(t, "login.ok")
	if len(evs) == 0 || evs[0].Detail != "method=passkey" || evs[0].UserID == nil || *evs[0].UserID != u.ID {
		t.Errorf("login.ok events: %+v", evs)
	}
	if got := p.user(t, "frieda@example.de").LastLoginAt; got == nil {
		t.Error("last login not recorded")
	}

	// A foreign next is dropped.
	c2 := p.client(t)
	c2.getOK(paths.Login)
	begin = passkeyPost(t, c2, paths.PasskeyLoginBegin, nil)
	fin = passkeyPost(t, c2, paths.PasskeyLoginFinish, map[string]any{
		"flow": begin.Flow, "credential": d.assert(t, passkeyRP, begin), "next": "https://evil.example/",
	})
	if fin.Redirect != paths.Account {
		t.Errorf("foreign next: redirect %q, want %s", fin.Redirect, paths.Account)
	}
}

func TestPasskeyLoginRefusals(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	_, d := enrolled(t, p, "gustav@example.de")
	c := p.client(t)
	c.getOK(paths.Login)
	login := func(rp virtualwebauthn.RelyingParty) (passkeyAnswer, map[string]any) {
		begin := passkeyPost(t, c, paths.PasskeyLoginBegin, nil)
		body := map[string]any{"flow": begin.Flow, "credential": d.assert(t, rp, begin)}
		return passkeyPost(t, c, paths.PasskeyLoginFinish, body), body
	}

	t.Run("another RP ID", func(t *testing.T) {
		fin, _ := login(evilRP)
		wantRefused(t, p, fin, "passkey.error.login_failed")
	})
	t.Run("replayed assertion", func(t *testing.T) {
		fin, body := login(passkeyRP)
		if fin.Status != http.StatusOK {
			t.Fatalf("first use: status %d: %s", fin.Status, fin.Raw)
		}
		c.cookies = map[string]*http.Cookie{"csrf": c.cookies["csrf"]} // log out, keep the token
		again := passkeyPost(t, c, paths.PasskeyLoginFinish, body)
		wantRefused(t, p, again, "passkey.error.expired")
		// The same assertion with a new ceremony: the challenge differs.
		begin := passkeyPost(t, c, paths.PasskeyLoginBegin, nil)
		body["flow"] = begin.Flow
		again = passkeyPost(t, c, paths.PasskeyLoginFinish, body)
		wantRefused(t, p, again, "passkey.error.login_failed")
		if c.loggedIn() {
			t.Error("a replayed assertion logged in")
		}
	})
	t.Run("without user verification", func(t *testing.T) {
		d.auth.Options.UserNotVerified = true
		defer func() { d.auth.Options.UserNotVerified = false }()
		fin, _ := login(passkeyRP)
		wantRefused(t, p, fin, "passkey.error.login_failed")
		if c.loggedIn() {
			t.Error("a passkey without user verification logged in without password")
		}
	})
	t.Run("unknown passkey", func(t *testing.T) {
		stranger := &passkeyDevice{
			auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: []byte("someone else")}),
			key:  newPasskeyKey(t),
		}
		begin := passkeyPost(t, c, paths.PasskeyLoginBegin, nil)
		fin := passkeyPost(t, c, paths.PasskeyLoginFinish, map[string]any{"flow": begin.Flow, "credential": stranger.assert(t, passkeyRP, begin)})
		wantRefused(t, p, fin, "passkey.error.login_failed")
	})
	t.Run("garbage", func(t *testing.T) {
		fin := passkeyPost(t, c, paths.PasskeyLoginFinish, map[string]any{"flow": "nope", "credential": map[string]string{"id": "x"}})
		wantRefused(t, p, fin, "passkey.error.expired")
		begin := passkeyPost(t, c, paths.PasskeyLoginBegin, nil)
		fin = passkeyPost(t, c, paths.PasskeyLoginFinish, map[string]any{"flow": begin.Flow, "credential": map[string]string{"id": "x"}})
		wantRefused(t, p, fin, "passkey.error.login_failed")
	})
	if n := len(p.events(t, "login.failed")); n < 6 {
		t.Errorf("%d login.failed events, want one per refusal", n)
	}
}
