package handlers_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
)

func TestEmailChangeByLinkToTheNewAddress(t *testing.T) {
	t.Parallel()
	dbs(t, func(t *testing.T, p *portal) { testEmailChange(t, p) })
}

func testEmailChange(t *testing.T, p *portal) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			oldEmail, newEmail := addrFor(tr, "umzug.alt"), addrFor(tr, "umzug.neu")
			u := p.passwordUser(t, oldEmail, goodPassword)
			other := p.client(t)
			other.login(oldEmail, goodPassword)
			c := p.client(t)
			c.login(oldEmail, goodPassword)
			account := c.getOK("/account").Doc(t)
			if account.Find(`a[href="/account/email"]`).Length() != 1 || account.Find(`a[href="/account/delete"]`).Length() != 1 {
				t.Fatalf("account page lacks the links to change the address and delete the account")
			}
			form := c.getOK("/account/email").Doc(t).Find(`form#email-change-form[action="/account/email"][method="post"]`)
			if form.Find(`input[name="new_email"][type="email"][autocomplete="email"]`).Length() != 1 ||
				form.Find(`input[name="current_password"][type="password"][autocomplete="current-password"]`).Length() != 1 {
				t.Fatalf("no form with the new address and the current password")
			}

			for _, bad := range []struct {
				name  string
				form  url.Values
				field string
				msg   string
			}{
				{"wrong password", url.Values{"new_email": {newEmail}, "current_password": {"Falsch-geraten1!"}}, "current_password", "password_change.error.current_wrong"},
				{"no password", url.Values{"new_email": {newEmail}}, "current_password", "password_change.error.current_missing"},
				{"not an address", url.Values{"new_email": {"umzug.neu"}, "current_password": {goodPassword}}, "new_email", "email.error.invalid"},
				{"the same address", url.Values{"new_email": {strings.ToUpper(oldEmail)}, "current_password": {goodPassword}}, "new_email", "email_change.error.same"},
			} {
				r := c.postInvalid(tr, "/account/email", bad.form, http.StatusUnprocessableEntity, "email-change-form")
				doc := r.Doc(t)
				if got := squash(doc.Find("#" + bad.field + "-error").Text()); !strings.Contains(got, p.msg(t, bad.msg)) {
					t.Errorf("%s: error at %s = %q, want %q", bad.name, bad.field, got, p.msg(t, bad.msg))
				}
				if doc.Find(`#error-summary a[href="#`+bad.field+`"]`).Length() == 0 {
					t.Errorf("%s: the error summary does not link to #%s", bad.name, bad.field)
				}
				if strings.Contains(r.Body, goodPassword) || strings.Contains(r.Body, "Falsch-geraten1!") {
					t.Errorf("%s: the answer contains the typed password", bad.name)
				}
			}
			if evs := p.eventsOf(t, "login.failed", u); len(evs) != 1 || evs[0].Detail != "email change" {
				t.Errorf("failed password checks audited: %+v, want one for the e-mail change", evs)
			}

			to := c.submit(tr, "/account/email", url.Values{"new_email": {newEmail}, "current_password": {goodPassword}})
			if to != "/account?notice=email_change_sent" {
				t.Fatalf("request: sent to %q", to)
			}
			if !strings.Contains(c.getOK(to).Text(t), p.msg(t, "account.email_change.sent")) {
				t.Errorf("no notice that the link was sent")
			}
			if got := p.user(t, oldEmail); got.ID != u.ID {
				t.Fatalf("the address changed before the link was followed")
			}
			link := linkIn(t, p.lastMail(t, newEmail), "/account/email/confirm?token=")
			var hash []byte
			if err := p.Store.IDB().NewSelect().Model((*store.Token)(nil)).Column("token_hash").Where("kind = ?", store.TokenEmailChange).Where("user_id = ?", u.ID).Scan(context.Background(), &hash); err != nil {
				t.Fatalf("token: %v", err)
			}
			if !bytes.Equal(hash, store.HashToken(tokenOf(t, link))) {
				t.Errorf("the link's token is not stored hashed")
			}

			page := c.getOK(link)
			if !strings.Contains(page.Text(t), newEmail) {
				t.Errorf("confirmation page does not name the new address:\n%s", page.Body)
			}
			page = c.getOK(link) // a GET never uses the link up
			if to := c.submit(tr, "/account/email/confirm", page.Form(t, "main form")); to != "/account?notice=email_changed" {
				t.Fatalf("confirm: sent to %q", to)
			}
			got, err := p.Store.UserByEmail(context.Background(), newEmail)
			if err != nil || got.ID != u.ID || got.EmailVerifiedAt == nil {
				t.Fatalf("after the link: %+v, %v; want the account under the new address", got, err)
			}
			if !c.loggedIn() || !other.loggedIn() {
				t.Errorf("sessions after the change: this %v, other %v; want both kept", c.loggedIn(), other.loggedIn())
			}
			if evs := p.eventsOf(t, "email.changed", u); len(evs) != 1 || evs[0].Email != newEmail {
				t.Errorf("email.changed events: %+v", evs)
			}
			wantDeviceMailTo(t, p, oldEmail, "mail.security.email_changed", map[string]any{"NewEmail": newEmail})
			if r := c.post(tr, "/account/email/confirm", page.Form(t, "main form")); r.StatusCode != http.StatusGone {
				t.Errorf("the link a second time: status %d, want 410", r.StatusCode)
			}
			fresh := p.client(t)
			fresh.getOK("/login")
			fresh.passwordStep(plainForm, url.Values{"email": {newEmail}, "password": {goodPassword}}, "/mfa/verify")
		})
	}
}

// wantDeviceMailTo checks that the newest mail to email is a security
// notice with the message id filled with date, time and extra.
func wantDeviceMailTo(t *testing.T, p *portal, email, id string, extra map[string]any) {
	t.Helper()
	m := p.lastMail(t, email)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	found := false
	for _, at := range []time.Time{p.Clock.Now(), p.Clock.Now().Add(-time.Minute)} {
		data := map[string]any{"Date": at.In(berlin).Format("02.01.2006"), "Clock": at.In(berlin).Format("15:04")}
		for k, v := range extra {
			data[k] = v
		}
		found = found || strings.Contains(m.TextBody, p.msg(t, id, data))
	}
	if m.Subject != p.msg(t, "mail.security.subject") || !found {
		t.Errorf("newest mail to %s (%q) lacks %s:\n%s", email, m.Subject, id, m.TextBody)
	}
}

// TestEmailChangeToAnAddressInUse: the customer gets the same answer, the
// owner of the address a notice and no link, and nothing changes.
func TestEmailChangeToAnAddressInUse(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email, taken, free = "wechsler@example.de", "besetzt@example.de", "frei@example.de"
	u := p.passwordUser(t, email, goodPassword)
	owner := p.passwordUser(t, taken, otherPassword)
	c := p.client(t)
	c.login(email, goodPassword)
	c.getOK("/account/email")
	toTaken := c.post(plainForm, "/account/email", url.Values{"new_email": {"Besetzt@Example.de"}, "current_password": {goodPassword}})
	toFree := c.post(plainForm, "/account/email", url.Values{"new_email": {free}, "current_password": {goodPassword}})
	if toTaken.StatusCode != toFree.StatusCode || toTaken.Header.Get("Location") != toFree.Header.Get("Location") || toTaken.Body != toFree.Body {
		t.Errorf("answers differ: taken %d %q, free %d %q", toTaken.StatusCode, toTaken.Header.Get("Location"), toFree.StatusCode, toFree.Header.Get("Location"))
	}
	m := p.lastMail(t, taken)
	if m.Subject != p.msg(t, "mail.email_change_taken.subject") || strings.Contains(m.TextBody, "/account/email/confirm") || strings.Contains(m.TextBody, "token=") {
		t.Errorf("owner of the address got %q, want the notice without a link:\n%s", m.Subject, m.TextBody)
	}
	linkIn(t, p.lastMail(t, free), "/account/email/confirm?token=")
	if got := p.user(t, email); got.ID != u.ID {
		t.Errorf("the requester's address changed")
	}
	if got := p.user(t, taken); got.ID != owner.ID {
		t.Errorf("the owner's account changed")
	}
}

// TestEmailChangeLinkAfterTheAddressWasTaken: when the new address got an
// account of its own before the link was followed, nothing changes.
func TestEmailChangeLinkAfterTheAddressWasTaken(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email, target = "spaet@example.de", "zuvor@example.de"
	u := p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.login(email, goodPassword)
	c.getOK("/account/email")
	c.submit(plainForm, "/account/email", url.Values{"new_email": {target}, "current_password": {goodPassword}})
	link := linkIn(t, p.lastMail(t, target), "/account/email/confirm?token=")
	p.passwordUser(t, target, otherPassword)
	page := c.getOK(link)
	r := c.post(plainForm, "/account/email/confirm", page.Form(t, "main form"))
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Text(t), p.msg(t, "email_change.taken.body")) {
		t.Errorf("link to a taken address: status %d, want 409 with the explanation", r.StatusCode)
	}
	if got := p.user(t, email); got.ID != u.ID {
		t.Errorf("the address changed to a taken one")
	}
}

func TestAccountDeletion(t *testing.T) {
	t.Parallel()
	dbs(t, func(t *testing.T, p *portal) { testAccountDeletion(t, p) })
}

func testAccountDeletion(t *testing.T, p *portal) {
	ctx := context.Background()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "abschied")
			u := p.passwordUser(t, email, goodPassword)
			p.addTOTP(t, u)
			company := &store.Company{Number: "DEL" + strings.Fields(tr.name)[0], Name: "Tischlerei Abschied", Street: "Weg 1", Postcode: "97070", City: "Würzburg"}
			if _, err := p.Store.SaveCompany(ctx, company); err != nil {
				t.Fatalf("company: %v", err)
			}
			if _, err := p.Store.LinkCompany(ctx, u.ID, company.ID); err != nil {
				t.Fatalf("link: %v", err)
			}
			client := store.OIDCClient{ID: "dienst-" + strings.Fields(tr.name)[0], Name: "Dienst", RedirectURIs: "http://localhost:9/cb", Scopes: "openid email"}
			if _, err := p.Store.CreateOIDCClient(ctx, &client); err != nil {
				t.Fatalf("client: %v", err)
			}
			if err := p.Store.SaveOIDCConsent(ctx, u.ID, client.ID, []string{"openid", "email"}); err != nil {
				t.Fatalf("consent: %v", err)
			}
			if _, err := p.Store.CreateOIDCToken(ctx, &store.OIDCToken{Kind: store.OIDCAccess, ClientID: client.ID, UserID: u.ID, Scopes: "openid", AuthTime: p.Store.Now()}, time.Hour); err != nil {
				t.Fatalf("oidc token: %v", err)
			}
			other := p.client(t)
			other.login(email, goodPassword)
			c := p.client(t)
			c.login(email, goodPassword)
			for _, table := range []string{"sessions", "mfa_methods", "company_links", "oidc_tokens", "oidc_consents"} {
				if n, err := p.Store.IDB().NewSelect().Table(table).Where("user_id = ?", u.ID).Count(ctx); err != nil || n == 0 {
					t.Fatalf("fixture: %s rows of the account before deletion: %d (%v)", table, n, err)
				}
			}

			page := c.getOK("/account/delete")
			doc := page.Doc(t)
			if got := squash(doc.Find("h1").Text()); got != p.msg(t, "confirmstep.title") {
				t.Errorf("h1 = %q, want %q", got, p.msg(t, "confirmstep.title"))
			}
			if doc.Find(`form[action="/account/delete"][method="post"] input[name="current_password"][autocomplete="current-password"]`).Length() != 1 ||
				doc.Find(`a[href="/account"]`).Length() == 0 {
				t.Fatalf("delete step lacks the password field or the way back:\n%s", page.Body)
			}
			for _, form := range []url.Values{{"current_password": {"Falsch-geraten1!"}}, {}} {
				r := c.post(tr, "/account/delete", form)
				if r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find("#current_password-error").Length() != 1 {
					t.Fatalf("delete with %v: status %d, want 422 with the error at the field\n%s", form, r.StatusCode, r.Body)
				}
			}
			if _, err := p.Store.UserByID(ctx, u.ID); err != nil {
				t.Fatalf("a wrong password deleted the account: %v", err)
			}

			if to := c.submit(tr, "/account/delete", url.Values{"current_password": {goodPassword}}); to != "/login?notice=account_deleted" {
				t.Fatalf("delete: sent to %q", to)
			}
			if !strings.Contains(c.getOK("/login?notice=account_deleted").Text(t), p.msg(t, "notice.account_deleted")) {
				t.Errorf("login page lacks the notice")
			}
			if _, err := p.Store.UserByID(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("account after deletion: %v, want ErrNotFound", err)
			}
			if c.loggedIn() || other.loggedIn() {
				t.Errorf("sessions after deletion: this %v, other %v; want none", c.loggedIn(), other.loggedIn())
			}
			for _, table := range []string{"sessions", "mfa_methods", "recovery_codes", "company_links", "tokens", "oidc_tokens", "oidc_consents"} {
				n, err := p.Store.IDB().NewSelect().Table(table).Where("user_id = ?", u.ID).Count(ctx)
				if err != nil || n != 0 {
					t.Errorf("%s rows of the deleted account: %d (%v)", table, n, err)
				}
			}
			evs := p.eventsOf(t, "account.deleted", u)
			if len(evs) != 1 || evs[0].Email != "" || evs[0].IP != "" {
				t.Errorf("account.deleted events: %+v; want one with the account id alone", evs)
			}
			for _, e := range p.eventsOf(t, "login.ok", u) {
				if e.Email != "" {
					t.Errorf("an older audit row keeps the address: %+v", e)
				}
			}
			m := p.lastMail(t, email)
			if m.Subject != p.msg(t, "mail.account_deleted.subject") || !strings.Contains(m.TextBody, email) {
				t.Errorf("final mail %q:\n%s", m.Subject, m.TextBody)
			}
			// The address can register again.
			c.getOK("/register")
			c.submit(plainForm, "/register", url.Values{"email": {email}})
			linkIn(t, p.lastMail(t, email), "/register/confirm?token=")
		})
	}
}
