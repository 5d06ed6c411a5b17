package handlers_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestAccountOverviewCountsOnlyCompletedLogins(t *testing.T) {
	p := newPortal(t)
	p.passwordUser(t, "zaehler@example.de", goodPassword)
	half := p.client(t)
	half.getOK("/login")
	half.passwordStep(plainForm, url.Values{"email": {"zaehler@example.de"}, "password": {goodPassword}}, "/mfa/verify")
	c := p.client(t)
	c.login("zaehler@example.de", goodPassword)
	items := c.getOK("/account").Doc(t).Find(".logins li")
	if items.Length() != 1 || !strings.Contains(items.Text(), "erfolgreich angemeldet") {
		t.Errorf("recent logins = %q: want exactly one successful login (the password-only step is not one)", squash(items.Text()))
	}
}

func TestEndOneOtherSessionAfterConfirmation(t *testing.T) {
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "geraete")
			p.passwordUser(t, email, goodPassword)
			other, here := p.client(t), p.client(t)
			other.login(email, goodPassword)
			here.login(email, goodPassword)
			page := here.getOK("/account")
			links := page.Doc(t).Find(`.sessions a[href^="/account/sessions/"]`)
			if links.Length() != 1 {
				t.Fatalf("%d 'end this session' links, want 1 (none for the current session):\n%s", links.Length(), page.Body)
			}
			path := links.AttrOr("href", "")
			confirm := here.getOK(path)
			if confirm.Doc(t).Find(`form[action="`+path+`"][method="post"]`).Length() != 1 {
				t.Fatalf("confirmation step has no form:\n%s", confirm.Body)
			}
			if !other.loggedIn() {
				t.Fatal("the GET of the confirmation step ended the session")
			}
			if to := here.submit(tr, path, url.Values{}); to != "/account?notice=session_ended" {
				t.Errorf("end session sent to %q", to)
			}
			if other.loggedIn() {
				t.Error("the other session still works")
			}
			if !here.loggedIn() {
				t.Error("the current session was ended too")
			}
		})
	}
}

func TestOnlyACompletedLoginCountsAsLastLogin(t *testing.T) {
	p := newPortal(t)
	p.passwordUser(t, "halb@example.de", goodPassword)
	c := p.client(t)
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {"halb@example.de"}, "password": {goodPassword}}, "/mfa/verify")
	if got := p.user(t, "halb@example.de").LastLoginAt; got != nil {
		t.Errorf("last login = %v after the password alone; it must wait for the second factor (the purge relies on it)", got)
	}
	if to := c.emailCode(plainForm, "halb@example.de"); to != "/account" {
		t.Fatalf("second factor sent to %q", to)
	}
	if got := p.user(t, "halb@example.de").LastLoginAt; got == nil {
		t.Error("last login not recorded after the second factor")
	}
}
