package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/store"
)

// rpCallback is the registered redirect URI of the test services; it is
// never fetched: the browser stops at the first answer that leaves the
// portal.
const rpCallback = "http://localhost:9/callback"

// serve runs the portal's app on a real port and returns its origin
// (http://localhost:PORT), which is also its issuer.
func serve(t testing.TB, opts ...option) (*portal, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://localhost:" + portOf(ln)
	p := newPortal(t, append([]option{func(o *handlers.Options) { o.BaseURL = origin }}, opts...)...)
	go func() { _ = p.App.Listener(ln) }()
	t.Cleanup(func() { _ = p.App.Shutdown() })
	return p, origin
}

func portOf(ln net.Listener) string {
	return ln.Addr().(*net.TCPAddr).AddrPort().String()[len("127.0.0.1:"):]
}

// addClient registers a service and returns its secret ("" when public).
func addClient(t testing.TB, p *portal, c store.OIDCClient) string {
	t.Helper()
	if c.RedirectURIs == "" {
		c.RedirectURIs = rpCallback
	}
	secret, err := p.Store.CreateOIDCClient(context.Background(), &c)
	if err != nil {
		t.Fatalf("add client %s: %v", c.ID, err)
	}
	return secret
}

// relyingParty is a service built on coreos/go-oidc and x/oauth2.
type relyingParty struct {
	provider *gooidc.Provider
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

func newRP(t testing.TB, issuer, id, secret string, scopes ...string) *relyingParty {
	t.Helper()
	prov, err := gooidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &relyingParty{
		provider: prov,
		oauth: oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: prov.Endpoint(), RedirectURL: rpCallback,
			Scopes: append([]string{gooidc.ScopeOpenID}, scopes...)},
		verifier: prov.Verifier(&gooidc.Config{ClientID: id}),
	}
}

func randomString(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// browser is a customer's browser: it keeps cookies and follows redirects
// within the portal, and stops at an answer that sends it to the service.
type browser struct {
	t      testing.TB
	http   *http.Client
	origin string
}

func newBrowser(t testing.TB, origin string) *browser {
	jar, _ := cookiejar.New(nil)
	host := strings.TrimPrefix(origin, "http://")
	return &browser{t: t, origin: origin, http: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != host {
			return http.ErrUseLastResponse
		}
		return nil
	}}}
}

// page is an answer with its body.
type page struct {
	*http.Response
	Body string
}

func (p page) doc(t testing.TB) *goquery.Document {
	d, err := goquery.NewDocumentFromReader(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return page{Response: res, Body: string(body)}
}

func (b *browser) get(u string) page {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.origin + u
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

// submit fills the form matched by selector on pg with values and posts it.
func (b *browser) submit(pg page, selector string, values url.Values) page {
	b.t.Helper()
	form := pg.doc(b.t).Find(selector)
	if form.Length() == 0 {
		b.t.Fatalf("no form %s on %s:\n%s", selector, pg.Request.URL, pg.Body)
	}
	v := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		v.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	for k, vs := range values {
		v[k] = vs
	}
	req, _ := http.NewRequest(http.MethodPost, b.origin+form.AttrOr("action", ""), strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// loginWithEmailCode passes the portal's login (password, then the code
// mailed to email) from the login page pg; it returns the page after it.
func (b *browser) loginWithEmailCode(p *portal, pg page, email, pw string) page {
	b.t.Helper()
	pg = b.submit(pg, `form[action="/login"]`, url.Values{"email": {email}, "password": {pw}})
	if pg.Request.URL.Path != "/mfa/verify" {
		b.t.Fatalf("after the password: at %s, want /mfa/verify\n%s", pg.Request.URL, pg.Body)
	}
	return b.submit(pg, `form[action="/mfa/verify/email"]`, url.Values{"code": {p.mailCode(b.t, email)}})
}

// followRefresh follows the continue page's Refresh header.
func (b *browser) followRefresh(pg page) page {
	b.t.Helper()
	_, to, ok := strings.Cut(pg.Header.Get("Refresh"), "url=")
	if pg.StatusCode != http.StatusOK || !ok {
		b.t.Fatalf("%s: status %d, Refresh %q; want the continue page", pg.Request.URL, pg.StatusCode, pg.Header.Get("Refresh"))
	}
	return b.get(to)
}

// callback is where the portal sent the browser at the service.
func callback(t testing.TB, pg page) url.Values {
	t.Helper()
	loc := pg.Header.Get("Location")
	if pg.StatusCode != http.StatusFound && pg.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, rpCallback) {
		t.Fatalf("%s: status %d, Location %q; want a redirect to %s\n%s", pg.Request.URL, pg.StatusCode, loc, rpCallback, pg.Body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// kid is the key id in a JWT's header.
func kid(t testing.TB, jwt string) string {
	t.Helper()
	head, _, _ := strings.Cut(jwt, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}
