package e2e

import (
	"strings"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
)

// pageProblem records what the browser itself reports as wrong with a page:
// a Content Security Policy violation, an uncaught script error or a
// console.error call. It runs on chromedp's event loop with w.mu held and
// reports whether ev was such an event.
func (w *netWatch) pageProblem(ev any) bool {
	switch ev := ev.(type) {
	case *cdplog.EventEntryAdded:
		// Network entries are statuses such as the 422 of a refused form,
		// which the tests expect; every other error entry (CSP violations
		// come as "security") is a defect of the page.
		if ev.Entry.Level == cdplog.EntryLevelError && ev.Entry.Source != cdplog.EntrySourceNetwork {
			w.problems = append(w.problems, string(ev.Entry.Source)+": "+ev.Entry.Text)
		}
	case *runtime.EventExceptionThrown:
		text := ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil && ex.Description != "" {
			text += " " + ex.Description
		}
		w.problems = append(w.problems, "uncaught exception: "+text)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return true
		}
		var args []string
		for _, a := range ev.Args {
			if a.Description != "" {
				args = append(args, a.Description)
			} else {
				args = append(args, strings.Trim(string(a.Value), `"`))
			}
		}
		w.problems = append(w.problems, "console.error: "+strings.Join(args, " "))
	default:
		return false
	}
	return true
}

// takeProblems returns the problems recorded since the last call.
func (w *netWatch) takeProblems() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.problems
	w.problems = nil
	return p
}

// PageErrors returns what the browser reported as wrong with the pages
// since the last check (CSP violations, uncaught exceptions, console
// errors) without failing the test. CheckA11y reports them.
func (b *Browser) PageErrors() []string { return b.watch.takeProblems() }

// checkPageErrors fails the test on every problem PageErrors returns.
func (b *Browser) checkPageErrors(path string) {
	b.t.Helper()
	for _, p := range b.PageErrors() {
		b.t.Errorf("e2e: the browser reported a problem on %s (%s): %s", path, b.mode(), p)
	}
}
