package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds one browser action (a navigation, a click and the
// page settling after it, a query).
const DefaultTimeout = 10 * time.Second

// Options choose how a Browser behaves.
type Options struct {
	// BaseURL is the origin relative paths are resolved against; the
	// portal's when the Browser comes from Portal.NewBrowser.
	BaseURL string
	// JavaScript runs the pages' scripts (htmx). Off, the browser behaves
	// like one with JavaScript switched off: only HTML forms and links.
	JavaScript bool
	// Lang is the language the browser asks for (Accept-Language and the
	// browser locale): "de" or "en". Empty means "de".
	Lang string
	// Timeout bounds each action; DefaultTimeout when zero.
	Timeout time.Duration
}

// Browser is one browser window with its own cookies and storage (a
// separate browser context of the shared Chromium). Its methods fail the
// test on errors. Every method that can change the page (Visit, Click,
// Submit, Fill, PressKey, PressTab, PressShiftTab, Exec, WaitVisible) waits
// for the page to settle and then runs the accessibility check when a new
// page was loaded or htmx fetched something since the last check (Visit
// always checks). A Browser belongs to one goroutine.
type Browser struct {
	t       testing.TB
	opt     Options
	ctx     context.Context
	watch   *netWatch
	checked [2]int          // watch.counts() at the last accessibility check
	seen    map[string]bool // violations already reported
}

// NewBrowser opens a window in the shared Chromium (starting it on first
// use) and closes it when the test ends. A missing or broken Chromium fails
// the test.
func NewBrowser(t testing.TB, opt Options) *Browser {
	t.Helper()
	if opt.Lang == "" {
		opt.Lang = "de"
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	root, err := sharedChromium()
	if err != nil {
		chromiumFailed(t, err)
	}
	w := newNetWatch()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext(), chromedp.WithListener(w.handle))
	t.Cleanup(cancel)
	// The first call opens the tab; like the browser, the tab lives as long
	// as the context of that call, so it carries no timeout.
	if err := chromedp.Do(ctx); err != nil {
		chromiumFailed(t, err)
	}
	w.setMainFrame(string(chromedp.FromContext(ctx).Target.TargetID))
	b := &Browser{t: t, opt: opt, ctx: ctx, watch: w, seen: map[string]bool{}}
	// chromedp enables the CSS domain for its style queries, which the
	// tests do not use; off, the browser does not report every style sheet
	// and style change of every page to the test.
	b.call("disable the CSS domain", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, css.Disable, cdp.Empty{})
		return err
	})
	b.call("disable JavaScript", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: !opt.JavaScript})
		return err
	})
	b.call("set language", func(ctx context.Context) error {
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": opt.Lang},
		}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: opt.Lang})
		return err
	})
	return b
}

// NewBrowser opens a Browser on this portal (see the package function).
func (p *Portal) NewBrowser(t testing.TB, opt Options) *Browser {
	t.Helper()
	opt.BaseURL = p.BaseURL
	return NewBrowser(t, opt)
}

// Context is the context of the Browser's tab, for chromedp calls the
// helpers do not cover. Use the helpers where they exist: only they run the
// accessibility check.
func (b *Browser) Context() context.Context { return b.ctx }

// Options are the options the Browser was opened with (defaults filled in).
func (b *Browser) Options() Options { return b.opt }

// call runs f with the action timeout and fails the test on an error.
func (b *Browser) call(what string, f func(ctx context.Context) error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.opt.Timeout)
	defer cancel()
	if err := f(ctx); err != nil {
		b.t.Fatalf("e2e: %s: %v", what, err)
	}
}

// do runs chromedp actions with the action timeout.
func (b *Browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.call(what, func(ctx context.Context) error { return chromedp.Do(ctx, actions...) })
}

// Eval evaluates a JavaScript expression in the page and returns its value
// decoded as T. It works with JavaScript off too (DevTools evaluation is
// not page script). It does not wait for the page or check accessibility.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	var v T
	b.call("evaluate "+shorten(expr), func(ctx context.Context) error {
		var err error
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
		return err
	})
	return v
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// Cookies returns the cookies the window holds for the current page, with
// their flags (Secure, HttpOnly, SameSite), as the browser stored them.
func (b *Browser) Cookies() []*network.Cookie {
	b.t.Helper()
	var cookies []*network.Cookie
	b.call("get cookies", func(ctx context.Context) error {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
		cookies = res.Cookies
		return err
	})
	return cookies
}
