package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
)

// strangerFails sends n wrong passwords for email from a browser that
// never logged in to the account.
func strangerFails(t *testing.T, p *portal, email string, n int) {
	t.Helper()
	s := p.client(t)
	s.getOK("/login")
	for range n {
		s.post(plainForm, "/login", url.Values{"email": {email}, "password": {"Falsch-geraten1!"}})
	}
	if r := s.post(plainForm, "/login", url.Values{"email": {email}, "password": {"Falsch-geraten1!"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("stranger after %d failures: status %d, want 429", n, r.StatusCode)
	}
}

func TestAKnownBrowserIsNeverLockedOutByStrangers(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	mine := p.client(t)
	mine.login(email, goodPassword)
	if mine.cookie("device") == "" {
		t.Fatal("a completed login left no device cookie")
	}
	mine.getOK("/account")
	mine.submit(plainForm, "/logout", nil)
	strangerFails(t, p, email, 15)
	mine.getOK("/login")
	mine.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")

	// A forged or foreign device cookie is an unknown browser.
	forged := p.client(t)
	forged.cookies["device"] = &http.Cookie{Name: "device", Value: mine.cookie("device") + "x"}
	forged.getOK("/login")
	if r := forged.post(plainForm, "/login", url.Values{"email": {email}, "password": {goodPassword}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("forged device cookie: status %d, want 429 like any unknown browser", r.StatusCode)
	}
}

func TestAKnownBrowserIsThrottledForItself(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	mine := p.client(t)
	mine.login(email, goodPassword)
	mine.getOK("/account")
	mine.submit(plainForm, "/logout", nil)
	mine.getOK("/login")
	for range 5 {
		mine.post(plainForm, "/login", url.Values{"email": {email}, "password": {"Falsch-geraten1!"}})
	}
	if r := mine.post(plainForm, "/login", url.Values{"email": {email}, "password": {goodPassword}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("known browser after its own 5 failures: status %d, want 429", r.StatusCode)
	}
	other := p.client(t)
	other.getOK("/login")
	other.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
}

func TestAPasswordResetLiftsTheStrangersThrottle(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	strangerFails(t, p, email, 6)
	c := p.client(t) // a new browser of the customer
	confirmLink(t, c, plainForm, requestRecovery(t, p, c, plainForm, email))
	if to := setPassword(t, c, plainForm, goodPassword+"x"); to != "/login?notice=password_changed" {
		t.Fatalf("password: sent to %q", to)
	}
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword + "x"}}, "/mfa/verify")
}
