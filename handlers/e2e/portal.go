// Package e2e is the browser test harness: a real portal per test
// (PostgreSQL, SMTP sink, mail sender, Fiber on a local port) and a real
// headless Chromium driven through chromedp, with axe-core run on every page
// the browser lands on and a virtual WebAuthn authenticator.
//
// A test package using it starts with
//
//	func TestMain(m *testing.M) { e2e.Main(m) }
//
// and each test with
//
//	p := e2e.StartPortal(t)
//	b := p.NewBrowser(t, e2e.Options{JavaScript: true, Lang: "de"})
//	b.Visit("/help")          // loads the page and runs axe-core on it
//	b.Fill("#email", "anna@example.de")
//	b.Submit("#login-form")   // waits for the new page or the htmx swap, runs axe-core
//
// Expected texts come from the catalogs (p.T(t, "de", "help.title")), never
// from string literals in the test.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/mailer"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/locales"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// Contact is the contact address the test portal shows.
const Contact = "kundenlogin@hwk-ufr.de"

// MailFrom is the sender address of the test portal's mails.
const MailFrom = "Handwerkskammer für Unterfranken <noreply@hwk-ufr.de>"

// SecretKey is the PORTAL_SECRET_KEY of the portals under test: fixed 32
// bytes, so a test can open what the portal sealed with it.
var SecretKey = []byte("kundenportal-e2e-key-32-bytes!!!")

// Portal is a running portal for one test.
type Portal struct {
	BaseURL string            // http://localhost:PORT, the origin the browser must use
	Store   *store.Store      // the portal's database, for setting up and checking state
	Mail    *smtptest.Server  // the SMTP sink every mail of the portal arrives at
	Handler *handlers.Handler // the running handler
	Catalog *locales.Catalog  // the message catalog the portal renders with
}

// PortalOption changes the handler options StartPortal uses; any
// func(*handlers.Options) is one, for settings without a helper here.
type PortalOption func(*handlers.Options)

// Dev runs the portal in development mode (cookies without Secure, no
// __Host- prefix, the dev mailbox). Browser tests normally run without it,
// as production does.
func Dev() PortalOption {
	return func(o *handlers.Options) { o.Dev = true }
}

// SessionIdle sets the idle timeout after which a session ends.
func SessionIdle(d time.Duration) PortalOption {
	return func(o *handlers.Options) { o.SessionIdle = d }
}

// StartPortal runs a portal on a fresh PostgreSQL database (StartPortalOn
// with storetest.Postgres).
func StartPortal(t testing.TB, opts ...PortalOption) *Portal {
	t.Helper()
	return StartPortalOn(t, storetest.Postgres(t), opts...)
}

// StartPortalOn runs a portal on the store s (a fresh database), with an SMTP sink
// and a mail sender delivering to it, on 127.0.0.1 with a free port, named
// http://localhost:PORT (WebAuthn needs a domain, never an IP address).
// Everything stops when the test ends.
func StartPortalOn(t testing.TB, s *store.Store, opts ...PortalOption) *Portal {
	t.Helper()
	logger := testLogger(t)
	sink := smtptest.Start(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("e2e: listen: %v", err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)

	transport, err := mailer.NewSMTP(sink.URL(), MailFrom)
	if err != nil {
		ln.Close()
		t.Fatalf("e2e: smtp transport: %v", err)
	}
	sender := mailer.New(s, transport, mailer.Options{Worker: "e2e", Logger: logger})
	catalog, err := locales.Embedded()
	if err != nil {
		ln.Close()
		t.Fatalf("e2e: catalog: %v", err)
	}
	hopt := handlers.Options{
		BaseURL: base, Catalog: catalog, Store: s, Logger: logger,
		Contact: Contact, MailNotify: sender.Notify, SecretKey: SecretKey,
	}
	for _, o := range opts {
		o(&hopt)
	}
	if hopt.Hasher == nil {
		// Cheap argon2 parameters: the browser tests run in parallel, and the
		// production cost is what the benchmarks and the handler tests of
		// the hash admission measure, not these.
		hopt.Hasher = password.NewHasher(password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}, 2)
	}
	h, err := handlers.New(hopt)
	if err != nil {
		ln.Close()
		t.Fatalf("e2e: handlers: %v", err)
	}
	app := h.App()

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sender.Run(ctx) })
	wg.Go(func() { h.RunCleanup(ctx) })
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("e2e: shut down portal: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("e2e: serve: %v", err)
		}
		cancel()
		wg.Wait()
	})
	return &Portal{BaseURL: base, Store: s, Mail: sink, Handler: h, Catalog: catalog}
}

// URL is the absolute URL of path on the portal.
func (p *Portal) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return p.BaseURL + path
}

// T translates a message id for lang with the portal's catalog, so tests
// compare against the catalogs instead of repeating their text.
func (p *Portal) T(t testing.TB, lang, id string, data ...map[string]any) string {
	t.Helper()
	return Translate(t, p.Catalog, lang, id, data...)
}

// testLogger logs warnings and errors to the test log. Lines that arrive
// after the test ended (from goroutines still stopping) are dropped instead
// of making the testing package panic.
func testLogger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.close) // registered first, so it runs after every other cleanup
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log("portal: " + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
