package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers"
)

func TestIdleSessionEndsAndLoginReturnsToThePage(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const email = "kunde@example.de"
			p.passwordUser(t, email, goodPassword)
			c := p.client(t)
			c.login(email, goodPassword)

			// Activity keeps the session: 18 minutes in two steps of 9.
			for range 2 {
				p.Clock.Advance(9 * time.Minute)
				c.getOK("/account")
			}
			p.Clock.Advance(11 * time.Minute)
			r := c.get("/account")
			const want = "/login?next=%2Faccount&notice=session_expired"
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
				t.Fatalf("GET /account after 11 idle minutes: status %d to %q, want 303 to %s", r.StatusCode, r.Header.Get("Location"), want)
			}
			login := c.getOK(want)
			if text := login.Text(t); !strings.Contains(text, "Ihre Sitzung ist abgelaufen") {
				t.Errorf("login page lacks the session-expired notice:\n%s", text)
			}
			form := login.Form(t, "#login-form")
			if form.Get("next") != "/account" {
				t.Errorf("login form next = %q, want /account", form.Get("next"))
			}
			form.Set("email", email)
			form.Set("password", goodPassword)
			c.passwordStep(tr, form, "/mfa/verify")
			if to := c.emailCode(tr, email); to != "/account" {
				t.Errorf("login after expiry: sent to %q, want /account (next kept through the second factor)", to)
			}
			c.getOK("/account")
		})
	}
}

func TestSessionEndsAfterTwelveHoursEvenWithActivity(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.login(email, goodPassword)
	const step = 9 * time.Minute
	steps := int(handlers.AbsoluteSessionLimit / step) // 80 steps reach the limit exactly
	for i := 1; i < steps; i++ {
		p.Clock.Advance(step)
		if r := c.get("/account"); r.StatusCode != http.StatusOK {
			t.Fatalf("after %v of activity: status %d, want the account page", time.Duration(i)*step, r.StatusCode)
		}
	}
	p.Clock.Advance(step)
	r := c.get("/account")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?") {
		t.Fatalf("after 12 h: status %d to %q, want the login page", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			c := p.client(t)
			c.login(email, goodPassword)
			old := c.cookie("session")
			c.getOK("/account")
			if to := c.submit(tr, "/logout", nil); to != "/login?notice=logged_out" {
				t.Fatalf("logout: sent to %q", to)
			}
			if c.cookie("session") != "" {
				t.Errorf("the session cookie was not cleared")
			}
			if !strings.Contains(c.getOK("/login?notice=logged_out").Text(t), p.msg(t, "notice.logged_out")) {
				t.Errorf("login page lacks the logged-out notice")
			}
			replay := p.client(t)
			replay.cookies["session"] = &http.Cookie{Name: "session", Value: old}
			if replay.loggedIn() {
				t.Errorf("the old session cookie still works after logout")
			}
		})
	}
}

func TestEndOtherSessionsKeepsThisOne(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email, neighbour = "kunde@example.de", "nachbar@example.de"
	p.passwordUser(t, email, goodPassword)
	p.passwordUser(t, neighbour, otherPassword)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			here, phone, tablet, other := p.client(t), p.client(t), p.client(t), p.client(t)
			for _, c := range []*client{here, phone, tablet} {
				c.login(email, goodPassword)
			}
			other.login(neighbour, otherPassword)
			page := here.getOK("/account")
			if n := page.Doc(t).Find("ul.sessions li").Length(); n < 3 {
				t.Errorf("account page lists %d sessions, want at least 3", n)
			}
			if page.Doc(t).Find(`form[action="/account/sessions/end-others"]`).Length() == 0 {
				t.Fatalf("no form to end the other sessions")
			}
			if to := here.submit(tr, "/account/sessions/end-others", nil); to != "/account?notice=sessions_ended" {
				t.Fatalf("end others: sent to %q", to)
			}
			if !here.loggedIn() {
				t.Errorf("this session ended too")
			}
			if phone.loggedIn() || tablet.loggedIn() {
				t.Errorf("another session of the account still works")
			}
			if !other.loggedIn() {
				t.Errorf("another customer's session ended")
			}
		})
	}
}

func TestAccountNeedsLogin(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	r := c.get("/account")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Faccount" {
		t.Errorf("GET /account without login: status %d to %q, want 303 to /login?next=%%2Faccount", r.StatusCode, r.Header.Get("Location"))
	}
	c.getOK("/login")
	for _, tr := range transports {
		to := redirectOf(t, tr, c.post(tr, "/account/sessions/end-others", url.Values{}), "POST end-others without login")
		if !strings.HasPrefix(to, "/login") || strings.Contains(to, "next=") {
			t.Errorf("%s: POST without login sent to %q, want the login page without next", tr.name, to)
		}
	}
}

func TestStayLoggedInRenewsTheSession(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.login(email, goodPassword)
	page := c.getOK("/account")
	form := page.Form(t, `form[action="/session/extend"]`)
	if form.Get("next") != "/account" {
		t.Errorf("stay-logged-in form next = %q, want /account", form.Get("next"))
	}
	p.Clock.Advance(9 * time.Minute)
	if r := c.post(htmxPost, "/session/extend", nil); r.StatusCode != http.StatusNoContent {
		t.Errorf("htmx extend: status %d, want 204", r.StatusCode)
	}
	p.Clock.Advance(9 * time.Minute)
	if to := c.submit(plainForm, "/session/extend", form); to != "/account" {
		t.Errorf("plain extend: sent to %q, want /account", to)
	}
	p.Clock.Advance(9 * time.Minute)
	if to := c.submit(plainForm, "/session/extend", url.Values{"next": {"https://evil.example"}}); to != "/account" {
		t.Errorf("extend with a foreign next: sent to %q, want /account", to)
	}
	if !c.loggedIn() {
		t.Errorf("logged out after 27 minutes with a renewal every 9")
	}
}
