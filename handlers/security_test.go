package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// methodOf is u's second factor of kind.
func methodOf(t *testing.T, p *portal, u *store.User, kind factor.Kind) store.MFAMethod {
	t.Helper()
	for _, m := range p.methods(t, u) {
		if m.Kind == kind {
			return m
		}
	}
	t.Fatalf("%s has no %s method", u.Email, kind)
	return store.MFAMethod{}
}

// wantNoticeMail checks the newest mail to email: the notice of a change to
// the sign-in, with the message id filled for method (a message id or "").
func wantNoticeMail(t *testing.T, p *portal, email, id, method string) {
	t.Helper()
	m := p.lastMail(t, email)
	if m.Subject != p.msg(t, "mail.security.subject") {
		t.Fatalf("newest mail to %s is %q, want the notice of the change", email, m.Subject)
	}
	data := map[string]any{"Method": ""}
	if method != "" {
		data["Method"] = p.msg(t, method) // with its plain line, as everywhere
		if plain := components.PlainOf(method); plain != "" {
			data["Method"] = p.msg(t, method) + " (" + p.msg(t, plain) + ")"
		}
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := p.Clock.Now()
	found := false
	for _, at := range []time.Time{now, now.Add(-time.Minute)} { // the minute may have turned since
		data["Date"], data["Clock"] = at.In(berlin).Format("02.01.2006"), at.In(berlin).Format("15:04")
		found = found || strings.Contains(m.TextBody, p.msg(t, id, data))
	}
	if !found {
		t.Errorf("notice mail lacks %s for %q:\n%s", id, data["Method"], m.TextBody)
	}
	notYou := p.msg(t, "mail.security.not_you") + "\n" + baseURL + "/recovery\n"
	if !strings.Contains(m.TextBody, notYou) {
		t.Errorf("notice mail does not say what to do if it was not the customer:\n%s", m.TextBody)
	}
}

func TestSecurityPageNeedsLogin(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	wantRedirect(t, c, "/account/security", "/login?next=%2Faccount%2Fsecurity")
	c.getOK("/login")
	for _, path := range []string{"/account/security/remove", "/account/security/rename", "/account/security/codes", "/account/confirm"} {
		for _, tr := range transports {
			to := redirectOf(t, tr, c.post(tr, path, url.Values{"id": {"x"}}), "POST "+path+" without login")
			if !strings.HasPrefix(to, "/login") {
				t.Errorf("%s: POST %s without login sent to %q, want the login page", tr.name, path, to)
			}
		}
	}
}

func TestSecurityChangesNeedAFreshCheck(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "kunde")
			u := p.passwordUser(t, email, goodPassword)
			p.addTOTP(t, u)
			c := p.client(t)
			c.login(email, goodPassword)

			page := c.getOK("/account/security")
			items := page.Doc(t).Find("li.method")
			if items.Length() != 2 {
				t.Fatalf("security page lists %d methods, want 2:\n%s", items.Length(), page.Body)
			}
			text := page.Text(t)
			for _, want := range []string{"TOTP Device", "2-Faktor-Authentifikation per E-Mail", "Hinzugefügt am ", "Zuletzt verwendet am "} {
				if !strings.Contains(text, want) {
					t.Errorf("security page lacks %q", want)
				}
			}
			if page.Doc(t).Find(`a[href="/mfa/choose"]`).Length() == 0 {
				t.Errorf("security page offers no way to add a method")
			}
			totpID := methodOf(t, p, u, factor.TOTP).ID.String()
			emailID := methodOf(t, p, u, factor.Email).ID.String()

			// Six minutes after the login the session is alive but not fresh.
			p.Clock.Advance(6 * time.Minute)
			c.getOK("/account/security")
			const confirm = "/account/confirm?change=1&next=%2Faccount%2Fsecurity"
			if to := c.submit(tr, "/account/security/remove", url.Values{"id": {totpID}}); to != confirm {
				t.Fatalf("removal 6 minutes after login: sent to %q, want %s", to, confirm)
			}
			if n := len(p.methods(t, u)); n != 2 {
				t.Fatalf("a removal without a fresh check left %d methods", n)
			}
			form := c.getOK(confirm).Form(t, `form[action="/account/confirm"]`)
			if form.Get("next") != "/account/security" || form.Get("username") != email {
				t.Errorf("confirm form: next %q, username %q", form.Get("next"), form.Get("username"))
			}
			form.Set("password", "Falsch-geraten1!")
			r := c.post(tr, "/account/confirm", form)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Text(t), p.msg(t, "reauth.error.wrong")) {
				t.Fatalf("wrong password: status %d, want 422 with the message\n%s", r.StatusCode, r.Body)
			}
			if strings.Contains(r.Body, "Falsch-geraten1!") {
				t.Errorf("the answer contains the typed password")
			}
			// The logged-in browser is known: its failures count for it alone.
			device, _, _ := strings.Cut(c.cookie("device"), ".")
			if n, err := p.Store.Attempts(t.Context(), "login.device", device); err != nil || n != 1 {
				t.Errorf("failures of this browser after a wrong password: %d (%v), want 1", n, err)
			}
			if form.Get("change") != "1" {
				t.Errorf("confirm form does not carry the waiting change")
			}
			// The right password carries out the removal asked for before.
			form.Set("password", goodPassword)
			if to := c.submit(tr, "/account/confirm", form); to != "/account/security?notice=method_removed" {
				t.Fatalf("right password: sent to %q, want the removal done (/account/security?notice=method_removed)", to)
			}
			page = c.getOK("/account/security?notice=method_removed")
			if !strings.Contains(page.Text(t), p.msg(t, "security.notice.removed")) {
				t.Errorf("no notice of the removal")
			}
			if ms := p.methods(t, u); len(ms) != 1 || ms[0].Kind != factor.Email {
				t.Fatalf("methods after the removal: %+v, want the e-mail code", ms)
			}
			wantNoticeMail(t, p, email, "mail.security.method_removed", "mfa.method.totp.name")
			if evs := p.eventsOf(t, "mfa.removed", u); len(evs) != 1 || evs[0].Detail != "method=totp" {
				t.Errorf("mfa.removed events: %+v", evs)
			}

			// The last one stays.
			if !strings.Contains(page.Text(t), p.msg(t, "security.last_method")) || page.Doc(t).Find(`form[action="/account/security/remove"]`).Length() != 0 {
				t.Errorf("the only method is offered for removal:\n%s", page.Body)
			}
			r = c.post(tr, "/account/security/remove", url.Values{"id": {emailID}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Text(t), p.msg(t, "security.error.last_method")) {
				t.Fatalf("removing the last method: status %d, want 422 with the message\n%s", r.StatusCode, r.Body)
			}
			if n := len(p.methods(t, u)); n != 1 {
				t.Errorf("the last method was removed")
			}
			if evs := p.eventsOf(t, "mfa.removed", u); len(evs) != 1 {
				t.Errorf("%d mfa.removed events, want 1", len(evs))
			}
		})
	}
}

func TestConfirmingThePasswordIsRegulated(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.login(email, goodPassword)
	c.getOK("/account/confirm")
	wrong := url.Values{"next": {"/account/security"}, "password": {"Falsch-geraten1!"}}
	for i := 1; i <= 5; i++ {
		if r := c.post(plainForm, "/account/confirm", wrong); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password %d: status %d, want 422", i, r.StatusCode)
		}
	}
	// Audited like every other wrong password, naming the step.
	if evs := p.events(t, "login.failed"); len(evs) != 5 || evs[0].Detail != "reauth" {
		t.Errorf("audited failures %v, want 5 login.failed with detail reauth", evs)
	}
	r := c.post(plainForm, "/account/confirm", url.Values{"next": {"/account/security"}, "password": {goodPassword}})
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password after 5 wrong ones: status %d, want 429", r.StatusCode)
	}
	if !strings.Contains(r.Text(t), p.msg(t, "login.error.throttled", map[string]any{"Count": 1})) {
		t.Errorf("the 429 page does not explain the wait:\n%s", r.Body)
	}
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs <= 0 {
		t.Errorf("Retry-After = %q, want seconds (as the login's 429 has)", r.Header.Get("Retry-After"))
	}
}

func TestAddingAMethodFromTheAccount(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "kunde")
			u := p.passwordUser(t, email, goodPassword)
			c := p.client(t)
			c.login(email, goodPassword)
			session := c.cookie("session")

			p.Clock.Advance(6 * time.Minute)
			wantRedirect(t, c, "/mfa/choose", "/account/confirm?next=%2Fmfa%2Fchoose")
			c.getOK("/account/confirm?next=%2Fmfa%2Fchoose")
			if to := c.submit(tr, "/account/confirm", url.Values{"next": {"/mfa/choose"}, "password": {goodPassword}}); to != "/mfa/choose" {
				t.Fatalf("confirm: sent to %q, want /mfa/choose", to)
			}
			page := c.getOK("/mfa/choose")
			if !strings.Contains(page.Text(t), p.msg(t, "mfa.choose.intro")) {
				t.Errorf("the choice from the account lacks its intro")
			}
			if page.Doc(t).Find(`input[name="method"][value="email"]`).Length() != 0 {
				t.Errorf("the choice offers the e-mail code the customer already has")
			}
			secret := startTOTP(t, p, c, tr, email)
			if to := c.submit(tr, "/mfa/totp", url.Values{"code": {totpCode(t, p, secret, 0)}}); to != "/account/security?notice=method_added" {
				t.Fatalf("confirm the app: sent to %q, want /account/security?notice=method_added", to)
			}
			if !strings.Contains(c.getOK("/account/security?notice=method_added").Text(t), p.msg(t, "security.notice.added")) {
				t.Errorf("no notice of the new method")
			}
			if n := len(p.methods(t, u)); n != 2 {
				t.Errorf("%d methods, want 2", n)
			}
			if c.cookie("session") != session {
				t.Errorf("adding a method changed the session of a logged-in customer")
			}
			wantNoticeMail(t, p, email, "mail.security.method_added", "mfa.method.totp.name")
			if evs := p.eventsOf(t, "mfa.added", u); len(evs) != 1 || evs[0].Detail != "method=totp" {
				t.Errorf("mfa.added events: %+v", evs)
			}
		})
	}
}

func TestRenamingAMethodValidatesTheName(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			email := addrFor(tr, "kunde")
			u := p.passwordUser(t, email, goodPassword)
			pk := p.addMethod(t, u, &store.MFAMethod{Kind: factor.WebAuthn, Name: "Laptop", CredentialID: []byte("credential-" + email), Credential: "{}"})
			c := p.client(t)
			c.login(email, goodPassword)
			id := pk.ID.String()
			page := c.getOK("/account/security")
			if got := page.Doc(t).Find("input#name-"+id).AttrOr("value", ""); got != "Laptop" {
				t.Fatalf("rename field value %q, want Laptop:\n%s", got, page.Body)
			}
			for _, bad := range []string{"   ", strings.Repeat("ä", 61)} {
				r := c.post(tr, "/account/security/rename", url.Values{"id": {id}, "name": {bad}})
				if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Text(t), p.msg(t, "security.error.name")) {
					t.Fatalf("name %q: status %d, want 422 with the message\n%s", bad, r.StatusCode, r.Body)
				}
				checkSummaryLinks(t, r, "bad name")
				if got := r.Doc(t).Find("input#name-"+id).AttrOr("aria-invalid", ""); got != "true" {
					t.Errorf("name %q: the name field is not marked invalid (aria-invalid %q)", bad, got)
				}
			}
			if to := c.submit(tr, "/account/security/rename", url.Values{"id": {id}, "name": {"  Handy Büro "}}); to != "/account/security?notice=renamed" {
				t.Fatalf("rename: sent to %q", to)
			}
			if got := methodOf(t, p, u, factor.WebAuthn).Name; got != "Handy Büro" {
				t.Errorf("stored name %q, want %q", got, "Handy Büro")
			}
			if evs := p.eventsOf(t, "mfa.renamed", u); len(evs) != 1 {
				t.Errorf("%d mfa.renamed events, want 1", len(evs))
			}
			// Every change to the sign-in is mailed, renaming a passkey too.
			if m := p.lastMail(t, email); m.Subject != p.msg(t, "mail.security.subject") {
				t.Errorf("newest mail after the rename is %q, want the notice of the change", m.Subject)
			}
			if r := c.post(tr, "/account/security/rename", url.Values{"id": {"00000000-0000-0000-0000-000000000000"}, "name": {"X"}}); r.StatusCode != http.StatusNotFound {
				t.Errorf("rename of an unknown method: status %d, want 404", r.StatusCode)
			}
		})
	}
}
