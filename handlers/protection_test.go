package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/hwk/kundenportal/handlers"
)

func TestCSRFTokenCannotBeARateLimitKey(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	c.getOK("/recovery")
	for range 10 {
		c.postInvalid(plainForm, "/recovery", url.Values{"email": {"kaputt"}}, http.StatusUnprocessableEntity, "email-form")
	}
	// The limiter's own key (as the old limiter named it) as cookie and
	// token: once this passed the CSRF check and reset the counter.
	for _, ip := range []string{"0.0.0.0", "127.0.0.1", "::1"} {
		for _, key := range []string{"rl:mail:" + ip, "rl.mail:" + ip} {
			trick := p.client(t)
			trick.cookies["csrf"] = &http.Cookie{Name: "csrf", Value: key}
			r := trick.rawPost("/recovery", url.Values{"email": {"kunde@example.de"}, "_csrf": {key}}, nil)
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("limiter key %q as CSRF token: status %d, want 403", key, r.StatusCode)
			}
		}
	}
	if r := c.post(plainForm, "/recovery", url.Values{"email": {"kunde@example.de"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the limit was lifted: status %d, want 429", r.StatusCode)
	}
	if n := len(p.mails(t, "kunde@example.de")); n != 0 {
		t.Errorf("%d mail(s) queued past the limit", n)
	}
}

func TestUnsafeRequestsMustComeFromThePortalsOrigin(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	c.getOK("/recovery")
	form := url.Values{"email": {"kaputt"}, "_csrf": {c.csrf}}
	cases := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"same origin", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {baseURL}}, http.StatusUnprocessableEntity},
		{"no fetch metadata (old browser, curl)", nil, http.StatusUnprocessableEntity},
		{"cross-site", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"same-site sibling", http.Header{"Sec-Fetch-Site": {"same-site"}}, http.StatusForbidden},
		{"foreign origin", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"opaque origin", http.Header{"Origin": {"null"}}, http.StatusForbidden},
	}
	for _, tc := range cases {
		if r := c.rawPost("/recovery", form, tc.header); r.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, r.StatusCode, tc.want)
		}
	}
}

func TestCSRFTokensNeedNoStorageAndWorkOnEveryInstance(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	second := sharedInstance(t, p) // another instance, same database and key
	c := p.client(t)
	c.getOK("/recovery")
	c.p = second
	c.postInvalid(plainForm, "/recovery", url.Values{"email": {"kaputt"}}, http.StatusUnprocessableEntity, "email-form")
}

// sharedInstance builds a second portal instance on p's database.
func sharedInstance(t *testing.T, p *portal) *portal {
	return newPortal(t, func(o *handlers.Options) { o.Store = p.Store })
}

func TestAnonymousPagesWriteNoRow(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	before := rowCounts(t, p)
	for range 5 {
		c := p.client(t)
		for _, path := range []string{"/login", "/help", "/recovery", "/register"} {
			c.getOK(path)
		}
	}
	after := rowCounts(t, p)
	for table, n := range after {
		if n != before[table] {
			t.Errorf("table %s: %d rows before 20 anonymous page views, %d after; want no write", table, before[table], n)
		}
	}
}

// rowCounts counts the rows of every table of the portal's database.
func rowCounts(t *testing.T, p *portal) map[string]int {
	t.Helper()
	ctx := t.Context()
	var tables []string
	if err := p.Store.DB().NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").Scan(ctx, &tables); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	if len(tables) < 5 {
		t.Fatalf("only %d tables found", len(tables))
	}
	counts := map[string]int{}
	for _, table := range tables {
		var n int
		if err := p.Store.DB().NewRaw("SELECT count(*) FROM ?", bun.Ident(table)).Scan(ctx, &n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return counts
}

// parallelPosts sends the forms at once from one browser (its cookies and
// CSRF token) and returns the statuses.
func parallelPosts(t *testing.T, c *client, path string, forms []url.Values) []int {
	t.Helper()
	statuses := make([]int, len(forms))
	var wg sync.WaitGroup
	for i, form := range forms {
		form = cloneValues(form)
		form.Set("_csrf", c.csrf)
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, baseURL+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, vs := range c.header {
			req.Header[k] = vs
		}
		for _, ck := range c.cookies {
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
		wg.Go(func() {
			res, err := c.p.App.Test(req, -1)
			if err != nil {
				t.Errorf("POST %s: %v", path, err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	return statuses
}

func countStatus(statuses []int, want int) int {
	n := 0
	for _, s := range statuses {
		if s == want {
			n++
		}
	}
	return n
}

func TestLanguageLinksKeepTheTokenOutOfTheirURL(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	link := requestRecovery(t, p, c, plainForm, email)
	u, _ := url.Parse(link)
	token := tokenOf(t, link)
	page := c.getOK(u.RequestURI())
	href, ok := page.Doc(t).Find(`a[hreflang="en"]`).Attr("href")
	if !ok {
		t.Fatalf("no English link on the confirmation page")
	}
	if strings.Contains(page.Body, "next=") && strings.Contains(href, token) {
		t.Errorf("language link repeats the token: %s", href)
	}
	if strings.Count(page.Body, token) > 1 {
		t.Errorf("the page repeats the token %d times; want only the form's hidden field", strings.Count(page.Body, token))
	}
	req := c.newRequest(http.MethodGet, href, nil)
	req.Header.Set("Referer", baseURL+u.RequestURI())
	r := c.do(req)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != u.RequestURI() {
		t.Errorf("language switch: status %d, Location %q; want back to %s", r.StatusCode, r.Header.Get("Location"), u.RequestURI())
	}
}
