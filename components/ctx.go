// Package components holds the portal's templ components: the layout, form
// parts, and one file per flow with its view models. Components do no I/O;
// they take message IDs and translate them with T.
package components

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

type ctxKey int

const (
	localizerKey ctxKey = iota
	pageKey
)

// Page is what every page needs besides its own view model.
type Page struct {
	Lang string // "de" or "en"
	CSRF string // token for forms and the hx-headers of <body>
	Path string // current path and query, the target of the language switch
	// ExpiredURL is where the session timeout notice leads when the
	// session has ended: the login, back to Path afterwards.
	ExpiredURL string
	Asset      func(string) string // URL of a static file by its plain name
	User       string              // e-mail of the logged-in customer, empty when anonymous
	Contact    string              // contact address shown in the footer and the help page
	Dev        bool                // local development (shows the dev mailbox link)
	// IdleSeconds is how long the session lasts without activity; 0 when
	// nobody is logged in. SessionEnds is that moment as a clock time.
	IdleSeconds int
	SessionEnds string
	// IdleMinutes is the configured idle limit, for texts that explain it.
	IdleMinutes int
	// NoScript marks a page with nothing for a script to do (no form, no
	// passkey): the layout loads no script, unless a customer is logged in
	// (the session timeout notice needs it).
	NoScript bool
	// The chamber's identity: name, logo and legal pages (empty URLs are
	// left out; AccessibilityURL is always set).
	OrgName, LogoURL                         string
	ImprintURL, PrivacyURL, AccessibilityURL string
	// OrgAddress is the chamber's postal address on one line, and
	// PortalURL the portal's public address; both for the mail footer.
	OrgAddress, PortalURL string
	// Site is SiteKey of this page: the key under which the layout's
	// brand and footer are kept per language. Empty keeps nothing.
	Site string
}

// SiteKey joins what the layout's kept brand and footer show besides
// texts: the chamber's identity, the contact address and Dev. Those are
// the same on every page of one portal.
func SiteKey(p Page) string {
	return strings.Join([]string{p.OrgName, p.LogoURL, p.Contact, p.ImprintURL, p.PrivacyURL,
		p.AccessibilityURL, strconv.FormatBool(p.Dev)}, "\x00")
}

// Localizer translates messages: the catalog's (locales.Localizer), which
// keeps the texts without data, as a page shows dozens of them.
type Localizer interface {
	Localize(*i18n.LocalizeConfig) (string, error)
	// Text is the message id without data (Localize of just the id).
	Text(id string) (string, error)
}

// WithLocalizer returns ctx carrying loc for T.
func WithLocalizer(ctx context.Context, loc Localizer) context.Context {
	return context.WithValue(ctx, localizerKey, loc)
}

// WithPage returns ctx carrying the page-wide data.
func WithPage(ctx context.Context, p Page) context.Context {
	return context.WithValue(ctx, pageKey, p)
}

// PageOf returns the page-wide data in ctx (zero value, German, when absent).
func PageOf(ctx context.Context) Page {
	p, _ := ctx.Value(pageKey).(Page)
	if p.Lang == "" {
		p.Lang = "de"
	}
	if p.IdleMinutes == 0 {
		p.IdleMinutes = 10
	}
	if p.Asset == nil {
		p.Asset = func(name string) string { return "/static/" + name }
	}
	return p
}

// T translates the message id with the localizer in ctx. data fills the
// message's placeholders; a "Count" entry also selects the plural form.
// A missing message is logged and shown as its id, never as an empty string.
func T(ctx context.Context, id string, data ...map[string]any) string {
	loc, _ := ctx.Value(localizerKey).(Localizer)
	if loc == nil {
		return id
	}
	var s string
	var err error
	if len(data) > 0 && data[0] != nil {
		cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data[0]}
		if n, ok := data[0]["Count"]; ok {
			cfg.PluralCount = n
		}
		s, err = loc.Localize(cfg)
	} else {
		s, err = loc.Text(id)
	}
	if err != nil {
		slog.WarnContext(ctx, "missing message", "message_id", id, "err", err)
		if s == "" {
			return id
		}
	}
	return s
}

// text is a message shown as text: @text("login.title") in a template
// writes the translation of the id, HTML-escaped, straight to the page.
// It is { T(ctx, "login.title") } without its cost: templ passes every
// { } value through fmt.Sprint, two allocations for each of the dozens of
// texts a page shows. (A call drops the whitespace around it, so it
// stands only between tags.)
type text string

// Render writes the translation of id.
func (id text) Render(ctx context.Context, w io.Writer) error {
	return writeEscaped(w, T(ctx, string(id)))
}

// writeEscaped writes s with the characters html.EscapeString (and so
// templ) escapes escaped the same way, without building a new string.
func writeEscaped(w io.Writer, s string) error {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		if _, err := io.WriteString(w, s[last:i]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, esc); err != nil {
			return err
		}
		last = i + 1
	}
	_, err := io.WriteString(w, s[last:])
	return err
}

// keeper is a localizer that keeps strings made from its texts
// (locales.Localizer.Kept).
type keeper interface {
	Kept(name, arg string) (string, bool)
	Keep(name, arg, s string)
}

// perLanguage is a fragment that shows nothing but texts and constants
// (and what its arg names): rendered once per localizer, so per language
// and catalog, and written from the kept HTML after that. Attribute values
// cannot use @text, and the passkey and password-toggle texts sit in
// attributes; a page's layout and empty form fields are most of it.
type perLanguage struct {
	name string
	arg  string          // what the fragment shows besides texts and constants
	html templ.Component // the fragment, rendered the first time
}

// Render writes the kept HTML, making it the first time.
func (f perLanguage) Render(ctx context.Context, w io.Writer) error {
	k, ok := ctx.Value(localizerKey).(keeper)
	if !ok {
		return f.html.Render(ctx, w)
	}
	html, ok := k.Kept(f.name, f.arg)
	if !ok {
		var b strings.Builder
		if err := f.html.Render(ctx, &b); err != nil {
			return err
		}
		html = b.String()
		k.Keep(f.name, f.arg, html)
	}
	_, err := io.WriteString(w, html)
	return err
}

// perSite is a perLanguage fragment that also shows the site's identity
// (what SiteKey joins): kept under Page.Site, and rendered afresh on a
// page without one.
type perSite struct {
	name string
	html templ.Component
}

// Render writes the kept HTML for the page's site.
func (f perSite) Render(ctx context.Context, w io.Writer) error {
	site := PageOf(ctx).Site
	if site == "" {
		return f.html.Render(ctx, w)
	}
	return perLanguage{name: f.name, arg: site, html: f.html}.Render(ctx, w)
}

// KeptPage is page for a request that shows nothing of its own but its
// language, path and CSRF token: an empty form or a help text for an
// anonymous browser. Its HTML is made once per language, site and path
// with a stand-in for the token and kept with the localizer (under name,
// which tells the pages apart); every request writes it with its own
// token. The caller vouches that page's view holds nothing of the request;
// a page of a logged-in customer, or one without a site key, is rendered
// afresh.
func KeptPage(name string, page templ.Component) templ.Component {
	return keptPage{name: "page:" + name, page: page}
}

type keptPage struct {
	name string
	page templ.Component
}

// tokenStandIn stands for the CSRF token in a kept page: of the token's
// alphabet (base64url), so escaped as the token is, and random, so that no
// text of a page holds it.
var tokenStandIn = func() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}()

// Render writes the kept HTML with the page's token in place of the
// stand-in, making it the first time.
func (k keptPage) Render(ctx context.Context, w io.Writer) error {
	p := PageOf(ctx)
	keep, ok := ctx.Value(localizerKey).(keeper)
	if !ok || p.Site == "" || p.User != "" {
		return k.page.Render(ctx, w)
	}
	arg := p.Site + "\x00" + p.Path
	html, ok := keep.Kept(k.name, arg)
	if !ok {
		standIn := p
		standIn.CSRF = tokenStandIn
		var b strings.Builder
		if err := k.page.Render(WithPage(ctx, standIn), &b); err != nil {
			return err
		}
		html = b.String()
		keep.Keep(k.name, arg, html)
	}
	for {
		before, after, found := strings.Cut(html, tokenStandIn)
		if _, err := io.WriteString(w, before); err != nil || !found {
			return err
		}
		if _, err := io.WriteString(w, p.CSRF); err != nil {
			return err
		}
		html = after
	}
}
