package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
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
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// localPath accepts only a path on this site ("/help?x=1"); anything else,
// such as "//evil.example" or "https://evil.example", becomes "/".
func localPath(next string) string {
	if len(next) == 0 || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return PathHome
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return PathHome
		}
	}
	return next
}
