package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/store"
)

// shownCodes reads the recovery codes from their page.
func shownCodes(t *testing.T, c *client) []string {
	t.Helper()
	page := c.getOK("/mfa/recovery-codes")
	var list []string
	page.Doc(t).Find("ol.recovery-codes li code").Each(func(_ int, s *goquery.Selection) {
		list = append(list, strings.TrimSpace(s.Text()))
	})
	if len(list) != 10 {
		t.Fatalf("recovery codes page shows %d codes, want 10:\n%s", len(list), page.Body)
	}
	return list
}

// finishCodes reads the shown recovery codes, presses "Ich habe die Codes
// sicher aufbewahrt" and expects to be sent to want.
func finishCodes(t *testing.T, c *client, tr transport, want string) []string {
	t.Helper()
	list := shownCodes(t, c)
	if to := c.submit(tr, "/mfa/recovery-codes", nil); to != want {
		t.Fatalf("codes saved: sent to %q, want %s", to, want)
	}
	return list
}

func TestRecoveryCodeReplacesTheSecondFactorOnce(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			email := addrFor(tr, "kunde")
			u := p.passwordUserNoMFA(t, email, goodPassword)
			c := p.client(t)
			c.loginFirst(email, goodPassword)
			codes := enrolEmail(t, p, c, tr, email)

			var stored []store.RecoveryCode
			if err := p.Store.IDB().NewSelect().Model(&stored).Where("user_id = ?", u.ID).Scan(t.Context()); err != nil {
				t.Fatal(err)
			}
			if len(stored) != 10 {
				t.Fatalf("%d recovery codes stored, want 10", len(stored))
			}
			for _, rc := range stored {
				for _, code := range codes {
					if strings.Contains(string(rc.CodeHash), code) || len(rc.CodeHash) != 32 {
						t.Errorf("recovery code %q not stored as a 32-byte hash: %q", code, rc.CodeHash)
					}
				}
			}

			use := func(code string) (*client, *response) {
				t.Helper()
				b := p.client(t)
				b.getOK("/login")
				b.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
				page := b.getOK("/mfa/verify")
				if page.Doc(t).Find(`a[href="/mfa/verify?method=recovery"]`).Length() == 0 {
					t.Fatalf("the second step offers no recovery code:\n%s", page.Body)
				}
				if b.getOK("/mfa/verify?method=recovery").Doc(t).Find(`form[action="/mfa/verify/recovery"] input[name="code"]`).Length() == 0 {
					t.Fatalf("no form for a recovery code")
				}
				return b, b.post(tr, "/mfa/verify/recovery", url.Values{"code": {code}})
			}
			// Typed in capitals with spaces, as people copy it from paper.
			b, r := use(" " + strings.ToUpper(codes[3]) + " ")
			const used = "/mfa/recovery-code-used?next=%2Faccount"
			if to := redirectOf(t, tr, r, "recovery code"); to != used {
				t.Fatalf("recovery code: sent to %q, want %s", to, used)
			}
			if !b.loggedIn() {
				t.Fatalf("not logged in with a recovery code")
			}
			usedPage := b.getOK(used)
			if want := p.msg(t, "mfa.recovery_used.left", map[string]any{"Count": 9}); !strings.Contains(usedPage.Text(t), want) {
				t.Errorf("the page after the recovery code lacks %q", want)
			}
			if usedPage.Doc(t).Find(`a[href="/account"]`).Length() == 0 || usedPage.Doc(t).Find("#codes-few").Length() != 0 {
				t.Errorf("the page after the recovery code: want a way on to /account and no prompt with 9 codes left:\n%s", usedPage.Body)
			}
			wantDeviceMail(t, p, email, "mail.security.recovery_used", map[string]any{"Left": 9})
			if evs := p.eventsOf(t, "mfa.recovery_code_used", u); len(evs) != 1 {
				t.Errorf("%d mfa.recovery_code_used events, want 1", len(evs))
			}
			left := b.getOK("/account/security")
			if want := p.msg(t, "security.codes.left", map[string]any{"Count": 9}); !strings.Contains(left.Text(t), want) {
				t.Errorf("security page lacks %q", want)
			}

			b, again := use(codes[3])
			if again.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(again.Text(t), p.msg(t, "mfa.recovery.error.wrong")) {
				t.Errorf("a used recovery code again: status %d, want 422 with the message\n%s", again.StatusCode, again.Body)
			}
			if b.loggedIn() {
				t.Errorf("logged in with a used recovery code")
			}
		})
	}
}

// checkRecoveryCodePages checks the codes shown after the first method:
// ten codes, a text download, a print view, then on to the account. The
// codes are shown only once.
func checkRecoveryCodePages(t *testing.T, p *portal, c *client, tr transport) []string {
	t.Helper()
	codes := shownCodes(t, c)
	page := c.getOK("/mfa/recovery-codes")
	if page.Doc(t).Find(`a[href="/mfa/recovery-codes.txt"]`).Length() != 1 || page.Doc(t).Find(`a[href="/mfa/recovery-codes?print=1"]`).Length() != 1 {
		t.Errorf("codes page lacks the download or the print link:\n%s", page.Body)
	}
	if !strings.Contains(page.Text(t), p.msg(t, "mfa.codes.done")) {
		t.Errorf("codes page lacks the button %q", p.msg(t, "mfa.codes.done"))
	}
	txt := c.get("/mfa/recovery-codes.txt")
	if txt.StatusCode != http.StatusOK || !strings.HasPrefix(txt.Header.Get("Content-Type"), "text/plain") ||
		!strings.HasPrefix(txt.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: status %d, Content-Type %q, Content-Disposition %q; want a text attachment",
			txt.StatusCode, txt.Header.Get("Content-Type"), txt.Header.Get("Content-Disposition"))
	}
	print := c.getOK("/mfa/recovery-codes?print=1")
	for _, code := range codes {
		if !strings.Contains(txt.Body, code) || !strings.Contains(print.Body, code) {
			t.Errorf("code %s missing from the download or the print view", code)
		}
	}
	if print.Doc(t).Find(`form[action="/mfa/recovery-codes"]`).Length() != 0 {
		t.Errorf("the print view has the form")
	}
	if to := c.submit(tr, "/mfa/recovery-codes", nil); to != "/account" {
		t.Fatalf("codes saved: sent to %q, want /account", to)
	}
	wantRedirect(t, c, "/mfa/recovery-codes", "/account")
	if r := c.get("/mfa/recovery-codes.txt"); r.StatusCode != http.StatusNotFound {
		t.Errorf("download after the codes were saved: status %d, want 404", r.StatusCode)
	}
	return codes
}

func TestNewRecoveryCodesVoidTheOld(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			email := addrFor(tr, "kunde")
			u := p.passwordUserNoMFA(t, email, goodPassword)
			c := p.client(t)
			c.loginFirst(email, goodPassword)
			old := enrolEmail(t, p, c, tr, email)
			if want := p.msg(t, "security.codes.left", map[string]any{"Count": 10}); !strings.Contains(c.getOK("/account/security").Text(t), want) {
				t.Errorf("security page lacks %q", want)
			}
			if to := c.submit(tr, "/account/security/codes", nil); to != "/mfa/recovery-codes" {
				t.Fatalf("new codes: sent to %q, want /mfa/recovery-codes", to)
			}
			fresh := finishCodes(t, c, tr, "/account/security")
			for _, code := range fresh {
				for _, o := range old {
					if code == o {
						t.Errorf("the new set repeats %s", code)
					}
				}
			}
			wantNoticeMail(t, p, email, "mail.security.codes_renewed", "")
			if evs := p.eventsOf(t, "mfa.recovery_codes_renewed", u); len(evs) != 1 {
				t.Errorf("%d mfa.recovery_codes_renewed events, want 1", len(evs))
			}

			use := func(code string) (*client, *response) {
				b := p.client(t)
				b.getOK("/login")
				b.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
				b.getOK("/mfa/verify?method=recovery")
				return b, b.post(tr, "/mfa/verify/recovery", url.Values{"code": {code}})
			}
			if _, r := use(old[0]); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("a code of the old set: status %d, want 422", r.StatusCode)
			}
			b, r := use(fresh[0])
			if to := redirectOf(t, tr, r, "a code of the new set"); to != "/mfa/recovery-code-used?next=%2Faccount" || !b.loggedIn() {
				t.Errorf("a code of the new set: sent to %q, want the page after a recovery code and logged in", to)
			}
		})
	}
}

func TestPasswordResetKeepsTheSecondFactor(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			email := addrFor(tr, "kunde")
			u := p.passwordUserNoMFA(t, email, goodPassword)
			c := p.client(t)
			c.loginFirst(email, goodPassword)
			enrolEmail(t, p, c, tr, email)
			p.addTOTP(t, u)
			before := p.methods(t, u)

			r := p.client(t)
			confirmLink(t, r, tr, requestRecovery(t, p, r, tr, email))
			if to := setPassword(t, r, tr, otherPassword); to != "/login?notice=password_changed" {
				t.Fatalf("reset: sent to %q", to)
			}
			after := p.methods(t, u)
			if len(after) != len(before) {
				t.Fatalf("%d methods after the reset, want %d", len(after), len(before))
			}
			for i := range before {
				if after[i].ID != before[i].ID || after[i].Kind != before[i].Kind || after[i].Secret != before[i].Secret {
					t.Errorf("method %d changed by the reset: %+v, was %+v", i, after[i], before[i])
				}
			}
			if n, err := p.Store.RecoveryCodesLeft(t.Context(), u.ID); err != nil || n != 10 {
				t.Errorf("recovery codes left after the reset: %d (%v), want 10", n, err)
			}
			// The next login still asks for the second factor (not for a new one).
			b := p.client(t)
			b.getOK("/login")
			b.passwordStep(tr, url.Values{"email": {email}, "password": {otherPassword}}, "/mfa/verify")
			if to := b.emailCode(tr, email); to != "/account" {
				t.Fatalf("second factor after the reset: sent to %q, want /account", to)
			}
			if evs := p.eventsOf(t, "mfa.removed", u); len(evs) != 0 {
				t.Errorf("the reset removed methods: %+v", evs)
			}
		})
	}
}
