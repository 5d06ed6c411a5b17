package handlers

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/hwk/kundenportal/components"
)

// isHTMXPartial reports whether htmx asked for a fragment rather than a
// whole page (history restores and boosted navigation want whole pages).
func isHTMXPartial(c *fiber.Ctx) bool {
	if c.Get("HX-Request") != "true" {
		return false
	}
	return c.Get("HX-History-Restore-Request") != "true" &&
		c.Get("HX-Request-Type") != "full" &&
		c.Get("HX-Boosted") != "true"
}

// htmxVary names the request headers of htmx that choose between a whole
// page and its fragments.
const htmxVary = "HX-Request, HX-Request-Type, HX-History-Restore-Request"

// render writes page with the given status. For an htmx request that names
// fragments, only those fragments of the same component are sent: one
// markup for both transports.
func (h *Handler) render(c *fiber.Ctx, status int, page templ.Component, fragments ...any) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Vary(htmxVary) // one value: one lookup of the header, not three
	if len(fragments) > 0 && isHTMXPartial(c) {
		return templ.RenderFragments(c.UserContext(), responseBody{c.Response()}, page, fragments...)
	}
	return page.Render(c.UserContext(), responseBody{c.Response()})
}

// responseBody appends to the response's body. Unlike fasthttp's body
// writer it takes strings as they are: a kept page is written without
// copying it to bytes first.
type responseBody struct{ r *fasthttp.Response }

func (b responseBody) Write(p []byte) (int, error) {
	b.r.AppendBody(p)
	return len(p), nil
}

func (b responseBody) WriteString(s string) (int, error) {
	b.r.AppendBodyString(s)
	return len(s), nil
}

// renderKept is render for a page that shows nothing of the request but
// its language, path and CSRF token (components.KeptPage): the caller's
// view is the page's empty one. A page address with a query (a notice,
// where to go next) is rendered afresh, so no stranger's query is kept,
// and so is an htmx fragment. Rendering the same markup again was most of
// what GET /login cost.
func (h *Handler) renderKept(c *fiber.Ctx, name string, page templ.Component, fragments ...any) error {
	if len(c.Request().URI().QueryString()) > 0 || len(fragments) > 0 && isHTMXPartial(c) {
		return h.render(c, fiber.StatusOK, page, fragments...)
	}
	return h.render(c, fiber.StatusOK, components.KeptPage(name, page))
}

// withoutScript marks the page as needing no script (see
// components.Page.NoScript), so it loads none.
func withoutScript(c *fiber.Ctx) {
	p := components.PageOf(c.UserContext())
	p.NoScript = true
	c.SetUserContext(components.WithPage(c.UserContext(), p))
}

// redirect finishes a successful POST: 303 See Other for plain forms, and
// the same target as HX-Redirect for htmx so the history stays right.
func redirect(c *fiber.Ctx, to string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}
