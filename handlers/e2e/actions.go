package e2e

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Selectors in the helpers are CSS selectors (document.querySelector); the
// first match is used.

// Visit opens path (relative to the base URL, or an absolute URL), waits
// for the page to settle and checks its accessibility. The HTTP status is
// then available from Status.
func (b *Browser) Visit(path string) {
	b.t.Helper()
	url := path
	if strings.HasPrefix(path, "/") {
		url = strings.TrimRight(b.opt.BaseURL, "/") + path
	}
	start := time.Now()
	b.call("visit "+path, func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
		return err
	})
	b.settle(start)
	b.CheckA11y()
}

// Status is the HTTP status of the last document the window loaded (after
// redirects).
func (b *Browser) Status() int { return b.watch.lastStatus() }

// Click clicks the element, as a mouse does, and waits for what follows (a
// navigation or an htmx request) to settle.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.interact("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// Submit submits the form matched by form by clicking its first submit
// button, as a person does (so the button's name and value are sent), and
// waits for the new page or the htmx swap.
func (b *Browser) Submit(form string) {
	b.t.Helper()
	button := form + ` [type="submit"], ` + form + ` button:not([type])`
	b.interact("submit "+form, chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible))
}

// Fill replaces the value of the field by typing value into it, key by
// key (so htmx triggers on input or keyup fire), and waits for any request
// that causes. A trigger with a delay (hx-trigger="keyup delay:300ms") may
// fire after Fill returns: wait for its result with WaitVisible.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	b.interact("fill "+sel, chromedp.Clear(chromedp.CSS(sel), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
}

// PressKey presses a key on the focused element: a character or one of the
// kb constants (kb.Enter, kb.Escape, kb.ArrowDown, …). Pressing Enter in a
// form submits it; the page is awaited as after Click.
func (b *Browser) PressKey(key string) {
	b.t.Helper()
	b.interact("press "+shorten(key), chromedp.KeyEvent(key))
}

// PressTab moves the focus forward as the Tab key does.
func (b *Browser) PressTab() {
	b.t.Helper()
	b.PressKey(kb.Tab)
}

// PressShiftTab moves the focus backward as Shift+Tab does.
func (b *Browser) PressShiftTab() {
	b.t.Helper()
	b.interact("press shift+tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
}

// WaitVisible waits until the element is in the page and visible (for
// example the result of an htmx swap), then checks the page if it changed.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.interact("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Exec runs JavaScript that acts on the page (submits a crafted form,
// dispatches an event) and then waits and checks like Click. It works with
// JavaScript off too: DevTools evaluation is not page script.
func (b *Browser) Exec(js string) {
	b.t.Helper()
	b.interact("run "+shorten(js), chromedp.Evaluate[chromedp.Void](js))
}

// interact runs the actions, waits for the page to settle and checks the
// page's accessibility if it changed.
func (b *Browser) interact(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	start := time.Now()
	b.do(what, actions...)
	b.settle(start)
	b.checkIfChanged()
}

// Text is the visible text of the element, trimmed. It waits for the
// element to exist.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	var s string
	b.call("text of "+sel, func(ctx context.Context) error {
		var err error
		s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
		return err
	})
	return strings.TrimSpace(s)
}

// Exists reports whether an element matches sel now (it does not wait).
func (b *Browser) Exists(sel string) bool {
	b.t.Helper()
	return Eval[bool](b, `document.querySelector(`+jsString(sel)+`) !== null`)
}

// Attr is the value of the element's attribute, "" when it has none. It
// waits for the element to exist.
func (b *Browser) Attr(sel, name string) string {
	b.t.Helper()
	var r chromedp.AttributeResult
	b.call("attribute "+name+" of "+sel, func(ctx context.Context) error {
		var err error
		r, err = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name, chromedp.NodeReady))
		return err
	})
	return r.Value
}

// CurrentPath is the path of the page shown (without query and fragment).
func (b *Browser) CurrentPath() string {
	b.t.Helper()
	return Eval[string](b, `location.pathname`)
}

// focusedJS describes document.activeElement: "#id" when it has an id, else
// the tag with its name or href ("a[href=\"/help\"]"), "body" when nothing
// is focused.
const focusedJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return "body";
	if (e.id) return "#" + e.id;
	const tag = e.tagName.toLowerCase();
	for (const a of ["name", "href"]) {
		const v = e.getAttribute(a);
		if (v !== null) return tag + "[" + a + "=" + JSON.stringify(v) + "]";
	}
	return tag;
})()`

// Focused describes the focused element: "#id" when it has an id, else
// its tag with its name or href, "body" when nothing has the focus.
func (b *Browser) Focused() string {
	b.t.Helper()
	return Eval[string](b, focusedJS)
}

// Screenshot writes a PNG of the whole page to path, for debugging.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	var png []byte
	b.call("screenshot", func(ctx context.Context) error {
		var err error
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		return err
	})
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("e2e: write screenshot: %v", err)
	}
}
