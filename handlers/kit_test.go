package handlers_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/locales"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// baseURL is the public origin of the test portal; links in mails start with it.
const baseURL = "http://localhost:8080"

// fastParams make argon2id cheap enough for tests (never for production).
var fastParams = password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}

// portal is one portal on its own PostgreSQL database.
type portal struct {
	App     *fiber.App
	Store   *store.Store
	Handler *handlers.Handler
	Hasher  *password.Hasher
	Catalog *locales.Catalog
	Clock   *testClock
	Logs    *logBuffer // everything the portal logged
}

// option changes the handler options newPortal uses.
type option func(*handlers.Options)

// notDev builds the portal as in production: Secure cookies with the
// __Host- prefix, no dev mailbox.
func notDev(o *handlers.Options) { o.Dev = false }

// newPortal builds the real Fiber app on a fresh PostgreSQL database, with
// fast hashing, a movable clock and a logger writing to t.Log.
func newPortal(t testing.TB, opts ...option) *portal {
	t.Helper()
	catalog, err := locales.Embedded()
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	s := storetest.Postgres(t)
	clock := &testClock{}
	s.SetClock(clock.Now)
	logs := &logBuffer{t: t}
	t.Cleanup(logs.stop)
	o := handlers.Options{
		BaseURL: baseURL,
		Dev:     true,
		Catalog: catalog,
		Store:   s,
		Hasher:  password.NewHasher(fastParams, 2),
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, opt := range opts {
		opt(&o)
	}
	h, err := handlers.New(o)
	if err != nil {
		t.Fatalf("handlers.New: %v", err)
	}
	return &portal{App: h.App(), Store: s, Handler: h, Hasher: o.Hasher, Catalog: catalog, Clock: clock, Logs: logs}
}

// testClock is the store's clock: real time moved by an offset, so rows
// written one after another still get increasing times.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// logBuffer passes log lines to t.Log and keeps them, so a test can check
// that no secret was logged.
type logBuffer struct {
	t       testing.TB
	mu      sync.Mutex
	buf     bytes.Buffer
	stopped bool
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.stopped {
		l.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (l *logBuffer) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// String is everything logged so far.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// msg translates a message id as the portal does (German unless lang says
// otherwise), for comparing with page text.
func (p *portal) msg(t testing.TB, id string, data ...map[string]any) string {
	t.Helper()
	return p.msgIn(t, "de", id, data...)
}

func (p *portal) msgIn(t testing.TB, lang, id string, data ...map[string]any) string {
	t.Helper()
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := p.Catalog.Localizer(lang).Localize(cfg)
	if err != nil {
		t.Fatalf("message %s: %v", id, err)
	}
	return s
}

// mails returns the outbox mails to an address, newest first.
func (p *portal) mails(t testing.TB, to string) []store.OutboxMail {
	t.Helper()
	all, err := p.Store.RecentMail(context.Background(), 1000)
	if err != nil {
		t.Fatalf("recent mail: %v", err)
	}
	var out []store.OutboxMail
	for _, m := range all {
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

// lastMail is the newest mail to an address.
func (p *portal) lastMail(t testing.TB, to string) store.OutboxMail {
	t.Helper()
	ms := p.mails(t, to)
	if len(ms) == 0 {
		t.Fatalf("no mail to %s in the outbox", to)
	}
	return ms[0]
}

var portalLink = regexp.MustCompile(regexp.QuoteMeta(baseURL) + `(/[^\s<>"]*)`)

// linkIn returns the path and query of the first portal link in the mail's
// text whose path starts with prefix, failing when there is none.
func linkIn(t testing.TB, m store.OutboxMail, prefix string) string {
	t.Helper()
	for _, l := range portalLink.FindAllStringSubmatch(m.TextBody, -1) {
		if strings.HasPrefix(l[1], prefix) {
			return l[1]
		}
	}
	t.Fatalf("mail %q to %s has no link to %s:\n%s", m.Subject, m.To, prefix, m.TextBody)
	return ""
}

// tokenOf is the token query parameter of a link path.
func tokenOf(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("link %q has no token", link)
	}
	return u.Query().Get("token")
}

// inviteUser invites email as staff do and returns the link of the
// invitation mail.
func (p *portal) inviteUser(t testing.TB, email string) string {
	t.Helper()
	if _, err := p.Handler.Invite(context.Background(), handlers.Invitation{Email: email}); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	return linkIn(t, p.lastMail(t, email), "/invite/confirm?token=")
}

// passwordUser creates an account with a password directly in the store.
func (p *portal) passwordUser(t testing.TB, email, pw string) *store.User {
	t.Helper()
	ctx := context.Background()
	hash, err := p.Hasher.Hash(ctx, pw)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	now := p.Store.Now()
	u := &store.User{Email: email, PasswordHash: hash, Lang: "de", EmailVerifiedAt: &now}
	if err := p.Store.CreateUser(ctx, u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// user loads an account by address.
func (p *portal) user(t testing.TB, email string) *store.User {
	t.Helper()
	u, err := p.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// events lists the audit events with the given name (all for ""), newest
// first.
func (p *portal) events(t testing.TB, name string) []store.AuditEvent {
	t.Helper()
	f := store.AuditFilter{}
	if name != "" {
		f.Events = []string{name}
	}
	evs, err := p.Store.AuditEvents(context.Background(), f)
	if err != nil {
		t.Fatalf("audit events: %v", err)
	}
	return evs
}

// Passwords used in the tests: they meet the policy and are on no block list.
const (
	goodPassword  = "Kachelofen-Blau7!"
	otherPassword = "Zunftwappen#Gelb42"
)
