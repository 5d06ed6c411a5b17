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
	"github.com/google/uuid"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/handlers/sealed"
	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/locales"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
	"github.com/hwk/kundenportal/store/storetest"
)

// baseURL is the public origin of the test portal; links in mails start with it.
const baseURL = "http://localhost:8080"

// fastParams make argon2id cheap enough for tests (never for production).
var fastParams = password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}

// testSecretKey is the portal's PORTAL_SECRET_KEY in the tests (32 bytes):
// fixed, so a test can open what the portal sealed with it.
var testSecretKey = []byte("kundenportal-test-key-32-bytes!!")

// portal is one portal on its own PostgreSQL database.
type portal struct {
	App     *fiber.App
	Store   *store.Store
	Handler *handlers.Handler
	Hasher  handlers.Hasher
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
	return newPortalOn(t, storetest.Postgres(t), opts...)
}

// newPortalOn is newPortal on the given store (storetest.SQLite: the
// database of make run).
func newPortalOn(t testing.TB, s *store.Store, opts ...option) *portal {
	t.Helper()
	catalog, err := locales.Embedded()
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	clock := &testClock{}
	s.SetClock(clock.Now)
	logs := &logBuffer{t: t}
	t.Cleanup(logs.stop)
	o := handlers.Options{
		BaseURL:   baseURL,
		Dev:       true,
		Catalog:   catalog,
		Store:     s,
		Hasher:    password.NewHasher(fastParams, 2),
		SecretKey: testSecretKey,
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
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
		if n, ok := data[0]["Count"]; ok {
			cfg.PluralCount = n // as components.T does
		}
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

// passwordUser creates an account with a password directly in the store,
// with the e-mail code as its second factor (a customer past the first
// login).
func (p *portal) passwordUser(t testing.TB, email, pw string) *store.User {
	t.Helper()
	u := p.passwordUserNoMFA(t, email, pw)
	p.addMethod(t, u, &store.MFAMethod{Kind: factor.Email})
	return u
}

// passwordUserNoMFA creates an account with a password and no second
// factor: its next login is the first and ends at the choice of a method.
func (p *portal) passwordUserNoMFA(t testing.TB, email, pw string) *store.User {
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

// addMethod stores a second factor for u directly.
func (p *portal) addMethod(t testing.TB, u *store.User, m *store.MFAMethod) *store.MFAMethod {
	t.Helper()
	m.UserID = u.ID
	if err := p.Store.AddMethod(context.Background(), m); err != nil {
		t.Fatalf("add %s method for %s: %v", m.Kind, u.Email, err)
	}
	return m
}

// addTOTP gives u an authenticator app, its secret sealed with the test
// key as the portal does, and returns the plain secret.
func (p *portal) addTOTP(t testing.TB, u *store.User) string {
	t.Helper()
	key, err := totp.Generate("Kundenportal", u.Email)
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.New()
	sealed, err := testSealer(t).Seal(key.Secret, totp.MethodAD(u.ID.String(), id.String()))
	if err != nil {
		t.Fatal(err)
	}
	p.addMethod(t, u, &store.MFAMethod{ID: id, Kind: factor.TOTP, Secret: sealed})
	return key.Secret
}

// testSealer opens and seals secrets as the test portal does.
func testSealer(t testing.TB) *sealed.Sealer {
	t.Helper()
	s, err := sealed.New(testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// methods lists u's second factors, the last used first.
func (p *portal) methods(t testing.TB, u *store.User) []store.MFAMethod {
	t.Helper()
	ms, err := p.Store.MethodsOf(context.Background(), u.ID)
	if err != nil {
		t.Fatalf("methods of %s: %v", u.Email, err)
	}
	return ms
}

// codeLine is a six-digit code on a line of its own.
var codeLine = regexp.MustCompile(`(?m)^\s*(\d{6})\s*$`)

// codeMails lists the mails with a confirmation code ("Bestätigungscode")
// to an address, newest first.
func (p *portal) codeMails(t testing.TB, to string) []store.OutboxMail {
	t.Helper()
	var out []store.OutboxMail
	for _, m := range p.mails(t, to) {
		if strings.Contains(m.Subject, "Bestätigungscode") {
			out = append(out, m)
		}
	}
	return out
}

// mailCode is the code of the newest confirmation-code mail to an
// address; the mail's text has it on a line of its own.
func (p *portal) mailCode(t testing.TB, to string) string {
	t.Helper()
	ms := p.codeMails(t, to)
	if len(ms) == 0 {
		t.Fatalf("no Bestätigungscode mail to %s in the outbox", to)
	}
	m := codeLine.FindStringSubmatch(ms[0].TextBody)
	if m == nil {
		t.Fatalf("mail %q to %s has no code on a line of its own:\n%s", ms[0].Subject, to, ms[0].TextBody)
	}
	return m[1]
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

// eventsOf lists u's audit events with the given name, newest first.
func (p *portal) eventsOf(t testing.TB, name string, u *store.User) []store.AuditEvent {
	t.Helper()
	evs, err := p.Store.AuditEvents(context.Background(), store.AuditFilter{UserID: &u.ID, Events: []string{name}})
	if err != nil {
		t.Fatalf("audit events: %v", err)
	}
	return evs
}

// addrFor is an address of its own for each transport, so that the
// subtests of both can share one portal.
func addrFor(tr transport, local string) string {
	if tr.htmx {
		return local + ".htmx@example.de"
	}
	return local + "@example.de"
}

// Passwords used in the tests: they meet the policy and are on no block list.
const (
	goodPassword  = "Kachelofen-Blau7!"
	otherPassword = "Zunftwappen#Gelb42"
)
