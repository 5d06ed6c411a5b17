package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/csrftoken"
	"github.com/hwk/kundenportal/handlers/paths"
)

const (
	csrfHeader     = "X-Csrf-Token"
	localCSRFBrows = "csrf_browser"
	localSessRaw   = "session_raw" // the session token the response leaves the browser with
)

// csrfCookieName is the cookie of the per-browser random value. The
// __Host- prefix needs a Secure cookie, which http://localhost (--dev)
// cannot set.
func (h *Handler) csrfCookieName() string {
	if h.opt.Dev {
		return "csrf"
	}
	return "__Host-csrf"
}

// csrf protects every unsafe request (it runs after loadSession): it must
// come from the portal's own origin (Sec-Fetch-Site, else Origin, when the
// browser sends them) and carry the token of its browser and session (hidden field for plain
// forms, X-Csrf-Token header for htmx and fetch). Tokens are HMACs, so
// nothing is stored; a browser without the cookie gets one here.
func (h *Handler) csrf(c *fiber.Ctx) error {
	browser := c.Cookies(h.csrfCookieName())
	safe := c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead || c.Method() == fiber.MethodOptions
	if !safe {
		if reason := h.csrfProblem(c, browser); reason != "" {
			h.log.InfoContext(c.UserContext(), "csrf check failed", "path", c.Path(), "request_id", requestID(c), "reason", reason)
			return fiber.ErrForbidden
		}
	}
	if !csrftoken.ValidBrowserID(browser) {
		browser = csrftoken.NewBrowserID()
		c.Cookie(&fiber.Cookie{
			Name: h.csrfCookieName(), Value: browser, Path: "/",
			Secure: !h.opt.Dev, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, SessionOnly: true,
		})
	}
	c.Locals(localCSRFBrows, browser)
	c.Vary(fiber.HeaderCookie)
	return c.Next()
}

// csrfProblem says why an unsafe request is refused, or "" when it passes.
func (h *Handler) csrfProblem(c *fiber.Ctx, browser string) string {
	switch site := c.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return "sec-fetch-site " + site
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != h.baseOrigin {
		return "foreign origin"
	}
	token := c.Get(csrfHeader)
	if token == "" {
		token = formValue(c, components.FieldCSRF)
	}
	if token == "" {
		return "no token"
	}
	if h.csrfSigner.Check(token, browser, c.Cookies(h.sessionCookieName())) {
		return ""
	}
	// A page rendered before the browser had its session (a login form
	// left open in a tab) may still log in, and anonymous forms do not
	// depend on the session; an authenticated session needs its own token.
	if (currentUser(c) == nil || c.Path() == paths.Login) && h.csrfSigner.Check(token, browser, "") {
		return ""
	}
	return "token does not match"
}

// csrfToken is the token the page being rendered carries: for the browser
// value and the session token the browser holds after this response.
func (h *Handler) csrfToken(c *fiber.Ctx) string {
	browser, _ := c.Locals(localCSRFBrows).(string)
	if browser == "" {
		return ""
	}
	sess, set := c.Locals(localSessRaw).(string)
	if !set {
		sess = c.Cookies(h.sessionCookieName())
	}
	return h.csrfSigner.Token(browser, sess)
}

// sessionChanged notes the session token the browser will hold and, when
// the page was already set up, renews its CSRF token for it.
func (h *Handler) sessionChanged(c *fiber.Ctx, raw string) {
	c.Locals(localSessRaw, raw)
	if _, ok := c.Locals("lang").(string); ok {
		h.setupPage(c)
	}
}

// originOf is the scheme, host and port of a base URL, as browsers send
// them in the Origin header.
func originOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}
