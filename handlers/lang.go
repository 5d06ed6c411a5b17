package handlers

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/input"
	"github.com/hwk/kundenportal/handlers/paths"
)

// chooseLanguage stores the customer's explicit language choice in a cookie
// and returns to the page they came from. A plain link, so it works without
// JavaScript; it changes only a preference, so GET is right.
func (h *Handler) chooseLanguage(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if lang != "de" && lang != "en" {
		return fiber.ErrNotFound
	}
	c.Cookie(&fiber.Cookie{
		Name:     langCookie,
		Value:    lang,
		Path:     "/",
		Expires:  time.Now().AddDate(1, 0, 0),
		Secure:   !h.opt.Dev,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
	return c.Redirect(h.returnTo(c, localPath(queryValue(c, components.FieldNext))), fiber.StatusSeeOther)
}

// returnTo is where the language switch returns: next, or, when next is
// the token-free path of the page the customer came from (a link's
// confirmation page), that page as the browser has it in Referer. So the
// token stays in the mail's own link and is never written into another.
func (h *Handler) returnTo(c *fiber.Ctx, next string) string {
	ref, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil || originOf(ref.Scheme+"://"+ref.Host) != h.baseOrigin || ref.Path != next || ref.RawQuery == "" {
		return next
	}
	return localPath(ref.RequestURI())
}

// pagePath is the request's path and query without the one-time token,
// for the links a page makes to itself (language switch, return after
// login).
func pagePath(c *fiber.Ctx) string {
	if !strings.Contains(c.OriginalURL(), "?") {
		return c.OriginalURL()
	}
	u, err := url.Parse(c.OriginalURL())
	if err != nil {
		return c.Path()
	}
	q := u.Query()
	if !q.Has(string(components.FieldToken)) {
		return c.OriginalURL()
	}
	q.Del(string(components.FieldToken))
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// localPath accepts only a path on this site ("/help?x=1"); anything else,
// such as "//evil.example" or "https://evil.example", becomes "/".
func localPath(next string) string {
	if !input.LocalPath(next) {
		return paths.Home
	}
	return next
}
