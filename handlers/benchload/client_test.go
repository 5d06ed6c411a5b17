//go:build benchload

package benchload

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// browser is one customer's browser without JavaScript: a cookie jar,
// redirects not followed, forms sent as a plain form post. address is the
// customer's own address, sent as X-Forwarded-For as the chamber's proxy
// would (the bench portal trusts loopback as its proxy); empty for none.
type browser struct {
	base    string
	address string
	client  *http.Client
}

func newBrowser(base, address string, transport http.RoundTripper) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, address: address, client: &http.Client{
		Jar: jar, Transport: transport, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is an answer with its parsed document.
type page struct {
	status int
	header http.Header
	doc    *goquery.Document
}

func (b *browser) get(path string) (*page, error) {
	resp, err := b.do(http.MethodGet, b.abs(path), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return read(resp, "GET "+path)
}

// submit fills the form matched by selector on p with values (hidden
// fields such as the CSRF token and link tokens are kept) and posts it.
func (b *browser) submit(p *page, selector string, values map[string]string) (*page, error) {
	form := p.doc.Find(selector).First()
	if form.Length() == 0 {
		return nil, fmt.Errorf("no form %s on the page", selector)
	}
	data := url.Values{}
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		if in.AttrOr("type", "") == "hidden" {
			data.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
		}
	})
	for k, v := range values {
		data.Set(k, v)
	}
	action := form.AttrOr("action", "")
	resp, err := b.do(http.MethodPost, b.abs(action), data)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", action, err)
	}
	return read(resp, "POST "+action)
}

// do sends a request, a form when form is not nil, from the browser's
// address.
func (b *browser) do(method, target string, form url.Values) (*http.Response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.address != "" {
		req.Header.Set("X-Forwarded-For", b.address)
	}
	return b.client.Do(req)
}

// cookies are the cookies the browser would send to the portal.
func (b *browser) cookies() []*http.Cookie {
	u, _ := url.Parse(b.base)
	return b.client.Jar.Cookies(u)
}

// knows adds cookie to the browser, as one kept from an earlier visit.
func (b *browser) knows(cookie *http.Cookie) {
	u, _ := url.Parse(b.base)
	b.client.Jar.SetCookies(u, []*http.Cookie{cookie})
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.base + path
}

func read(resp *http.Response, what string) (*page, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", what, err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("%s: parse: %w", what, err)
	}
	return &page{status: resp.StatusCode, header: resp.Header, doc: doc}, nil
}

// redirected checks that p is a 303 and returns its target.
func redirected(p *page, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if p.status != http.StatusSeeOther {
		return "", fmt.Errorf("status %d, want 303: %s", p.status, strings.Join(strings.Fields(p.doc.Find("main").Text()), " "))
	}
	return p.header.Get("Location"), nil
}
