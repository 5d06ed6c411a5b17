package handlers

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
)

// contentSecurityPolicy allows scripts, styles and fonts only from the
// portal itself: no inline script or style, no eval, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the strict headers every response carries.
func (h *Handler) securityHeaders(c *fiber.Ctx) error {
	h.setSecurityHeaders(c)
	return c.Next()
}

// setSecurityHeaders sets them; the error handler calls it too, for
// requests the server refuses before any middleware ran.
func (h *Handler) setSecurityHeaders(c *fiber.Ctx) {
	header := &c.Response().Header
	for _, kv := range securityHeaderValues {
		header.SetCanonical(kv[0], kv[1])
	}
	if !h.opt.Dev {
		header.SetCanonical(hstsHeader[0], hstsHeader[1])
	}
}

// securityHeaderValues are the headers of every response, in canonical
// form, so that setting them copies no normalized key on each request.
var securityHeaderValues = [][2][]byte{
	{[]byte("Content-Security-Policy"), []byte(contentSecurityPolicy)},
	{[]byte("Referrer-Policy"), []byte("same-origin")},
	{[]byte("X-Content-Type-Options"), []byte("nosniff")},
	{[]byte("X-Frame-Options"), []byte("DENY")},
	{[]byte("Cross-Origin-Opener-Policy"), []byte("same-origin")},
	{[]byte("Cross-Origin-Resource-Policy"), []byte("same-origin")},
	{[]byte("Permissions-Policy"), []byte("camera=(), microphone=(), geolocation=(), payment=(), usb=()")},
}

// hstsHeader is left out in development, which runs on plain HTTP.
var hstsHeader = [2][]byte{[]byte("Strict-Transport-Security"), []byte("max-age=63072000; includeSubDomains")}

// accessLog writes one structured line per request: never the query string
// (it may hold tokens) and never a body.
func (h *Handler) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = errorStatus(err) // the error handler answers after this
	}
	// A fault is an error; a busy portal (503) is a warning an operator
	// watches for, not a fault.
	level := slog.LevelInfo
	switch {
	case status == fiber.StatusServiceUnavailable:
		level = slog.LevelWarn
	case status >= 500:
		level = slog.LevelError
	}
	h.log.LogAttrs(c.UserContext(), level, "request",
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Int64("duration_us", time.Since(start).Microseconds()),
		slog.String("request_id", requestID(c)),
		slog.String("ip", c.IP()),
	)
	return err
}

// language picks the language (the customer's choice in the lang cookie,
// then Accept-Language, then German) and puts the localizer and the
// page-wide data into the request context.
func (h *Handler) language(c *fiber.Ctx) error {
	h.setupPage(c)
	return c.Next()
}

const langCookie = "lang"

func (h *Handler) setupPage(c *fiber.Ctx) {
	lang := h.opt.Catalog.Match(c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))
	c.Locals("lang", lang)
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	token := h.csrfToken(c)
	ctx := components.WithLocalizer(c.UserContext(), h.opt.Catalog.Localizer(lang))
	page := components.Page{
		Lang:    lang,
		CSRF:    token,
		Path:    pagePath(c),
		Asset:   h.assets.URL,
		Contact: h.opt.Contact,
		Dev:     h.opt.Dev,

		IdleMinutes: int(h.opt.SessionIdle.Minutes()),
	}
	h.brandPage(&page)
	page.Site = h.site
	if user, sess := currentUser(c), currentSession(c); user != nil && sess != nil {
		page.User = user.Email
		page.IdleSeconds = int(h.opt.SessionIdle.Seconds())
		page.SessionEnds = h.sessionEnds(sess).In(h.loc).Format("15:04")
		page.ExpiredURL = components.WithQuery(withNotice(paths.Login, noticeSessionExpired), components.FieldNext, page.Path)
	}
	ctx = components.WithPage(ctx, page)
	c.SetUserContext(ctx)
}

// assignRequestID gives every request a fresh random id for the logs, the
// X-Request-Id response header and the reference on the 500 page. An id
// sent by the client is ignored: it would let anyone write into the logs.
func assignRequestID(c *fiber.Ctx) error {
	id := utils.UUIDv4()
	c.Locals("requestid", id)
	c.SetUserContext(withRequestID(c.UserContext(), id))
	c.Set("X-Request-Id", id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("requestid").(string)
	return id
}

func (h *Handler) logPanic(c *fiber.Ctx, e any) {
	h.log.ErrorContext(c.UserContext(), "panic", "path", c.Path(), "request_id", requestID(c), "panic", e)
}
