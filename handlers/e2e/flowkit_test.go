package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// Helpers of the flow tests (flows_*_test.go): a portal with cheap
// password hashing and a movable clock, mails picked from the SMTP sink by
// subject, waits for the page, focus and keys. The shared steps of the
// flows are in flows_steps_test.go.

// flowClock is the store's clock in the flow tests: real time moved by an
// offset the test may increase.
type flowClock struct{ offset atomic.Int64 }

func (c *flowClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// advance moves the portal's clock forward by d.
func (c *flowClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// flowPortal is a portal for one flow test.
type flowPortal struct {
	*Portal
	clock *flowClock
	taken map[int]bool // indexes of sink mails a test already picked
}

// startFlowPortal starts a portal on PostgreSQL with the movable clock (set before the portal runs, so nothing
// reads it concurrently), plus opts.
func startFlowPortal(t *testing.T, opts ...PortalOption) *flowPortal {
	t.Helper()
	return startFlowPortalOn(t, storetest.Postgres(t), opts...)
}

// startFlowPortalOn is startFlowPortal on the store s: storetest.SQLite
// for the database `make run` uses.
func startFlowPortalOn(t *testing.T, s *store.Store, opts ...PortalOption) *flowPortal {
	t.Helper()
	clock := &flowClock{}
	base := []PortalOption{func(o *handlers.Options) {
		o.Store.SetClock(clock.now)
	}}
	return &flowPortal{Portal: StartPortalOn(t, s, append(base, opts...)...), clock: clock, taken: map[int]bool{}}
}

// waitMail waits for a mail to addr with the subject (the translated
// subject) that no earlier call returned, and returns it.
func (p *flowPortal) waitMail(t *testing.T, addr, subject string) smtptest.Mail {
	t.Helper()
	var found smtptest.Mail
	waitUntil(t, fmt.Sprintf("a new mail %q to %s", subject, addr), func() (bool, string) {
		var got []string
		for i, m := range p.Mail.Messages() {
			if !p.taken[i] && m.Subject == subject && slices.Contains(m.To, addr) {
				p.taken[i], found = true, m
				return true, ""
			}
			got = append(got, fmt.Sprintf("%q to %v", m.Subject, m.To))
		}
		return false, "the sink holds " + strings.Join(got, ", ")
	})
	return found
}

// mailLink is the link in the mail's text part whose path is path.
func mailLink(t *testing.T, m smtptest.Mail, path string) string {
	t.Helper()
	links := smtptest.Links(m)
	for _, l := range links {
		if u, err := url.Parse(l); err == nil && u.Path == path {
			return l
		}
	}
	t.Fatalf("mail %q has no link to %s: %v", m.Subject, path, links)
	return ""
}

var mailCodeLine = regexp.MustCompile(`(?m)^\s*(\d{6})\s*$`)

// mailCode is the six-digit code on a line of its own in the text part.
func mailCode(t *testing.T, m smtptest.Mail) string {
	t.Helper()
	match := mailCodeLine.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("mail %q has no code line:\n%s", m.Subject, m.Text)
	}
	return match[1]
}

// totpNow is the authenticator app's current code for secret, on the
// portal's clock.
func (p *flowPortal) totpNow(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.Code(secret, p.Store.Now())
	if err != nil {
		t.Fatalf("totp code: %v", err)
	}
	return code
}

// invite runs the operator's invitation and returns its mail.
func (p *flowPortal) invite(t *testing.T, email, lang string) smtptest.Mail {
	t.Helper()
	if _, err := p.Handler.Invite(t.Context(), handlers.Invitation{Email: email, Lang: lang}); err != nil {
		t.Fatalf("invite: %v", err)
	}
	return p.waitMail(t, email, p.T(t, lang, "mail.invite.subject"))
}

// pageEval evaluates expr; false while the page is being replaced.
func pageEval[T any](b *Browser, expr string) (T, bool) {
	ctx, cancel := context.WithTimeout(b.ctx, time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	return v, err == nil
}

// eventually polls the page until cond holds or DefaultTimeout passes and
// reports whether it held.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(DefaultTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollEvery)
	}
	return true
}

// wantPath waits until the browser shows path (a navigation may still be
// under way), lets the page settle and checks its accessibility; it fails
// the test when the path does not come.
func wantPath(t *testing.T, b *Browser, path string) {
	t.Helper()
	var got string
	if !eventually(func() bool { got, _ = pageEval[string](b, "location.pathname"); return got == path }) {
		summary, _ := pageEval[string](b, `(document.querySelector("#error-summary") || {}).innerText || ""`)
		h1, _ := pageEval[string](b, `(document.querySelector("h1") || {}).innerText || ""`)
		t.Fatalf("path = %q, want %q (h1 %q, errors %q)", got, path, h1, summary)
	}
	b.settle(time.Now())
	b.checkIfChanged()
}

// textOf is the element's visible text, trimmed; "" when there is none.
func textOf(b *Browser, sel string) string {
	s, _ := pageEval[string](b, `((document.querySelector(`+jsString(sel)+`) || {}).innerText || "").trim()`)
	return s
}

// wantText fails the test unless the element's text becomes want.
func wantText(t *testing.T, b *Browser, sel, want string) {
	t.Helper()
	var got string
	if !eventually(func() bool { got = textOf(b, sel); return got == want }) {
		t.Errorf("%s = %q, want %q", sel, got, want)
	}
}

// wantContains fails the test unless the element's text comes to contain
// want.
func wantContains(t *testing.T, b *Browser, sel, want string) {
	t.Helper()
	var got string
	if !eventually(func() bool { got = textOf(b, sel); return strings.Contains(got, want) }) {
		t.Errorf("%s = %q, want it to contain %q", sel, got, want)
	}
}

// submit sends the form like Browser.Submit and then also waits until the
// request it causes has shown in the window (a new page or an htmx swap):
// on a busy machine Submit can return before the navigation starts.
func submit(b *Browser, form string) {
	b.t.Helper()
	before := b.watch.counts()
	b.Submit(form)
	awaitLoad(b, before, "submit "+form)
}

// click clicks like Browser.Click and then waits as submit does; for
// links and buttons that load something.
func click(b *Browser, sel string) {
	b.t.Helper()
	before := b.watch.counts()
	b.Click(sel)
	awaitLoad(b, before, "click "+sel)
}

// awaitLoad waits until a document or fetch finished after before, then
// for the page to settle, and checks it.
func awaitLoad(b *Browser, before [2]int, what string) {
	b.t.Helper()
	if !eventually(func() bool { return b.watch.counts() != before }) {
		b.t.Fatalf("e2e: %s loaded nothing within %v", what, DefaultTimeout)
	}
	b.settle(time.Now())
	b.checkIfChanged()
}

// visible reports whether an element matches sel and is rendered visibly.
func visible(b *Browser, sel string) bool {
	b.t.Helper()
	return Eval[bool](b, `(() => { const e = document.querySelector(`+jsString(sel)+`);
		return !!e && e.checkVisibility({visibilityProperty: true}); })()`)
}

// focusIs reports whether the focused element matches sel.
func focusIs(b *Browser, sel string) bool {
	b.t.Helper()
	return Eval[bool](b, `!!document.activeElement && document.activeElement.matches(`+jsString(sel)+`)`)
}

// focusedText is the trimmed text of the focused element.
func focusedText(b *Browser) string {
	b.t.Helper()
	return Eval[string](b, `document.activeElement ? document.activeElement.textContent.trim() : ""`)
}

// pressEnter presses Enter on the focused element as a physical key does:
// a raw key down, then the character, then the key up. (chromedp's
// KeyEvent, which PressKey uses, sends a key down that Chromium does not
// treat as raw, so the character still arrives when the key down already
// acted: Enter on a link to a text field then also submits the field's
// form, which no real keyboard does.)
func pressEnter(b *Browser) {
	b.t.Helper()
	b.interact("press Enter", chromedp.KeyEvent(kb.Enter, func(p *input.DispatchKeyEventParams) {
		if p.Type == input.DispatchKeyEventTypeKeyDown {
			p.Type = input.DispatchKeyEventTypeRawKeyDown
		}
	}))
}

// waitUntil polls cond until it holds, failing the test after
// DefaultTimeout with the last state cond described.
func waitUntil(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	var last string
	if !eventually(func() bool { ok, state := cond(); last = state; return ok }) {
		t.Fatalf("waited %v for %s; last: %s", DefaultTimeout, what, last)
	}
}
