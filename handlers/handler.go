// Package handlers is the portal's HTTP layer: one Fiber app, one file per
// flow, all dependencies on one Handler built by New.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/codes"
	"github.com/hwk/kundenportal/handlers/csrftoken"
	"github.com/hwk/kundenportal/handlers/keys"
	"github.com/hwk/kundenportal/handlers/passkey"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/handlers/sealed"
	"github.com/hwk/kundenportal/locales"
	"github.com/hwk/kundenportal/static"
	"github.com/hwk/kundenportal/store"
)

// Options configure the HTTP layer. cmd/portal fills them from Config.
// Hasher is what the handlers need of a *password.Hasher: hashing and
// checking passwords under its admission (password.ErrBusy when too much
// work is queued) and how long the queued work takes. Tests wrap one to
// make the portal busy on purpose.
type Hasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	Verify(ctx context.Context, pw, stored string) (ok, rehash bool, err error)
	VerifyDummy(ctx context.Context, pw string) error
	RetryAfter() time.Duration
}

type Options struct {
	BaseURL        string        // public origin, for links in mails and WebAuthn
	Dev            bool          // local development: dev mailbox, no Secure cookies
	SessionIdle    time.Duration // logout after this long without activity
	Contact        string        // contact address shown to customers
	TrustedProxies []string      // proxies whose X-Forwarded-* headers are believed
	Catalog        *locales.Catalog
	Store          *store.Store
	Logger         *slog.Logger
	MailNotify     func()        // wakes the mail sender after a mail was queued; may be nil
	Hasher         Hasher        // argon2id with admission; password.NewHasher(password.DefaultParams, 0) when nil
	SecretKey      []byte        // 32 bytes: encrypts TOTP secrets, keys code hashes
	RecoveryTTL    time.Duration // lifetime of a password reset link (default 1 hour)
	InviteTTL      time.Duration // lifetime of an invitation link (default 7 days)
	Brand          Brand         // the chamber's name, logo and legal pages
	// OIDCEndpointLimit is how many calls of the token, introspection and
	// revocation endpoints a minute one client address and one client id
	// may make each (default 600).
	OIDCEndpointLimit int
}

// Handler holds what every flow needs.
type Handler struct {
	loc        *time.Location // the chamber's time zone, for times shown to customers
	sealer     *sealed.Sealer
	codes      *codes.Hasher
	webauthn   *webauthn.WebAuthn
	csrfSigner *csrftoken.Signer
	baseOrigin string // PORTAL_BASE_URL's scheme://host[:port], for the Origin check
	proxies    proxySet
	oidc       *provider.Provider // the OpenID Connect provider
	deviceKey  []byte             // signs device cookies
	opt        Options
	store      *store.Store
	assets     *static.Assets
	log        *slog.Logger
	logo       *logo  // the configured logo; nil for the embedded default
	site       string // components.SiteKey of every page
}

// New checks the options and builds the Handler.
func New(opt Options) (*Handler, error) {
	assets, err := static.Load()
	if err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.Logger = slog.New(requestLogHandler{opt.Logger.Handler()})
	if opt.OIDCEndpointLimit == 0 {
		opt.OIDCEndpointLimit = oidcEndpointLimit
	}
	if opt.SessionIdle == 0 {
		opt.SessionIdle = 10 * time.Minute
	}
	if opt.MailNotify == nil {
		opt.MailNotify = func() {}
	}
	if opt.Hasher == nil {
		opt.Hasher = password.NewHasher(password.DefaultParams, 0)
	}
	if opt.RecoveryTTL == 0 {
		opt.RecoveryTTL = time.Hour
	}
	if opt.InviteTTL == 0 {
		opt.InviteTTL = 7 * 24 * time.Hour
	}
	loc, err := time.LoadLocationFromTZData("Europe/Berlin", berlinZone)
	if err != nil {
		return nil, fmt.Errorf("handlers: time zone: %w", err)
	}
	if len(opt.SecretKey) != 32 {
		// A made-up key would seal secrets that no later start can open.
		return nil, errors.New("handlers: the secret key must be 32 bytes (PORTAL_SECRET_KEY)")
	}
	sealer, err := sealed.New(opt.SecretKey)
	if err != nil {
		return nil, err
	}
	wa, err := passkey.New(opt.BaseURL)
	if err != nil {
		return nil, err
	}
	csrfKey, err := keys.Derive(opt.SecretKey, keys.CSRF)
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	deviceKey, err := keys.Derive(opt.SecretKey, keys.Device)
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	codeHasher, err := codes.NewHasher(opt.SecretKey)
	if err != nil {
		return nil, err
	}
	oidcProvider, err := provider.New(provider.Options{
		Issuer: opt.BaseURL, SecretKey: opt.SecretKey, Insecure: strings.HasPrefix(opt.BaseURL, "http://"),
		LogoutRedirect: withNotice(paths.Login, noticeLoggedOut), Store: opt.Store, Logger: opt.Logger,
	})
	if err != nil {
		return nil, err
	}
	opt.Brand.OrgName = or(opt.Brand.OrgName, DefaultOrgName)
	opt.Brand.OrgAddress = or(opt.Brand.OrgAddress, DefaultOrgAddress)
	lg, err := loadLogo(opt.Brand.LogoFile)
	if err != nil {
		return nil, err
	}
	h := &Handler{
		deviceKey: deviceKey,
		loc:       loc, sealer: sealer, codes: codeHasher, webauthn: wa,
		csrfSigner: csrftoken.New(csrfKey), baseOrigin: originOf(opt.BaseURL),
		proxies: parseProxies(opt.TrustedProxies), oidc: oidcProvider,
		opt: opt, store: opt.Store, assets: assets, log: opt.Logger, logo: lg,
	}
	site := components.Page{Contact: opt.Contact, Dev: opt.Dev}
	h.brandPage(&site)
	h.site = components.SiteKey(site)
	return h, nil
}

// App builds the Fiber app with middleware and routes.
func (h *Handler) App() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "portal",
		ErrorHandler:          h.handleError,
		Immutable:             true, // strings from the request outlive the handler safely
		DisableStartupMessage: true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          15 * time.Second,
		IdleTimeout:           60 * time.Second,
		BodyLimit:             256 * 1024,
	})
	h.routes(app)
	return app
}

// background is a context for work that must finish even when the request
// that started it is gone.
func background(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
