package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/store"
)

func TestLoginWorksWithBothTransports(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			c := p.client(t)
			c.getOK("/login")
			c.passwordStep(tr, url.Values{"email": {" KUNDE@Example.DE "}, "password": {goodPassword}}, "/mfa/verify")
			if c.loggedIn() {
				t.Fatal("logged in after the password alone, before the second factor")
			}
			if to := c.emailCode(tr, email); to != "/account" {
				t.Fatalf("second factor: sent to %q, want /account", to)
			}
			if !c.loggedIn() {
				t.Fatal("not logged in after a successful login")
			}
			if r := c.get("/login"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
				t.Errorf("login page for a logged-in customer: status %d to %q, want 303 to /account", r.StatusCode, r.Header.Get("Location"))
			}
		})
	}
}

func TestLoginFailureDoesNotTellWhetherTheAddressExists(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const known, unknown = "kunde@example.de", "niemand@example.de"
			p.passwordUser(t, known, goodPassword)
			try := func(email string) (int, string) {
				c := p.client(t)
				c.getOK("/login")
				r := c.postInvalid(tr, "/login", url.Values{"email": {email}, "password": {"Falsches-Passwort9!"}}, http.StatusUnprocessableEntity, "login-form")
				if got := r.Doc(t).Find("input#email").AttrOr("value", ""); got != email {
					t.Errorf("typed address = %q, want %q kept", got, email)
				}
				if strings.Contains(r.Body, "Falsches-Passwort9!") {
					t.Errorf("the answer contains the typed password")
				}
				return r.StatusCode, strings.ReplaceAll(c.withoutCSRF(r.Body), email, "ADDRESS")
			}
			s1, wrongPassword := try(known)
			s2, unknownAddress := try(unknown)
			if s1 != s2 || wrongPassword != unknownAddress {
				t.Errorf("answers differ:\nwrong password (%d):\n%s\nunknown address (%d):\n%s", s1, wrongPassword, s2, unknownAddress)
			}
			if !strings.Contains(wrongPassword, p.msg(t, "login.error.invalid")) {
				t.Errorf("the answer lacks the one generic message")
			}
		})
	}
}

func TestLoginWithEmptyFieldsNamesBoth(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		c := p.client(t)
		c.getOK("/login")
		r := c.postInvalid(tr, "/login", url.Values{"email": {""}, "password": {""}}, http.StatusUnprocessableEntity, "login-form")
		for field, id := range map[string]string{"email": "login.error.email_missing", "password": "login.error.password_missing"} {
			if got := squash(r.Doc(t).Find(`#error-summary a[href="#` + field + `"]`).Text()); got != p.msg(t, id) {
				t.Errorf("%s: summary entry for %s = %q, want %q", tr.name, field, got, p.msg(t, id))
			}
		}
	}
}

func TestLegacyAccountsAreSentToRecovery(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	ctx := context.Background()
	oldHash, err := p.Hasher.Hash(ctx, "Altes-Passwort1!")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		user store.User
		pw   string
	}{
		{"imported account without a password", store.User{Email: "import@example.de", Legacy: true}, "Irgendein-Passwort1!"},
		{"legacy account with its old password", store.User{Email: "alt@example.de", Legacy: true, PasswordHash: oldHash}, "Altes-Passwort1!"},
	}
	for _, tc := range cases {
		for _, tr := range transports {
			t.Run(tc.name+"/"+tr.name, func(t *testing.T) {
				u := tc.user
				if _, err := p.Store.UserByEmail(ctx, u.Email); err != nil {
					if err := p.Store.CreateUser(ctx, &u); err != nil {
						t.Fatal(err)
					}
				}
				c := p.client(t)
				c.getOK("/login")
				r := c.post(tr, "/login", url.Values{"email": {u.Email}, "password": {tc.pw}})
				if r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("legacy login: status %d (Location %q, HX-Redirect %q), want 422: a legacy account must not log in with a password from before the policy",
						r.StatusCode, r.Header.Get("Location"), r.Header.Get("HX-Redirect"))
				}
				checkShape(t, tr, r, "login-form")
				hints := r.Doc(t).Find("#login-hints")
				if !strings.Contains(squash(hints.Text()), p.msg(t, "login.hint.policy")) {
					t.Errorf("no hint about the changed policy:\n%s", r.Body)
				}
				if link := hints.Find(`a[href="/recovery"]`); squash(link.Text()) != p.msg(t, "login.hint.recovery") {
					t.Errorf("no link to recovery in the hints:\n%s", r.Body)
				}
				if c.loggedIn() {
					t.Errorf("logged in with a legacy password")
				}
			})
		}
	}
	if evs := p.events(t, "login.legacy"); len(evs) == 0 {
		t.Errorf("no login.legacy audit event")
	}
}

func TestLoginReturnsOnlyToLocalPages(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	cases := []struct{ next, want string }{
		{"https://evil.example", "/account"},
		{"//evil.example", "/account"},
		{`/\evil.example`, "/account"},
		{"javascript:alert(1)", "/account"},
		{"/account?x=1", "/account?x=1"},
		{"/help", "/help"},
	}
	for _, tc := range cases {
		for _, tr := range transports {
			t.Run(tc.next+"/"+tr.name, func(t *testing.T) {
				c := p.client(t)
				page := c.getOK("/login?next=" + url.QueryEscape(tc.next))
				form := page.Form(t, "#login-form")
				if tc.want == "/account" && form.Has("next") {
					t.Errorf("login form carries next=%q", form.Get("next"))
				}
				form.Set("email", email)
				form.Set("password", goodPassword)
				// next survives the second step: the password leads to the
				// second factor, and that to the page.
				c.passwordStep(tr, form, "/mfa/verify")
				if to := c.emailCode(tr, email); to != tc.want {
					t.Errorf("from the form: sent to %q, want %q", to, tc.want)
				}
				// A forged form with the next field set directly.
				c = p.client(t)
				c.getOK("/login")
				c.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}, "next": {tc.next}}, "/mfa/verify")
				if to := c.emailCode(tr, email); to != tc.want {
					t.Errorf("forged form: sent to %q, want %q", to, tc.want)
				}
			})
		}
	}
}

func TestRapidFailedLoginsAreThrottledPerAccount(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const victim, other = "opfer@example.de", "andere@example.de"
			p.passwordUser(t, victim, goodPassword)
			p.passwordUser(t, other, otherPassword)
			c := p.client(t)
			c.getOK("/login")
			wrong := url.Values{"email": {victim}, "password": {"Falsch-geraten1!"}}
			for i := 1; i <= 10; i++ {
				r := c.post(tr, "/login", wrong)
				if i <= 5 && r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("failed login %d: status %d, want 422", i, r.StatusCode)
				}
				if i > 5 && r.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("failed login %d in a row: status %d, want 429 (after 5 failures the account waits)", i, r.StatusCode)
				}
			}
			r := c.post(tr, "/login", wrong)
			if r.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("11th failed login: status %d, want 429", r.StatusCode)
			}
			checkShape(t, tr, r, "login-form")
			if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs <= 0 {
				t.Errorf("Retry-After = %q, want a positive number of seconds", r.Header.Get("Retry-After"))
			}
			if r := c.post(tr, "/login", url.Values{"email": {victim}, "password": {goodPassword}}); r.StatusCode != http.StatusTooManyRequests {
				t.Errorf("right password while throttled: status %d, want 429", r.StatusCode)
			}
			c.passwordStep(tr, url.Values{"email": {other}, "password": {otherPassword}}, "/mfa/verify")
			if to := c.emailCode(tr, other); to != "/account" {
				t.Errorf("another account from the same address: sent to %q, want /account", to)
			}

			// An unregistered address is throttled alike: no enumeration.
			u := p.client(t)
			u.getOK("/login")
			for i := 1; i <= 11; i++ {
				r := u.post(tr, "/login", url.Values{"email": {"niemand@example.de"}, "password": {"Falsch-geraten1!"}})
				want := http.StatusUnprocessableEntity
				if i > 5 {
					want = http.StatusTooManyRequests
				}
				if r.StatusCode != want {
					t.Fatalf("unknown address, attempt %d: status %d, want %d as for a registered one", i, r.StatusCode, want)
				}
			}
		})
	}
}

func TestLoginRenewsTheSessionCookie(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	loginTab := c.getOK("/login").Doc(t).Find(`input[name="_csrf"]`).AttrOr("value", "")
	c.login(email, goodPassword)
	first := c.cookie("session")
	other := p.client(t)
	other.login(email, goodPassword)
	// A second login in the same browser, from a login tab left open.
	c.csrf = loginTab
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
	afterPassword := c.cookie("session")
	if to := c.emailCode(plainForm, email); to != "/account" {
		t.Fatalf("second login: sent to %q", to)
	}
	second := c.cookie("session")
	seen := map[string]bool{}
	for _, v := range []string{first, afterPassword, second, other.cookie("session")} {
		seen[v] = true
	}
	if first == "" || afterPassword == "" || second == "" || len(seen) != 4 {
		t.Fatalf("session cookies: first %q, after the password %q, after the second factor %q, other browser %q; want four different values",
			first, afterPassword, second, other.cookie("session"))
	}
	for what, v := range map[string]string{"from before the second login": first, "of the half-done second login": afterPassword} {
		stale := p.client(t)
		stale.cookies["session"] = &http.Cookie{Name: "session", Value: v}
		if stale.loggedIn() {
			t.Errorf("the session cookie %s still works", what)
		}
	}
	if !c.loggedIn() || !other.loggedIn() {
		t.Errorf("the current sessions do not work")
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		opts       []option
		cookieName string
		secure     bool
	}{
		{"dev", nil, "session", false},
		{"production", []option{notDev}, "__Host-session", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t, tc.opts...)
			const email = "kunde@example.de"
			p.passwordUser(t, email, goodPassword)
			c := p.client(t)
			c.getOK("/login")
			check := func(step string, r *response) {
				t.Helper()
				var session *http.Cookie
				for _, ck := range r.Cookies() {
					if ck.Name == tc.cookieName {
						session = ck
					}
				}
				if session == nil {
					t.Fatalf("%s: no %s cookie in %q", step, tc.cookieName, r.Header.Values("Set-Cookie"))
				}
				if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != tc.secure || session.Path != "/" || session.Domain != "" {
					t.Errorf("%s: cookie %q: HttpOnly %v, SameSite %v, Secure %v, Path %q, Domain %q; want HttpOnly, Lax, Secure %v, Path /, no Domain",
						step, session.Raw, session.HttpOnly, session.SameSite, session.Secure, session.Path, session.Domain, tc.secure)
				}
				if session.MaxAge != 0 || !session.Expires.IsZero() {
					t.Errorf("%s: cookie %q has a lifetime; the server decides when the session ends", step, session.Raw)
				}
			}
			r := c.post(plainForm, "/login", url.Values{"email": {email}, "password": {goodPassword}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/mfa/verify" {
				t.Fatalf("login: status %d to %q, want 303 to /mfa/verify\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
			}
			check("after the password", r)
			c.getOK("/mfa/verify")
			r = c.post(plainForm, "/mfa/verify/email", url.Values{"code": {p.mailCode(t, email)}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
				t.Fatalf("second factor: status %d to %q, want 303 to /account\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
			}
			check("after the second factor", r)
			if !c.loggedIn() {
				t.Errorf("the cookie does not log in")
			}
		})
	}
}

// The public pages are kept per language (renderKept): each browser still
// gets its own CSRF token, in the form and in the hx-headers, and a page
// address with a query shows what the query asks for, after the plain
// page was kept.
func TestKeptPublicPagesShowTheirQueryAndToken(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	tokens := map[string]bool{}
	for range 2 {
		for _, path := range []string{"/login", "/register", "/recovery", "/help"} {
			c := p.client(t)
			r := c.getOK(path)
			csrf := c.cookie("__Host-csrf")
			body := r.Doc(t).Find("body")
			headers, _ := body.Attr("hx-headers:inherited")
			if !strings.Contains(headers, c.csrf) || c.csrf == "" && path != "/help" {
				t.Errorf("GET %s: hx-headers %q do not carry the form's token %q", path, headers, c.csrf)
			}
			if tokens[headers] {
				t.Errorf("GET %s: a second browser (cookie %s) got a token seen before: %s", path, csrf, headers)
			}
			tokens[headers] = true
		}
	}
	c := p.client(t)
	c.getOK("/login")
	if next, _ := c.getOK("/login?next=%2Faccount%2Fsecurity").Doc(t).Find(`#login-form input[name="next"]`).Attr("value"); next != "/account/security" {
		t.Errorf("login with next after the kept page: next = %q, want /account/security", next)
	}
	if email, _ := c.getOK("/recovery?email=meister%40betrieb.example").Doc(t).Find(`input[name="email"]`).Attr("value"); email != "meister@betrieb.example" {
		t.Errorf("recovery with an address after the kept page: email = %q", email)
	}
}
