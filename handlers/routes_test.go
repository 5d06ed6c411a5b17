package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
)

// routeTable matches paths against the app's registered routes by method.
type routeTable map[string][]*regexp.Regexp

func routesOf(app *fiber.App) routeTable {
	rt := routeTable{}
	param := regexp.MustCompile(`:[A-Za-z_]+\??`)
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead {
			continue
		}
		pattern := regexp.QuoteMeta(r.Path)
		pattern = param.ReplaceAllString(strings.ReplaceAll(pattern, `\*`, ".*"), "[^/]+")
		rt[r.Method] = append(rt[r.Method], regexp.MustCompile("^"+pattern+"$"))
	}
	return rt
}

func (rt routeTable) has(method, path string) bool {
	for _, re := range rt[method] {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

// pagesToVisit are the GET routes without parameters: every page a
// customer can open directly.
func (rt routeTable) pagesToVisit(app *fiber.App) []string {
	var paths []string
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodGet && !strings.ContainsAny(r.Path, ":*") {
			paths = append(paths, r.Path)
		}
	}
	sort.Strings(paths)
	return paths
}

// localTarget is the path of a link or form target on the portal's own
// origin, or "" for other origins, mailto: and in-page anchors.
func localTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" || strings.HasPrefix(raw, "#") {
		return ""
	}
	if u.Scheme != "" && u.Scheme+"://"+u.Host != baseURL {
		return ""
	}
	return u.Path
}

// TestEveryLinkAndFormHasARoute opens every page as a visitor, as a
// customer half-way through the login, at the first choice of a second
// factor and logged in, and fails on a link, form or htmx target that
// points to no registered route of its method: a template's typo or a
// renamed path.
func TestEveryLinkAndFormHasARoute(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	rt := routesOf(p.App)
	pages := rt.pagesToVisit(p.App)
	if len(pages) < 15 {
		t.Fatalf("only %d pages found among the routes: %v", len(pages), pages)
	}
	p.passwordUser(t, "routes@example.de", goodPassword)
	p.passwordUserNoMFA(t, "first@example.de", goodPassword)
	personas := map[string]func() *client{
		"visitor": func() *client { return p.client(t) },
		"second step": func() *client {
			c := p.client(t)
			c.getOK("/login")
			c.passwordStep(plainForm, url.Values{"email": {"routes@example.de"}, "password": {goodPassword}}, "/mfa/verify")
			return c
		},
		"first login": func() *client { c := p.client(t); c.loginFirst("first@example.de", goodPassword); return c },
		"customer":    func() *client { c := p.client(t); c.login("routes@example.de", goodPassword); return c },
	}
	checked := 0
	for name, persona := range personas {
		c := persona()
		for _, page := range pages {
			r := c.get(page)
			if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				continue
			}
			doc := r.Doc(t)
			check := func(method, target, what string) {
				path := localTarget(target)
				if path == "" {
					return
				}
				checked++
				if !rt.has(method, path) {
					t.Errorf("%s, page %s: %s %q (%s %s) matches no route", name, page, what, target, method, path)
				}
			}
			doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) { check(fiber.MethodGet, s.AttrOr("href", ""), "link") })
			doc.Find("link[href], script[src], img[src]").Each(func(_ int, s *goquery.Selection) {
				check(fiber.MethodGet, s.AttrOr("href", s.AttrOr("src", "")), "resource")
			})
			doc.Find("form").Each(func(_ int, s *goquery.Selection) {
				method := strings.ToUpper(s.AttrOr("method", "get"))
				check(method, s.AttrOr("action", page), "form")
			})
			for _, attr := range []string{"hx-post", "hx-get"} {
				doc.Find("[" + attr + "]").Each(func(_ int, s *goquery.Selection) {
					check(strings.ToUpper(strings.TrimPrefix(attr, "hx-")), s.AttrOr(attr, ""), attr)
				})
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d links and forms checked: the pages did not render", checked)
	}
}
