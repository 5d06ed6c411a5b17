package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hwk/kundenportal/store/storetest"
)

// DefaultChromium is the browser the tests start unless PORTAL_CHROMIUM
// names another: Chromium's headless shell (Debian's package
// chromium-headless-shell), the same engine as the full browser without
// its user interface. On the suite it takes about half the CPU of
// /usr/bin/chromium in headless mode, which runs the whole browser and
// dominates the suite's time.
const DefaultChromium = "/usr/bin/chromium-headless-shell"

// startTimeout bounds starting Chromium (first start on a cold machine).
const startTimeout = 60 * time.Second

// chromium is the one headless browser process of the test binary, started
// on first use. Every Browser is a separate browser context (like an
// incognito window) in it.
var chromium struct {
	once   sync.Once
	ctx    context.Context // chromedp context owning the browser
	cancel context.CancelFunc
	err    error
}

// Main runs the tests of a package that uses browsers (with
// storetest.Run, which lends one test's database to the next) and stops
// the shared Chromium (removing its profile directory) afterwards. Call it
// from TestMain.
func Main(m *testing.M) {
	code := storetest.Run(m)
	shutdownChromium()
	os.Exit(code)
}

func shutdownChromium() {
	if chromium.cancel != nil {
		chromium.cancel()
	}
}

// chromiumPath is PORTAL_CHROMIUM, or DefaultChromium.
func chromiumPath() string {
	if p := os.Getenv("PORTAL_CHROMIUM"); p != "" {
		return p
	}
	return DefaultChromium
}

// sharedChromium starts the browser once and returns its context; a failure
// is returned to every caller.
func sharedChromium() (context.Context, error) {
	chromium.once.Do(func() {
		chromium.ctx, chromium.cancel, chromium.err = startChromium(chromiumPath())
	})
	return chromium.ctx, chromium.err
}

// startChromium starts a headless Chromium fit for a machine without a
// network: no background traffic, no updates, no QUIC, a fresh profile
// directory (made and removed by chromedp).
func startChromium(path string) (context.Context, context.CancelFunc, error) {
	if _, err := exec.LookPath(path); err != nil {
		return nil, nil, fmt.Errorf("no Chromium at %s: %w", path, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	cancel := func() { cancelCtx(); cancelAlloc() }

	// The first call starts the browser and must not carry a timeout (the
	// browser would die with it), so it is bounded from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			cancel()
			return nil, nil, err
		}
	case <-time.After(startTimeout):
		cancel()
		return nil, nil, errors.New("no answer within " + startTimeout.String())
	}
	return ctx, cancel, nil
}

// chromiumFailed ends the test when the browser is unusable. A browser
// test never skips.
func chromiumFailed(t testing.TB, err error) {
	t.Helper()
	t.Fatalf("e2e: Chromium could not be started (%s; set PORTAL_CHROMIUM to a Chromium binary, "+
		"or run `make test`, which installs it): %v", chromiumPath(), err)
}
