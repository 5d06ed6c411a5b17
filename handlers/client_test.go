package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// client is a browser: a cookie jar, the CSRF token of the last page, and
// optional fixed headers (Accept-Language).
type client struct {
	t       testing.TB
	p       *portal
	cookies map[string]*http.Cookie
	csrf    string
	header  http.Header
}

func (p *portal) client(t testing.TB) *client {
	return &client{t: t, p: p, cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

// response is a response with its body read.
type response struct {
	*http.Response
	Body string
	doc  *goquery.Document
}

// Doc parses the body as HTML.
func (r *response) Doc(t testing.TB) *goquery.Document {
	t.Helper()
	if r.doc == nil {
		d, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("parse HTML: %v", err)
		}
		r.doc = d
	}
	return r.doc
}

// Text is the visible text of the body with white space collapsed.
func (r *response) Text(t testing.TB) string {
	t.Helper()
	return squash(r.Doc(t).Text())
}

// Form collects the named inputs of the form matched by selector (hidden
// fields such as token and next included, _csrf left out).
func (r *response) Form(t testing.TB, selector string) url.Values {
	t.Helper()
	form := r.Doc(t).Find(selector)
	if form.Length() == 0 {
		t.Fatalf("no %s on the page:\n%s", selector, r.Body)
	}
	v := url.Values{}
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		if name != "_csrf" {
			v.Set(name, in.AttrOr("value", ""))
		}
	})
	return v
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// do sends req with the jar's cookies and keeps what the response sets.
func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	res, err := c.p.App.Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	for _, ck := range res.Cookies() {
		if ck.Value == "" || ck.MaxAge < 0 || !ck.Expires.IsZero() && ck.Expires.Before(time.Now()) {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	r := &response{Response: res, Body: string(body)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if tok, ok := r.Doc(c.t).Find(`input[name="_csrf"]`).Attr("value"); ok && tok != "" {
			c.csrf = tok
		}
	}
	return r
}

func (c *client) newRequest(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, baseURL+path, body)
	if err != nil {
		c.t.Fatalf("request %s %s: %v", method, path, err)
	}
	return req
}

// get fetches a page (and remembers its CSRF token).
func (c *client) get(path string) *response {
	c.t.Helper()
	return c.do(c.newRequest(http.MethodGet, path, nil))
}

// getOK fetches a page and fails unless it answers 200.
func (c *client) getOK(path string) *response {
	c.t.Helper()
	r := c.get(path)
	if r.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: status %d, want 200\n%s", path, r.StatusCode, r.Body)
	}
	return r
}

// rawPost posts form as it is, with no CSRF token added.
func (c *client) rawPost(path string, form url.Values, header http.Header) *response {
	c.t.Helper()
	req := c.newRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return c.do(req)
}

// transport is how a browser sends a form: a plain HTML form post, or
// htmx with the HX-Request header and the CSRF token in X-Csrf-Token.
type transport struct {
	name string
	htmx bool
}

var (
	plainForm  = transport{"plain form", false}
	htmxPost   = transport{"htmx", true}
	transports = []transport{plainForm, htmxPost}
)

// post sends form the way tr does, with the CSRF token of the last page.
func (c *client) post(tr transport, path string, form url.Values) *response {
	c.t.Helper()
	if c.csrf == "" {
		c.t.Fatalf("POST %s: no CSRF token yet; GET a page first", path)
	}
	form = cloneValues(form)
	header := http.Header{}
	if tr.htmx {
		header.Set("HX-Request", "true")
		header.Set("X-Csrf-Token", c.csrf)
	} else {
		form.Set("_csrf", c.csrf)
	}
	return c.rawPost(path, form, header)
}

// submit posts form and expects success: 303 with Location for a plain
// form, HX-Redirect for htmx. It returns the target.
func (c *client) submit(tr transport, path string, form url.Values) string {
	c.t.Helper()
	r := c.post(tr, path, form)
	return redirectOf(c.t, tr, r, "POST "+path)
}

// redirectOf checks that r sends the browser on and returns where.
func redirectOf(t testing.TB, tr transport, r *response, what string) string {
	t.Helper()
	if tr.htmx {
		to := r.Header.Get("HX-Redirect")
		if to == "" || r.StatusCode >= 300 {
			t.Fatalf("%s (htmx): status %d, HX-Redirect %q; want HX-Redirect\n%s", what, r.StatusCode, to, r.Body)
		}
		return to
	}
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") == "" {
		t.Fatalf("%s: status %d, Location %q; want 303 with Location\n%s", what, r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	return r.Header.Get("Location")
}

// postInvalid posts form, expects status and checks the shape of the
// answer: a whole page for a plain form, only the fragment with the given
// element id for htmx.
func (c *client) postInvalid(tr transport, path string, form url.Values, status int, fragmentID string) *response {
	c.t.Helper()
	r := c.post(tr, path, form)
	if r.StatusCode != status {
		c.t.Fatalf("POST %s (%s): status %d, want %d\n%s", path, tr.name, r.StatusCode, status, r.Body)
	}
	checkShape(c.t, tr, r, fragmentID)
	return r
}

// checkShape checks a whole page for plain forms and a bare fragment for htmx.
func checkShape(t testing.TB, tr transport, r *response, fragmentID string) {
	t.Helper()
	hasHTML := strings.Contains(r.Body, "<html")
	if tr.htmx && hasHTML {
		t.Errorf("htmx answer is a whole page, want only #%s:\n%s", fragmentID, r.Body)
	}
	if !tr.htmx && !hasHTML {
		t.Errorf("plain answer is not a whole page:\n%s", r.Body)
	}
	if r.Doc(t).Find("#"+fragmentID).Length() == 0 {
		t.Errorf("answer has no #%s:\n%s", fragmentID, r.Body)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// cookie is the jar's value of the named cookie, or "".
func (c *client) cookie(name string) string {
	if ck := c.cookies[name]; ck != nil {
		return ck.Value
	}
	return ""
}

// withoutCSRF replaces every occurrence of the client's CSRF token, so two
// answers to different browsers can be compared.
func (c *client) withoutCSRF(body string) string {
	if c.csrf == "" {
		return body
	}
	return strings.ReplaceAll(body, c.csrf, "CSRF-TOKEN")
}

// login logs the client in as a customer with the e-mail code as second
// factor: password, then the code from the newest mail, and fails unless
// the portal ends at /account. (E-mail codes, not TOTP: a TOTP code cannot
// be used twice within its time step.)
func (c *client) login(email, pw string) {
	c.t.Helper()
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {pw}}, "/mfa/verify")
	if to := c.emailCode(plainForm, email); to != "/account" {
		c.t.Fatalf("login as %s: second factor sent to %q, want /account", email, to)
	}
}

// loginFirst passes the password of a customer without a second factor;
// the portal asks to choose one.
func (c *client) loginFirst(email, pw string) {
	c.t.Helper()
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {pw}}, "/mfa/choose")
}

// passwordStep posts the login form as tr does and expects to be sent to
// the second step want (/mfa/verify or /mfa/choose).
func (c *client) passwordStep(tr transport, form url.Values, want string) {
	c.t.Helper()
	if to := c.submit(tr, "/login", form); to != want {
		c.t.Fatalf("login (%s): password sent to %q, want %s", tr.name, to, want)
	}
}

// emailCode opens the second step, types the code of the newest mail to
// email and returns where the portal sends the customer.
func (c *client) emailCode(tr transport, email string) string {
	c.t.Helper()
	page := c.getOK("/mfa/verify")
	if page.Doc(c.t).Find(`form[action="/mfa/verify/email"]`).Length() == 0 {
		c.t.Fatalf("second step has no form for the e-mail code:\n%s", page.Body)
	}
	return c.submit(tr, "/mfa/verify/email", url.Values{"code": {c.p.mailCode(c.t, email)}})
}

// loggedIn reports whether GET /account shows the account page.
func (c *client) loggedIn() bool {
	c.t.Helper()
	r := c.get("/account")
	switch r.StatusCode {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	}
	c.t.Fatalf("GET /account: status %d\n%s", r.StatusCode, r.Body)
	return false
}
