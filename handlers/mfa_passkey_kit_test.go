package handlers_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// passkeyRP is the portal as the software authenticator sees it; evilRP is
// another site.
var (
	passkeyRP = virtualwebauthn.RelyingParty{Name: "Kundenportal", ID: "localhost", Origin: baseURL}
	evilRP    = virtualwebauthn.RelyingParty{Name: "Böse", ID: "evil.example", Origin: "https://evil.example"}
)

// passkeyDevice is a software authenticator holding one passkey.
type passkeyDevice struct {
	auth virtualwebauthn.Authenticator
	key  virtualwebauthn.Credential
}

// newPasskeyKey makes a P-256 passkey whose coordinates both have 32
// bytes: virtualwebauthn v1.0.3 writes them with big.Int.Bytes, so a
// coordinate with a leading zero byte (one key in about 128) comes out
// short and is rightly refused by go-webauthn.
func newPasskeyKey(t *testing.T) virtualwebauthn.Credential {
	t.Helper()
	for {
		k := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)
		parsed, err := x509.ParsePKCS8PrivateKey(k.Key.Data)
		if err != nil {
			t.Fatalf("parse generated key: %v", err)
		}
		pub, err := parsed.(*ecdsa.PrivateKey).PublicKey.Bytes() // 0x04 || X || Y
		if err != nil {
			t.Fatalf("public key: %v", err)
		}
		if pub[1] != 0 && pub[33] != 0 {
			return k
		}
	}
}

// passkeyAnswer is a JSON answer of a ceremony endpoint.
type passkeyAnswer struct {
	Status   int
	Raw      string
	Redirect string `json:"redirect"`
	Error    string `json:"error"`
	Field    string `json:"field"`
	Flow     string `json:"flow"`
}

// passkeyPost posts body as JSON, as webauthn.js does (CSRF token in the
// header), and decodes the JSON answer.
func passkeyPost(t *testing.T, c *client, path string, body any) passkeyAnswer {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("encode %s body: %v", path, err)
	}
	if c.csrf == "" {
		t.Fatalf("POST %s: no CSRF token yet; GET a page first", path)
	}
	req := c.newRequest(http.MethodPost, path, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Csrf-Token", c.csrf)
	r := c.do(req)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("POST %s: status %d, Content-Type %q, want JSON\n%s", path, r.StatusCode, r.Header.Get("Content-Type"), r.Body)
	}
	a := passkeyAnswer{Status: r.StatusCode, Raw: r.Body}
	if err := json.Unmarshal([]byte(r.Body), &a); err != nil {
		t.Fatalf("POST %s: decode %q: %v", path, r.Body, err)
	}
	return a
}

// wantRefused checks a refusal: a 4xx JSON answer whose only content is
// the localized message (plus the field it concerns), no internal text.
func wantRefused(t *testing.T, p *portal, a passkeyAnswer, messageID string) {
	t.Helper()
	if a.Status < 400 || a.Status >= 500 {
		t.Errorf("status %d, want 4xx: %s", a.Status, a.Raw)
	}
	if want := p.msg(t, messageID, map[string]any{"Max": 60}); a.Error != want {
		t.Errorf("error = %q, want %q (%s)", a.Error, want, messageID)
	}
	var all map[string]any
	_ = json.Unmarshal([]byte(a.Raw), &all)
	for k := range all {
		if k != "error" && k != "field" {
			t.Errorf("refusal carries %q: %s", k, a.Raw)
		}
	}
	for _, internal := range []string{"rror validating", "DevInfo", "debug", "webauthn", "Session"} {
		if strings.Contains(a.Raw, internal) {
			t.Errorf("refusal shows internal text %q: %s", internal, a.Raw)
		}
	}
}

// stepClient is a browser whose session passed the password and waits in
// state (store.SessionMFASetup or store.SessionMFAVerify), with a CSRF token from page.
func stepClient(t *testing.T, p *portal, u *store.User, state store.SessionState, page string) *client {
	t.Helper()
	raw, err := p.Store.CreateSession(context.Background(), &store.Session{
		UserID: &u.ID, State: state, ExpiresAt: p.Store.Now().Add(time.Hour),
	})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	c := p.client(t)
	c.cookies["session"] = &http.Cookie{Name: "session", Value: raw}
	r := c.getOK(page)
	if c.csrf == "" { // a page without forms: the token htmx and webauthn.js use
		var headers map[string]string
		_ = json.Unmarshal([]byte(r.Doc(t).Find("body").AttrOr("hx-headers:inherited", "{}")), &headers)
		c.csrf = headers["X-Csrf-Token"]
	}
	return c
}

// registerPasskey runs the registration on the passkey page with rp's view
// of the ceremony and returns the device and the finish answer.
func registerPasskey(t *testing.T, p *portal, c *client, rp virtualwebauthn.RelyingParty, opts virtualwebauthn.AuthenticatorOptions) (*passkeyDevice, passkeyAnswer) {
	t.Helper()
	begin := passkeyPost(t, c, paths.PasskeyRegisterBegin, map[string]string{"name": "  Laptop   Büro "})
	if begin.Status != http.StatusOK {
		t.Fatalf("begin registration: status %d: %s", begin.Status, begin.Raw)
	}
	ao, err := virtualwebauthn.ParseAttestationOptions(begin.Raw)
	if err != nil {
		t.Fatalf("parse creation options: %v", err)
	}
	opts.UserHandle = []byte(ao.UserID)
	d := &passkeyDevice{auth: virtualwebauthn.NewAuthenticatorWithOptions(opts), key: newPasskeyKey(t)}
	body := virtualwebauthn.CreateAttestationResponse(rp, d.auth, d.key, *ao)
	d.auth.AddCredential(d.key)
	return d, passkeyPost(t, c, paths.PasskeyRegisterFinish, map[string]json.RawMessage{"credential": json.RawMessage(body)})
}

// assert signs the options of a begin answer with the device's passkey,
// its sign counter moved on by one.
func (d *passkeyDevice) assert(t *testing.T, rp virtualwebauthn.RelyingParty, begin passkeyAnswer) json.RawMessage {
	t.Helper()
	aso, err := virtualwebauthn.ParseAssertionOptions(begin.Raw)
	if err != nil {
		t.Fatalf("parse request options: %v", err)
	}
	d.key.Counter++
	return json.RawMessage(virtualwebauthn.CreateAssertionResponse(rp, d.auth, d.key, *aso))
}

// storedPasskey is the customer's one stored passkey.
func storedPasskey(t *testing.T, p *portal, u *store.User) (store.MFAMethod, webauthn.Credential) {
	t.Helper()
	ms, err := p.Store.MethodsOf(context.Background(), u.ID)
	if err != nil {
		t.Fatalf("methods: %v", err)
	}
	var found []store.MFAMethod
	for _, m := range ms {
		if m.Kind == factor.WebAuthn {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("customer has %d passkeys, want 1", len(found))
	}
	var cred webauthn.Credential
	if err := json.Unmarshal([]byte(found[0].Credential), &cred); err != nil {
		t.Fatalf("stored credential: %v", err)
	}
	return found[0], cred
}

// concurrentFinish posts body with c's cookies and token without touching
// c (safe in several goroutines at once).
func concurrentFinish(p *portal, c *client, path, body string) (passkeyAnswer, error) {
	req, err := http.NewRequest(http.MethodPost, baseURL+path, strings.NewReader(body))
	if err != nil {
		return passkeyAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Csrf-Token", c.csrf)
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	res, err := p.App.Test(req, -1)
	if err != nil {
		return passkeyAnswer{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return passkeyAnswer{}, err
	}
	a := passkeyAnswer{Status: res.StatusCode, Raw: string(raw)}
	if res.StatusCode == http.StatusSeeOther {
		return a, nil
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("status %d, not JSON: %s", res.StatusCode, raw)
	}
	return a, nil
}

// enrolled is a customer with a passkey made at first login, and the device.
func enrolled(t *testing.T, p *portal, email string) (*store.User, *passkeyDevice) {
	t.Helper()
	u := p.passwordUserNoMFA(t, email, goodPassword)
	c := stepClient(t, p, u, store.SessionMFASetup, paths.MFAPasskey)
	d, fin := registerPasskey(t, p, c, passkeyRP, virtualwebauthn.AuthenticatorOptions{})
	if fin.Status != http.StatusOK || fin.Redirect != paths.RecoveryCodes {
		t.Fatalf("finish registration: status %d, answer %s; want a redirect to %s", fin.Status, fin.Raw, paths.RecoveryCodes)
	}
	return p.user(t, email), d
}
