package components_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
	"golang.org/x/net/html"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/locales"
)

// testContact is the contact address the rendered pages carry.
const testContact = "kundenlogin@hwk-ufr.de"

// languages are the languages every page is rendered in.
var languages = []string{"de", "en"}

var embeddedCatalog = sync.OnceValues(locales.Embedded)

// missingMessages records the message ids components.T could not find.
type missingMessages struct {
	mu  sync.Mutex
	ids []string
}

func (m *missingMessages) Enabled(context.Context, slog.Level) bool { return true }
func (m *missingMessages) WithAttrs([]slog.Attr) slog.Handler       { return m }
func (m *missingMessages) WithGroup(string) slog.Handler            { return m }

func (m *missingMessages) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "missing message" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "message_id" {
			m.mu.Lock()
			m.ids = append(m.ids, a.Value.String())
			m.mu.Unlock()
		}
		return true
	})
	return nil
}

// renderDoc renders c in lang with the embedded catalogs and parses the
// result. It fails the test when a message is missing in that language.
func renderDoc(t *testing.T, lang string, c templ.Component) *goquery.Document {
	t.Helper()
	cat, err := embeddedCatalog()
	if err != nil {
		t.Fatalf("embedded catalog: %v", err)
	}
	ctx := components.WithLocalizer(context.Background(), cat.Localizer(lang))
	ctx = components.WithPage(ctx, components.Page{Lang: lang, Path: "/help", CSRF: "csrf-token", Contact: testContact})

	missing := &missingMessages{}
	prev := slog.Default()
	slog.SetDefault(slog.New(missing))
	var buf bytes.Buffer
	err = c.Render(ctx, &buf)
	slog.SetDefault(prev)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if len(missing.ids) > 0 {
		t.Errorf("%s: messages missing in the catalog: %v", lang, missing.ids)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatalf("parse rendered HTML: %v", err)
	}
	return doc
}

// rawIDRe matches a message id that was shown instead of its text.
var rawIDRe = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_]+)+$`)

// assertNoRawIDs fails when any word of the rendered text or of a
// text-bearing attribute looks like an untranslated message id.
func assertNoRawIDs(t *testing.T, doc *goquery.Document) {
	t.Helper()
	check := func(where, text string) {
		for _, word := range strings.Fields(text) {
			if rawIDRe.MatchString(strings.Trim(word, ",;:!?()„“”\"'")) {
				t.Errorf("raw message id %q in %s: %q", word, where, text)
			}
		}
	}
	for _, n := range doc.Nodes {
		for d := range n.Descendants() {
			if d.Type == html.TextNode {
				check("text", d.Data)
			}
		}
	}
	for _, attr := range []string{"aria-label", "title", "alt", "placeholder", "aria-description"} {
		doc.Find("[" + attr + "]").Each(func(_ int, s *goquery.Selection) {
			check(attr+" attribute", s.AttrOr(attr, ""))
		})
	}
}

// assertHeadingOrder fails unless the page starts with its one h1 and never
// skips a heading level on the way down.
func assertHeadingOrder(t *testing.T, doc *goquery.Document) {
	t.Helper()
	if n := doc.Find("h1").Length(); n != 1 {
		t.Errorf("page has %d h1 elements, want exactly 1", n)
	}
	last := 0
	doc.Find("h1, h2, h3, h4, h5, h6").Each(func(i int, s *goquery.Selection) {
		level := int(goquery.NodeName(s)[1] - '0')
		if i == 0 && level != 1 {
			t.Errorf("first heading is h%d %q, want the h1", level, s.Text())
		}
		if level > last+1 {
			t.Errorf("heading h%d %q follows h%d: a level is skipped", level, s.Text(), last)
		}
		last = level
	})
}

// assertFragmentTargets fails when an in-page link points at no element.
func assertFragmentTargets(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find(`a[href^="#"]`).Each(func(_ int, s *goquery.Selection) {
		href := s.AttrOr("href", "")
		if doc.Find(`[id="`+strings.TrimPrefix(href, "#")+`"]`).Length() != 1 {
			t.Errorf("link %q (%q) points at no single element", href, s.Text())
		}
	})
}

// squash collapses runs of white space, as a browser shows text.
func squash(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
