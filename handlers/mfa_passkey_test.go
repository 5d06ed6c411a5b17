package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

func TestPasskeyRegistrationAtFirstLoginStoresCredential(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u := p.passwordUserNoMFA(t, "anna@example.de", goodPassword)
	c := stepClient(t, p, u, store.SessionMFASetup, paths.MFAPasskey)

	page := c.getOK(paths.MFAPasskey)
	form := page.Doc(t).Find("form[data-webauthn-register]")
	if form.Length() != 1 || form.Find("input#name").AttrOr("value", "") != p.msg(t, "mfa.passkey.name.default") {
		t.Fatalf("setup page has no form with the default name:\n%s", page.Body)
	}
	if page.Doc(t).Find("[data-needs-webauthn][hidden]").Length() == 0 || page.Doc(t).Find("[data-no-webauthn]:not([hidden])").Length() == 0 {
		t.Errorf("without the script the form must be hidden and the explanation shown")
	}
	if page.Doc(t).Find(`script[src*="bundle"]`).Length() != 1 || page.Doc(t).Find("[data-webauthn-messages][data-msg-failed]").Length() != 1 {
		t.Errorf("setup page does not load the script bundle (with webauthn.js) or lacks its messages")
	}

	_, fin := registerPasskey(t, p, c, passkeyRP, virtualwebauthn.AuthenticatorOptions{})
	if fin.Status != http.StatusOK || fin.Redirect != paths.RecoveryCodes {
		t.Fatalf("finish: status %d, %s; want redirect to %s", fin.Status, fin.Raw, paths.RecoveryCodes)
	}
	m, cred := storedPasskey(t, p, u)
	if m.Name != "Laptop Büro" || len(m.CredentialID) == 0 || string(m.CredentialID) != string(cred.ID) {
		t.Errorf("stored method name %q, credential id %x / %x", m.Name, m.CredentialID, cred.ID)
	}
	if cred.Authenticator.SignCount != 0 || !cred.Flags.UserPresent || !cred.Flags.UserVerified || len(cred.PublicKey) == 0 {
		t.Errorf("stored credential: sign count %d, flags %+v, public key %d bytes", cred.Authenticator.SignCount, cred.Flags, len(cred.PublicKey))
	}
	if !c.loggedIn() {
		t.Errorf("the first method does not complete the login")
	}
	if got := p.user(t, "anna@example.de").WebAuthnHandle; len(got) != 64 {
		t.Errorf("user handle has %d bytes, want 64", len(got))
	}
}

func TestPasskeyRegistrationRefusals(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u := p.passwordUserNoMFA(t, "bernd@example.de", goodPassword)
	c := stepClient(t, p, u, store.SessionMFASetup, paths.MFAPasskey)

	a := passkeyPost(t, c, paths.PasskeyRegisterBegin, map[string]string{"name": "   "})
	wantRefused(t, p, a, "passkey.error.name_missing")
	if a.Field != "name" {
		t.Errorf("name error concerns field %q, want name", a.Field)
	}
	a = passkeyPost(t, c, paths.PasskeyRegisterBegin, map[string]string{"name": strings.Repeat("ä", 61)})
	wantRefused(t, p, a, "passkey.error.name_too_long")

	// A credential made for another site is refused (its origin and RP id
	// differ), and the ceremony is used up by the attempt.
	_, fin := registerPasskey(t, p, c, evilRP, virtualwebauthn.AuthenticatorOptions{})
	wantRefused(t, p, fin, "passkey.error.register_failed")
	if !strings.Contains(p.Logs.String(), "dev_info") {
		t.Errorf("the refusal was not logged with go-webauthn's developer information")
	}
	again := passkeyPost(t, c, paths.PasskeyRegisterFinish, map[string]string{"credential": "{}"})
	wantRefused(t, p, again, "passkey.error.expired")
	if ms, _ := p.Store.MethodsOf(context.Background(), u.ID); len(ms) != 0 {
		t.Errorf("refused registrations stored %d methods", len(ms))
	}
	if c.loggedIn() {
		t.Errorf("logged in after refused registrations")
	}
}

func TestPasskeyRegistrationCeremonyIsUsedOnce(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u := p.passwordUserNoMFA(t, "clara@example.de", goodPassword)
	c := stepClient(t, p, u, store.SessionMFASetup, paths.MFAPasskey)
	begin := passkeyPost(t, c, paths.PasskeyRegisterBegin, map[string]string{"name": "Handy"})
	ao, err := virtualwebauthn.ParseAttestationOptions(begin.Raw)
	if err != nil {
		t.Fatal(err)
	}
	auth := virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: []byte(ao.UserID)})
	// Two answers to one ceremony, sent at the same time: one is stored.
	bodies := []string{
		virtualwebauthn.CreateAttestationResponse(passkeyRP, auth, newPasskeyKey(t), *ao),
		virtualwebauthn.CreateAttestationResponse(passkeyRP, auth, newPasskeyKey(t), *ao),
	}
	answers := make([]passkeyAnswer, len(bodies))
	errs := make([]error, len(bodies))
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Go(func() {
			answers[i], errs[i] = concurrentFinish(p, c, paths.PasskeyRegisterFinish, `{"credential":`+body+`}`)
		})
	}
	wg.Wait()
	ok := 0
	for i, a := range answers {
		switch {
		case errs[i] != nil:
			t.Errorf("finish: %v", errs[i])
		case a.Status == http.StatusOK:
			ok++
		case a.Status == http.StatusSeeOther:
			// The winner renewed the session first: the loser's old
			// session id is gone and it is sent to log in.
		default:
			wantRefused(t, p, a, "passkey.error.expired")
		}
	}
	if ok != 1 {
		t.Errorf("%d of two concurrent answers accepted, want 1: %+v", ok, answers)
	}
	storedPasskey(t, p, u)
}

func TestPasskeyEndpointsNeedCSRFAndTheRightStep(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u := p.passwordUserNoMFA(t, "hanna@example.de", goodPassword)
	c := stepClient(t, p, u, store.SessionMFASetup, paths.MFAPasskey)
	req := c.newRequest(http.MethodPost, paths.PasskeyRegisterBegin, strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := c.do(req); r.StatusCode != http.StatusForbidden {
		t.Errorf("begin without CSRF token: status %d, want 403", r.StatusCode)
	}
	// A session at the setup step cannot use the second-factor endpoints.
	req = c.newRequest(http.MethodPost, paths.PasskeyVerifyBegin, strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Csrf-Token", c.csrf)
	if r := c.do(req); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != paths.MFAChoose {
		t.Errorf("verify begin at setup: status %d to %q, want 303 to %s", r.StatusCode, r.Header.Get("Location"), paths.MFAChoose)
	}
}

func TestPasskeyFromTheAccountNeedsAFreshCheck(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	u := p.passwordUser(t, "ines@example.de", goodPassword) // has a second factor
	ctx := context.Background()
	authenticated := func(checkedAgo time.Duration) *client {
		now := p.Store.Now()
		at := now.Add(-checkedAgo)
		raw, err := p.Store.CreateSession(ctx, &store.Session{
			UserID: &u.ID, State: store.SessionAuthenticated, AuthenticatedAt: &at, VerifiedAt: &at,
			ExpiresAt: now.Add(time.Hour),
		})
		if err != nil {
			t.Fatalf("create session: %v", err)
		}
		c := p.client(t)
		c.cookies["session"] = &http.Cookie{Name: "session", Value: raw}
		c.getOK(paths.Account)
		return c
	}

	// Logged in long ago: the script is sent to confirm the password.
	stale := authenticated(time.Hour)
	a := passkeyPost(t, stale, paths.PasskeyRegisterBegin, map[string]string{"name": "Laptop"})
	if want := paths.Reauth + "?next=%2Fmfa%2Fpasskey"; a.Status != http.StatusUnauthorized || a.Redirect != want {
		t.Errorf("stale session: status %d, %s; want 401 with redirect %s", a.Status, a.Raw, want)
	}

	// Just checked: the passkey is added and the customer goes back to the
	// security page.
	fresh := authenticated(time.Minute)
	_, fin := registerPasskey(t, p, fresh, passkeyRP, virtualwebauthn.AuthenticatorOptions{})
	if want := paths.Security + "?notice=method_added"; fin.Status != http.StatusOK || fin.Redirect != want {
		t.Fatalf("finish: status %d, %s; want redirect to %s", fin.Status, fin.Raw, want)
	}
	storedPasskey(t, p, u)
	if !fresh.loggedIn() {
		t.Error("adding a passkey ended the session")
	}

	// The form sent without the script leads back to the page.
	r := fresh.post(plainForm, paths.MFAPasskey, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != paths.MFAPasskey {
		t.Errorf("plain form post: status %d to %q, want 303 to %s", r.StatusCode, r.Header.Get("Location"), paths.MFAPasskey)
	}
}
