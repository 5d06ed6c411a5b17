package e2e

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// quiet is how long the page must have had no network or loading activity
// to count as settled. It covers the moment between a click and the
// request it starts.
const quiet = 60 * time.Millisecond

// pollEvery is how often waits look again.
const pollEvery = 10 * time.Millisecond

// readyJS is true when the document is loaded and htmx is not busy.
const readyJS = `document.readyState === "complete" &&
	!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`

// netWatch follows the tab's requests and navigations through DevTools
// events. Its handle runs on chromedp's event loop and must stay quick.
type netWatch struct {
	mu       sync.Mutex
	frame    cdp.FrameID
	inflight map[network.RequestID]request
	loading  bool      // the main frame is loading a document
	last     time.Time // last event of any kind
	docs     int       // documents committed in the main frame
	fetches  int       // finished fetch and XHR requests (htmx)
	status   int64     // HTTP status of the last main-frame document
	problems []string  // CSP violations, script errors (see pageProblem)
}

// request is one request in flight and the document (loader) it belongs to.
type request struct {
	typ    network.ResourceType
	loader cdp.LoaderID
}

func newNetWatch() *netWatch {
	return &netWatch{inflight: map[network.RequestID]request{}, last: time.Now()}
}

func (w *netWatch) setMainFrame(id string) {
	w.mu.Lock()
	w.frame = cdp.FrameID(id)
	w.mu.Unlock()
}

func (w *netWatch) handle(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pageProblem(ev) {
		return
	}
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		w.inflight[ev.RequestID] = request{typ: ev.Type, loader: ev.LoaderID}
	case *network.EventLoadingFinished:
		w.finish(ev.RequestID)
	case *network.EventLoadingFailed:
		w.finish(ev.RequestID)
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument && ev.FrameID == w.frame {
			w.status = ev.Response.Status
		}
	case *page.EventFrameRequestedNavigation:
		w.loading = w.loading || ev.FrameID == w.frame
	case *page.EventFrameStartedLoading:
		w.loading = w.loading || ev.FrameID == w.frame
	case *page.EventFrameStoppedLoading:
		if ev.FrameID == w.frame {
			w.loading = false
		}
	case *page.EventFrameNavigated:
		if ev.Frame.ParentID == "" {
			w.docs++
			// Requests of the old document that the navigation cut off
			// never report an end: forget them.
			for id, r := range w.inflight {
				if r.loader != ev.Frame.LoaderID && r.typ != network.ResourceTypeDocument {
					delete(w.inflight, id)
				}
			}
		}
	default:
		return
	}
	w.last = time.Now()
}

func (w *netWatch) finish(id network.RequestID) {
	r, ok := w.inflight[id]
	if !ok {
		return
	}
	delete(w.inflight, id)
	if r.typ == network.ResourceTypeFetch || r.typ == network.ResourceTypeXHR {
		w.fetches++
	}
}

// counts identifies the state of the page: it changes when a document is
// loaded or a fetch finishes.
func (w *netWatch) counts() [2]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return [2]int{w.docs, w.fetches}
}

// quietFor reports whether nothing has been loading for at least d.
func (w *netWatch) quietFor(d time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.inflight) == 0 && !w.loading && time.Since(w.last) >= d
}

// busy describes what keeps the page from settling.
func (w *netWatch) busy() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fmt.Sprintf("%d request(s) in flight, document loading %v, last event %v ago (or the document is not complete, or htmx is busy)",
		len(w.inflight), w.loading, time.Since(w.last).Round(time.Millisecond))
}

func (w *netWatch) lastStatus() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return int(w.status)
}

// settle waits until the page is quiet: no request in flight, no document
// loading, nothing for a moment since the action that started at start,
// the document complete and htmx idle. A page that keeps a request open
// (long polling, server-sent events) never settles.
func (b *Browser) settle(start time.Time) {
	b.t.Helper()
	deadline := time.Now().Add(b.opt.Timeout)
	for {
		if time.Since(start) >= quiet && b.watch.quietFor(quiet) && b.ready() {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("e2e: the page did not settle within %v: %s", b.opt.Timeout, b.watch.busy())
		}
		time.Sleep(pollEvery)
	}
}

// ready evaluates readyJS; a page being replaced is not ready.
func (b *Browser) ready() bool {
	ctx, cancel := context.WithTimeout(b.ctx, time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](readyJS))
	return err == nil && ok
}
