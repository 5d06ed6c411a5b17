package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/handlers"
)

func TestPostWithoutCSRFTokenIsRefusedWithALocalizedPage(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	paths := []string{"/login", "/logout", "/recovery", "/register", "/recovery/confirm", "/password", "/password/check", "/session/extend", "/account/sessions/end-others"}
	langs := []struct{ accept, lang string }{{"", "de"}, {"en", "en"}, {"en-GB,en;q=0.9", "en"}, {"fr", "de"}}
	for _, path := range paths {
		for _, l := range langs {
			t.Run(path+"/"+l.lang+"/"+l.accept, func(t *testing.T) {
				c := p.client(t)
				if l.accept != "" {
					c.header.Set("Accept-Language", l.accept)
				}
				c.getOK("/login")
				r := c.rawPost(path, url.Values{"email": {"kunde@example.de"}}, nil)
				if r.StatusCode != http.StatusForbidden {
					t.Fatalf("status %d, want 403\n%s", r.StatusCode, r.Body)
				}
				if want := p.msgIn(t, l.lang, "error.403.title"); squash(r.Doc(t).Find("h1").Text()) != want {
					t.Errorf("heading %q, want %q", squash(r.Doc(t).Find("h1").Text()), want)
				}
				if got := r.Doc(t).Find("html").AttrOr("lang", ""); got != l.lang {
					t.Errorf("html lang = %q, want %q", got, l.lang)
				}
			})
		}
	}
}

func TestCSRFTokenMustBelongToTheBrowser(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	mine, theirs := p.client(t), p.client(t)
	mine.getOK("/login")
	theirs.getOK("/login")
	if mine.csrf == theirs.csrf {
		t.Fatal("two browsers got the same CSRF token")
	}
	form := url.Values{"email": {"kunde@example.de"}, "password": {"x"}, "_csrf": {theirs.csrf}}
	if r := mine.rawPost("/login", form, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("another browser's token in the form: status %d, want 403", r.StatusCode)
	}
	if r := mine.rawPost("/login", url.Values{}, http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {theirs.csrf}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("another browser's token in the header: status %d, want 403", r.StatusCode)
	}
	if r := mine.rawPost("/login", url.Values{}, http.Header{"Hx-Request": {"true"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("htmx request without the header: status %d, want 403", r.StatusCode)
	} else if r.Header.Get("HX-Retarget") != "#main" {
		t.Errorf("htmx error answer: HX-Retarget %q, want #main", r.Header.Get("HX-Retarget"))
	}
	fresh := p.client(t)
	if r := fresh.rawPost("/login", url.Values{"_csrf": {mine.csrf}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("a token without its cookie: status %d, want 403", r.StatusCode)
	}
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	cases := []struct {
		name, method, path string
		status             int
		title              string
	}{
		{"unknown route", http.MethodGet, "/gibt-es-nicht", http.StatusNotFound, "error.404.title"},
		{"unknown static file", http.MethodGet, "/static/css/gibt-es-nicht.css", http.StatusNotFound, "error.404.title"},
		{"wrong method", http.MethodDelete, "/help", http.StatusMethodNotAllowed, "error.405.title"},
		{"unknown language", http.MethodGet, "/lang/fr", http.StatusNotFound, "error.404.title"},
	}
	for _, tc := range cases {
		for _, lang := range []string{"de", "en"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				c := p.client(t)
				c.header.Set("Accept-Language", lang)
				r := c.do(c.newRequest(tc.method, tc.path, nil))
				if r.StatusCode != tc.status {
					t.Fatalf("%s %s: status %d, want %d", tc.method, tc.path, r.StatusCode, tc.status)
				}
				if got, want := squash(r.Doc(t).Find("h1").Text()), p.msgIn(t, lang, tc.title); got != want {
					t.Errorf("heading %q, want %q", got, want)
				}
			})
		}
	}
}

func TestEveryResponseHasTheSecurityHeaders(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	p.passwordUser(t, "kunde@example.de", goodPassword)
	c := p.client(t)
	c.getOK("/login")
	requests := []struct {
		method, path string
		form         url.Values
		htmx         bool
	}{
		{http.MethodGet, "/login", nil, false},
		{http.MethodGet, "/help", nil, false},
		{http.MethodGet, "/recovery", nil, false},
		{http.MethodGet, "/register", nil, false},
		{http.MethodGet, "/recovery/sent", nil, false},
		{http.MethodGet, "/recovery/confirm?token=unbekannt", nil, false},
		{http.MethodGet, "/password", nil, false},
		{http.MethodGet, "/gibt-es-nicht", nil, false},
		{http.MethodDelete, "/help", nil, false},
		{http.MethodPost, "/login", url.Values{"email": {"kunde@example.de"}, "password": {"falsch"}}, false},
		{http.MethodPost, "/login", url.Values{"email": {"kunde@example.de"}, "password": {"falsch"}}, true},
		{http.MethodPost, "/password/check", url.Values{"new_password": {"abc"}}, true},
		{http.MethodPost, "/recovery", url.Values{"email": {"kaputt"}}, true},
		{http.MethodPost, "/register", nil, false}, // no token: 403 page
		{http.MethodGet, "/_dev/mail", nil, false},
		{http.MethodGet, "/healthz", nil, false},
	}
	for _, rq := range requests {
		var r *response
		switch {
		case rq.method == http.MethodPost && rq.form == nil:
			r = c.rawPost(rq.path, url.Values{}, nil)
		case rq.method == http.MethodPost && rq.htmx:
			r = c.post(htmxPost, rq.path, rq.form)
		case rq.method == http.MethodPost:
			r = c.post(plainForm, rq.path, rq.form)
		default:
			r = c.do(c.newRequest(rq.method, rq.path, nil))
		}
		what := rq.method + " " + rq.path
		if rq.htmx {
			what += " (htmx)"
		}
		csp := r.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
			!strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s (%d): Content-Security-Policy %q", what, r.StatusCode, csp)
		}
		if got := r.Header.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s: Referrer-Policy %q, want same-origin", what, got)
		}
		if got := r.Header.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", what, got)
		}
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") || strings.Contains(r.Body, " onclick=") {
				t.Errorf("%s: inline script or style that the CSP would block:\n%s", what, r.Body)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", what, got)
			}
		}
	}
	if got := c.get("/login").Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("dev portal sends HSTS %q", got)
	}
	prod := newPortal(t, notDev)
	if got := prod.client(t).get("/login").Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("production portal: Strict-Transport-Security %q", got)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		if r := c.get(path); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"ok"`) {
			t.Errorf("GET %s: status %d %q, want 200 ok", path, r.StatusCode, r.Body)
		}
	}
	if err := p.Store.Close(); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the database closed: status %d, want 503", r.StatusCode)
	}
	if r := c.get("/healthz"); r.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz with the database closed: status %d, want 200 (the process is up)", r.StatusCode)
	}
}

func TestPasswortVergessenLeadsToRecovery(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	r := c.get("/Passwort-vergessen")
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/recovery" {
		t.Fatalf("GET /Passwort-vergessen: status %d to %q, want 301 to /recovery", r.StatusCode, r.Header.Get("Location"))
	}
	if got := squash(c.getOK("/recovery").Doc(t).Find("h1").Text()); got != "Benutzername oder Passwort vergessen?" {
		t.Errorf("recovery heading %q", got)
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	cases := []struct{ next, want string }{
		{"/help", "/help"},
		{"/recovery?email=a%40example.de", "/recovery?email=a%40example.de"},
		{"https://evil.example/", "/"},
		{"//evil.example", "/"},
		{`/\evil.example`, "/"},
		{"", "/"},
	}
	for _, tc := range cases {
		t.Run(tc.next, func(t *testing.T) {
			c := p.client(t)
			r := c.get("/lang/en?next=" + url.QueryEscape(tc.next))
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != tc.want {
				t.Fatalf("status %d to %q, want 303 to %q", r.StatusCode, r.Header.Get("Location"), tc.want)
			}
			if c.cookie("lang") != "en" {
				t.Fatalf("lang cookie %q, want en", c.cookie("lang"))
			}
			help := c.getOK("/help")
			if got := help.Doc(t).Find("html").AttrOr("lang", ""); got != "en" {
				t.Errorf("after choosing English: html lang %q", got)
			}
			if sw := help.Doc(t).Find(`.lang-switch a[hreflang="de"]`).AttrOr("href", ""); sw != "/lang/de?next=%2Fhelp" {
				t.Errorf("switch back link %q", sw)
			}
		})
	}
	c := p.client(t)
	c.header.Set("Accept-Language", "en")
	c.get("/lang/de?next=/help")
	if got := c.getOK("/help").Doc(t).Find("html").AttrOr("lang", ""); got != "de" {
		t.Errorf("the cookie's choice must beat Accept-Language: html lang %q", got)
	}
}

func TestStaticFilesAreServedOnlyUnderFingerprintedURLs(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	page := c.getOK("/login")
	assets := map[string]string{}
	page.Doc(t).Find(`link[rel="stylesheet"]`).Each(func(_ int, s *goquery.Selection) { assets[s.AttrOr("href", "")] = "text/css" })
	page.Doc(t).Find(`script[src]`).Each(func(_ int, s *goquery.Selection) { assets[s.AttrOr("src", "")] = "javascript" })
	if len(assets) < 2 {
		t.Fatalf("page links %d assets", len(assets))
	}
	for u, ctype := range assets {
		r := c.get(u)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), ctype) {
			t.Errorf("GET %s: status %d, Content-Type %q", u, r.StatusCode, r.Header.Get("Content-Type"))
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("GET %s: Cache-Control %q, want a year and immutable", u, cc)
		}
		plain := plainAssetURL(u)
		if plain == u {
			t.Errorf("asset URL %s has no fingerprint", u)
		}
		if r := c.get(plain); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s (without fingerprint): status %d, want 404", plain, r.StatusCode)
		}
	}
}

// plainAssetURL removes the fingerprint: /static/css/portal.1a2b3c4d.css
// becomes /static/css/portal.css.
func plainAssetURL(u string) string {
	ext := u[strings.LastIndexByte(u, '.'):]
	rest := strings.TrimSuffix(u, ext)
	dot := strings.LastIndexByte(rest, '.')
	if dot < 0 || len(rest)-dot != 9 {
		return u
	}
	return rest[:dot] + ext
}

func TestDevMailboxExistsOnlyInDev(t *testing.T) {
	t.Parallel()
	dev := newPortal(t)
	dev.inviteUser(t, "kunde@example.de")
	c := dev.client(t)
	box := c.getOK("/_dev/mail")
	if !strings.Contains(box.Text(t), dev.msg(t, "mail.invite.subject")) {
		t.Errorf("dev mailbox does not list the invitation:\n%s", box.Body)
	}
	if box.Doc(t).Find(`a[href="/_dev/mail"]`).Length() == 0 {
		t.Errorf("dev pages lack the footer link to the mailbox")
	}

	prod := newPortal(t, notDev)
	prod.inviteUser(t, "kunde@example.de")
	pc := prod.client(t)
	if r := pc.get("/_dev/mail"); r.StatusCode != http.StatusNotFound {
		t.Errorf("GET /_dev/mail outside dev: status %d, want 404", r.StatusCode)
	}
	if r := pc.get("/_dev/mail/" + prod.lastMail(t, "kunde@example.de").ID.String()); r.StatusCode != http.StatusNotFound {
		t.Errorf("GET /_dev/mail/ID outside dev: status %d, want 404", r.StatusCode)
	}
	if pc.getOK("/login").Doc(t).Find(`a[href="/_dev/mail"]`).Length() != 0 {
		t.Errorf("production pages link the dev mailbox")
	}
}

func TestRequestIDIsNeverTakenFromTheClient(t *testing.T) {
	p := newPortal(t)
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Request-Id", "forged\nlog line")
	res, err := p.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Header.Get("X-Request-Id")
	if got == "" || strings.Contains(got, "forged") {
		t.Errorf("X-Request-Id = %q, want a fresh id", got)
	}
}

func TestHelpPageStatesTheConfiguredIdleTime(t *testing.T) {
	p := newPortal(t, func(o *handlers.Options) { o.SessionIdle = 15 * time.Minute })
	body := p.client(t).getOK("/help").Text(t)
	if !strings.Contains(body, p.msg(t, "help.session.body", map[string]any{"Minutes": 15})) || !strings.Contains(body, "15 Minuten") {
		t.Errorf("the help page does not state the 15-minute idle time:\n%s", body)
	}
}
