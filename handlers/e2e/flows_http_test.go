package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hwk/kundenportal/components"
)

// pageClient walks the portal's pages over plain HTTP, as a browser
// without JavaScript does: it follows redirects, keeps cookies and sends
// forms with their hidden fields. Flow tests use it to arrive at the state
// their subject starts from (a customer who finished the invitation)
// without the browser, whose page loads and accessibility checks are the
// cost of the suite: the pages on the way are tested in the browser by the
// flows that are about them. Its cookies can then be handed to a Browser.
type pageClient struct {
	t    *testing.T
	base *url.URL
	jar  *plainJar
	http *http.Client
	ua   string // the User-Agent of the browser the cookies go to
	lang string
	page *goquery.Document
	path string // path of the current page
}

func newPageClient(t *testing.T, base, ua, lang string) *pageClient {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("base URL: %v", err)
	}
	jar := &plainJar{m: map[string]*http.Cookie{}}
	return &pageClient{t: t, base: u, jar: jar, ua: ua, lang: lang,
		http: &http.Client{Jar: jar, Timeout: DefaultTimeout}}
}

// get loads the page at path or absolute URL raw.
func (c *pageClient) get(raw string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base.ResolveReference(mustURL(c.t, raw)).String(), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	c.do(req)
}

// submit sends the form matched by sel with its fields (hidden ones
// included) and the values in set, and follows where it leads.
func (c *pageClient) submit(sel string, set map[components.Field]string) {
	c.t.Helper()
	form := c.page.Find(sel).First()
	if form.Length() == 0 {
		c.t.Fatalf("page %s has no form %s", c.path, sel)
	}
	v := url.Values{}
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		if typ := in.AttrOr("type", "text"); typ != "submit" && typ != "button" {
			v.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
		}
	})
	// The first submit button is the one pressed, and sends its name.
	if button := form.Find(`button[type="submit"], button:not([type]), input[type="submit"]`).First(); button.AttrOr("name", "") != "" {
		v.Set(button.AttrOr("name", ""), button.AttrOr("value", ""))
	}
	for k, val := range set {
		v.Set(string(k), val)
	}
	action := c.base.ResolveReference(mustURL(c.t, form.AttrOr("action", c.path)))
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(v.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base.Scheme+"://"+c.base.Host)
	c.do(req)
}

func (c *pageClient) do(req *http.Request) {
	c.t.Helper()
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept-Language", c.lang)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: parse the page: %v", req.Method, req.URL.Path, err)
	}
	c.page, c.path = doc, res.Request.URL.Path
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("%s %s: status %d on %s (%q)", req.Method, req.URL.Path, res.StatusCode, c.path,
			strings.Join(strings.Fields(doc.Find("h1, #error-summary").Text()), " "))
	}
}

// wantPath fails the test unless the client is on path.
func (c *pageClient) wantPath(path string) {
	c.t.Helper()
	if c.path != path {
		c.t.Fatalf("path = %s, want %s (h1 %q, errors %q)", c.path, path,
			strings.TrimSpace(c.page.Find("h1").First().Text()),
			strings.Join(strings.Fields(c.page.Find("#error-summary").Text()), " "))
	}
}

// text is the trimmed text of the first element matched by sel.
func (c *pageClient) text(sel string) string {
	return strings.TrimSpace(c.page.Find(sel).First().Text())
}

// handTo gives the client's cookies to the browser b, which then holds
// the same sessions (login, CSRF, known device, language).
func (c *pageClient) handTo(b *Browser) {
	c.t.Helper()
	var params []*network.CookieParam
	for _, ck := range c.jar.all() {
		p := &network.CookieParam{
			Name: ck.Name, Value: ck.Value, URL: c.base.String(), Path: "/",
			Secure: ck.Secure, HTTPOnly: ck.HttpOnly,
		}
		switch ck.SameSite {
		case http.SameSiteStrictMode:
			p.SameSite = network.CookieSameSiteStrict
		case http.SameSiteNoneMode:
			p.SameSite = network.CookieSameSiteNone
		default:
			p.SameSite = network.CookieSameSiteLax
		}
		if !ck.Expires.IsZero() {
			p.Expires = cdp.TimeSinceEpoch(float64(ck.Expires.Unix()))
		}
		params = append(params, p)
	}
	b.call("hand over cookies", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: params})
		return err
	})
}

// userAgent is the User-Agent header the browser sends.
func userAgent(b *Browser) string {
	b.t.Helper()
	return Eval[string](b, "navigator.userAgent")
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("URL %q: %v", raw, err)
	}
	return u
}

// plainJar keeps cookies by name for the one portal a pageClient talks
// to, and sends them all, as a browser does for a potentially trustworthy
// origin such as http://localhost (net/http/cookiejar holds back Secure
// cookies over http).
type plainJar struct {
	mu sync.Mutex
	m  map[string]*http.Cookie
}

func (j *plainJar) SetCookies(_ *url.URL, cookies []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cookies {
		if c.MaxAge > 0 {
			c.Expires = time.Now().Add(time.Duration(c.MaxAge) * time.Second)
		}
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(j.m, c.Name)
			continue
		}
		j.m[c.Name] = c
	}
}

func (j *plainJar) Cookies(*url.URL) []*http.Cookie {
	return j.all()
}

func (j *plainJar) all() []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]*http.Cookie, 0, len(j.m))
	for _, c := range j.m {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value, Secure: c.Secure, HttpOnly: c.HttpOnly,
			SameSite: c.SameSite, Expires: c.Expires})
	}
	return out
}
