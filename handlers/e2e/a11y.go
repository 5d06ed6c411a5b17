package e2e

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1 (MPL-2.0, see testdata/axe-core.LICENSE).
//
//go:embed testdata/axe-4.14.1.min.js
var axeSource string

// A11yTags are the axe-core rule tags every page is checked against:
// WCAG 2.0, 2.1 and 2.2, levels A and AA. The best-practice rule "region"
// (all content inside landmarks) is checked too (axeRunJS).
var A11yTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// Violation is one failed axe-core rule on the page.
type Violation struct {
	ID      string   `json:"id"`      // rule id, e.g. "image-alt"
	Impact  string   `json:"impact"`  // minor, moderate, serious or critical
	Help    string   `json:"help"`    // what the rule asks for
	HelpURL string   `json:"helpUrl"` // the rule's documentation
	Nodes   int      `json:"nodes"`   // how many elements fail it
	Targets []string `json:"targets"` // selectors of the first failing elements
}

// String describes the violation for a test failure.
func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s; %d element(s), first: %s",
		v.ID, v.Impact, v.Help, v.Nodes, strings.Join(v.Targets, " | "))
}

// axeRunJS runs axe on the whole document and keeps what a report needs.
var axeRunJS = `axe.run(document, {
	runOnly: {type: "tag", values: ` + jsStrings(A11yTags) + `},
	rules: {region: {enabled: true}},
	resultTypes: ["violations"]
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.length,
	targets: v.nodes.slice(0, 3).map(n => n.target.map(String).join(" "))
})))`

// CheckA11y runs axe-core on the page as it is now and reports each
// violation with t.Errorf (once per page, rule and element), and before
// that every problem the browser reported since the last check (a CSP
// violation, an uncaught script error, console.error). The helpers
// that change the page call it themselves; call it after a change they do
// not see, such as one made with Eval.
func (b *Browser) CheckA11y() {
	b.t.Helper()
	path := b.CurrentPath()
	b.checkPageErrors(path)
	for _, v := range b.Violations() {
		key := path + " " + v.ID + " " + strings.Join(v.Targets, ",")
		if b.seen[key] {
			continue
		}
		b.seen[key] = true
		b.t.Errorf("e2e: accessibility violation on %s (%s): %s", path, b.mode(), v)
	}
}

// Violations runs axe-core on the page and returns the violations without
// failing the test. A page whose rendering was checked before in this test
// binary (see pageKey) gets the result of that check.
//
// axe is loaded by DevTools evaluation, which works with the page's
// JavaScript switched off. But axe.run waits on timers, which do not fire
// while script execution is disabled, so with JavaScript off script
// execution is switched on for the run and off again after it. The page's
// own scripts stay unrun: they were skipped while the document was parsed.
func (b *Browser) Violations() []Violation {
	b.t.Helper()
	b.checked = b.watch.counts()
	var vs []Violation
	b.call("axe-core", func(ctx context.Context) (err error) {
		key, err := pageKey(ctx)
		if err != nil {
			return err
		}
		if cached, ok := axeResults.get(key); ok {
			vs = cached
			return nil
		}
		defer func() {
			if err == nil {
				axeResults.put(key, vs)
			}
		}()
		if !b.opt.JavaScript {
			if err := setScripts(ctx, true); err != nil {
				return err
			}
			defer func() {
				if e := setScripts(context.WithoutCancel(ctx), false); e != nil && err == nil {
					err = fmt.Errorf("disable JavaScript again: %w", e)
				}
			}()
		}
		vs, err = runAxe(ctx)
		return err
	})
	return vs
}

// pageKeyJS is the document as axe-core sees it, less what differs between
// two renderings of the same page: hidden field values (CSRF tokens, flow
// ids), the CSRF header htmx sends, links' and forms' query strings
// (one-time tokens) and the ids in their paths, the text of code elements
// (recovery codes, an authenticator key), inline images (a QR code),
// e-mail addresses (each test has its own) and digits (dates, times,
// codes). None of these changes what axe-core checks: the elements, their
// names, roles and colours stay. The window size, which decides the
// layout, is part of it.
const pageKeyJS = `(() => {
	const doc = document.documentElement.cloneNode(true);
	for (const el of doc.querySelectorAll("input[type=hidden]")) el.removeAttribute("value");
	for (const el of doc.querySelectorAll("code")) el.textContent = "code";
	for (const el of doc.querySelectorAll("*")) {
		for (const a of [...el.attributes]) {
			if (a.name.startsWith("hx-headers")) el.removeAttribute(a.name);
			else if (/^(href|action|src|hx-get|hx-post|data-[a-z-]*url)$/.test(a.name)) {
				el.setAttribute(a.name, a.value.startsWith("data:") ? "data:" : a.value.split("?")[0].replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "id"));
			}
		}
	}
	return innerWidth + "x" + innerHeight + " " + doc.outerHTML.replace(/[^\s"'<>@]+@[^\s"'<>]+/g, "x@y").replace(/[0-9]+/g, "0");
})()`

// pageKey identifies the current rendering of the page for axeResults.
func pageKey(ctx context.Context) (string, error) {
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageKeyJS))
	if err != nil {
		return "", fmt.Errorf("page key: %w", err)
	}
	sum := sha256.Sum256([]byte(html))
	return hex.EncodeToString(sum[:]), nil
}

// axeResults are the violations found per page rendering (pageKey) in this
// test binary. The same markup with the same stylesheet and window size
// gives the same axe-core result, so the parallel browser tests, which
// pass the same pages again and again (the login page, the choice of a
// second factor, each in four modes), check each rendering once.
var axeResults = resultCache{m: map[string][]Violation{}}

type resultCache struct {
	mu sync.Mutex
	m  map[string][]Violation
}

func (c *resultCache) get(key string) ([]Violation, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vs, ok := c.m[key]
	return vs, ok
}

func (c *resultCache) put(key string, vs []Violation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = vs
}

// runAxe loads axe into the page unless it is there and runs it.
func runAxe(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("load axe: %w", err)
		}
	}
	return chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRunJS, chromedp.EvalAwaitPromise))
}

// checkIfChanged runs CheckA11y when a document was loaded or htmx fetched
// something since the last check.
func (b *Browser) checkIfChanged() {
	b.t.Helper()
	if b.watch.counts() != b.checked {
		b.CheckA11y()
	}
}

func setScripts(ctx context.Context, on bool) error {
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: !on})
	return err
}

func (b *Browser) mode() string {
	js := "JavaScript off"
	if b.opt.JavaScript {
		js = "JavaScript on"
	}
	return js + ", " + b.opt.Lang
}

func jsStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
