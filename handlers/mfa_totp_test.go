package handlers_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/store/factor"
)

// totpCode is the code of secret at the portal's clock moved by d. Near the
// end of a time step it first moves the clock into the next one, so the
// portal checks the code in the step it was made for.
func totpCode(t *testing.T, p *portal, secret string, d time.Duration) string {
	t.Helper()
	if left := totp.Period - p.Clock.Now().Unix()%totp.Period; left <= 2 {
		p.Clock.Advance(3 * time.Second)
	}
	code, err := totp.Code(secret, p.Clock.Now().Add(d))
	if err != nil {
		t.Fatalf("totp code: %v", err)
	}
	return code
}

var groupedKey = regexp.MustCompile(`^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$`)

// readTOTPSetup checks the setup page (QR code with a text alternative, the
// key in groups of four, issuer and account) and returns the key.
func readTOTPSetup(t *testing.T, p *portal, page *response, email string) string {
	t.Helper()
	doc := page.Doc(t)
	img := doc.Find("img.qr")
	src := img.AttrOr("src", "")
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	if !strings.HasPrefix(src, "data:image/png;base64,") || err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("QR code is not a PNG data URI: %.60q", src)
	}
	if alt := img.AttrOr("alt", ""); alt != p.msg(t, "mfa.totp.setup.qr_alt") {
		t.Errorf("QR code alt = %q, want the text alternative", alt)
	}
	grouped := squash(doc.Find("code.secret").Text())
	if !groupedKey.MatchString(grouped) || len(grouped) < 19 {
		t.Fatalf("key %q is not written in groups of four", grouped)
	}
	entries := map[string]string{}
	doc.Find("dl.totp-key dt").Each(func(_ int, dt *goquery.Selection) {
		entries[squash(dt.Text())] = squash(dt.Next().Text())
	})
	for id, want := range map[string]string{"mfa.totp.setup.issuer": "Handwerkskammer für Unterfranken", "mfa.totp.setup.account": email} {
		if got := entries[p.msg(t, id)]; got != want {
			t.Errorf("setup page: %s = %q, want %q", p.msg(t, id), got, want)
		}
	}
	if doc.Find(`form[action="/mfa/totp"] input[name="code"][autocomplete="one-time-code"]`).Length() != 1 {
		t.Errorf("setup page has no field for the current code")
	}
	return strings.ReplaceAll(grouped, " ", "")
}

// startTOTP chooses the authenticator app and returns the key of its
// setup page.
func startTOTP(t *testing.T, p *portal, c *client, tr transport, email string) string {
	t.Helper()
	c.getOK("/mfa/choose")
	if to := c.submit(tr, "/mfa/choose", url.Values{"method": {"totp"}}); to != "/mfa/totp" {
		t.Fatalf("choose TOTP: sent to %q, want /mfa/totp", to)
	}
	return readTOTPSetup(t, p, c.getOK("/mfa/totp"), email)
}

func TestTOTPSetupLoginAndReplay(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "anna")
			u := p.passwordUserNoMFA(t, email, goodPassword)
			c := p.client(t)
			c.getOK("/login")
			c.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/choose")
			half := c.cookie("session")
			secret := startTOTP(t, p, c, tr, email)

			// A code two time steps old is refused, as is a made-up one.
			for _, wrong := range []string{totpCode(t, p, secret, -2*totp.Period*time.Second), "12345"} {
				r := c.post(tr, "/mfa/totp", url.Values{"code": {wrong}})
				if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Text(t), p.msg(t, "mfa.totp.error.wrong")) {
					t.Fatalf("wrong code %q: status %d, want 422 with the message\n%s", wrong, r.StatusCode, r.Body)
				}
				if again := readTOTPSetup(t, p, r, email); again != secret {
					t.Errorf("the key changed after a wrong code")
				}
			}
			if to := c.submit(tr, "/mfa/totp", url.Values{"code": {totpCode(t, p, secret, 0)}}); to != "/mfa/recovery-codes" {
				t.Fatalf("right code: sent to %q, want /mfa/recovery-codes", to)
			}
			if c.cookie("session") == half {
				t.Errorf("setting up the first method did not renew the session id")
			}
			checkRecoveryCodePages(t, p, c, tr)

			ms := p.methods(t, u)
			if len(ms) != 1 || ms[0].Kind != factor.TOTP {
				t.Fatalf("methods after setup: %+v, want one TOTP", ms)
			}
			if ms[0].Secret == "" || strings.Contains(ms[0].Secret, secret) {
				t.Errorf("the TOTP key is stored in plain: %q", ms[0].Secret)
			}
			if opened, legacy, err := testSealer(t).Open(ms[0].Secret, totp.MethodAD(u.ID.String(), ms[0].ID.String())); err != nil || opened != secret || legacy {
				t.Errorf("stored secret does not open, bound to its row, with the portal's key to the shown one: %q, legacy %v, %v", opened, legacy, err)
			}
			if evs := p.eventsOf(t, "mfa.added", u); len(evs) != 1 || evs[0].Detail != "method=totp" {
				t.Errorf("mfa.added events: %+v", evs)
			}

			// Log out, come back later: password, then a code from the app.
			c.getOK("/account")
			c.submit(tr, "/logout", nil)
			p.Clock.Advance(totp.Period * time.Second)
			login := func() *client {
				t.Helper()
				b := p.client(t)
				b.getOK("/login")
				b.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
				if b.getOK("/mfa/verify").Doc(t).Find(`form[action="/mfa/verify/totp"] input[name="code"]`).Length() != 1 {
					t.Fatalf("second step has no field for the app's code")
				}
				return b
			}
			code := totpCode(t, p, secret, 0)
			b := login()
			if to := b.submit(tr, "/mfa/verify/totp", url.Values{"code": {code}}); to != "/account" {
				t.Fatalf("login with TOTP: sent to %q, want /account", to)
			}
			if n := len(p.codeMails(t, email)); n != 0 {
				t.Errorf("%d code mails sent to a customer with an app", n)
			}

			// The same code again, in the same 30 seconds: a replay.
			b = login()
			r := b.post(tr, "/mfa/verify/totp", url.Values{"code": {code}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Text(t), p.msg(t, "mfa.totp.error.wrong")) {
				t.Fatalf("replayed code: status %d, want 422 with the message\n%s", r.StatusCode, r.Body)
			}
			if b.loggedIn() {
				t.Fatalf("logged in with a replayed code")
			}
			if evs := p.eventsOf(t, "mfa.failed", u); len(evs) != 1 || evs[0].Detail != "method=totp" {
				t.Errorf("mfa.failed events after the replay: %+v", evs)
			}
			// A later code works; one step of clock drift is allowed.
			p.Clock.Advance(2 * totp.Period * time.Second)
			if to := b.submit(tr, "/mfa/verify/totp", url.Values{"code": {totpCode(t, p, secret, -totp.Period*time.Second)}}); to != "/account" {
				t.Fatalf("code of the previous step: sent to %q, want /account", to)
			}
		})
	}
}

func TestTOTPSetupExpiresWithItsFlow(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "anna")
			u := p.passwordUserNoMFA(t, email, goodPassword)
			c := p.client(t)
			c.loginFirst(email, goodPassword)
			secret := startTOTP(t, p, c, tr, email)
			// The session stays alive; the pending key expires after 10 minutes.
			p.Clock.Advance(6 * time.Minute)
			c.getOK("/mfa/totp")
			p.Clock.Advance(5 * time.Minute)
			if to := c.submit(tr, "/mfa/totp", url.Values{"code": {totpCode(t, p, secret, 0)}}); to != "/mfa/choose?notice=expired" {
				t.Fatalf("code for an expired key: sent to %q, want /mfa/choose?notice=expired", to)
			}
			if !strings.Contains(c.getOK("/mfa/choose?notice=expired").Text(t), p.msg(t, "mfa.choose.expired")) {
				t.Errorf("the choice does not say that the setup expired")
			}
			wantRedirect(t, c, "/mfa/totp", "/mfa/choose?notice=expired")
			if ms := p.methods(t, u); len(ms) != 0 {
				t.Errorf("an expired setup stored %d methods", len(ms))
			}
			if c.loggedIn() {
				t.Errorf("logged in by an expired setup")
			}
			if fresh := startTOTP(t, p, c, tr, email); fresh == secret {
				t.Errorf("choosing again shows the expired key")
			}
		})
	}
}
