package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/store"
)

// passwordNotice mails the customer that the password was reset or
// changed: when, from which browser, and what to do if it was not them.
func (h *Handler) passwordNotice(c *fiber.Ctx, tx *store.Store, user *store.User, what string) error {
	return h.deviceNotice(c, tx, user, []string{what}, nil)
}

// deviceNotice is a security mail that names the time and the browser
// of the request that caused it; data adds placeholders.
func (h *Handler) deviceNotice(c *fiber.Ctx, tx *store.Store, user *store.User, what []string, data map[string]any) error {
	ctx := c.UserContext()
	date, clock := h.mailTime(tx.Now(), user.Lang)
	d := map[string]any{
		"Name": user.Name, "Date": date, "Clock": clock, "Browser": DeviceName(c.Get(fiber.HeaderUserAgent)),
		"RecoveryURL": h.opt.BaseURL + PathRecovery,
	}
	for k, v := range data {
		d[k] = v
	}
	return h.queueMail(ctx, tx, user.Email, user.Lang, components.Mail{
		Subject: "mail.security.subject", Paragraphs: append(what, "mail.security.browser"),
		After: []string{"mail.security.not_you"}, Data: d,
	})
}

// mailTime is t's date and time of day in the chamber's time zone, in the
// recipient's language: "01.12.2026" and "19:10", or "1 December 2026".
func (h *Handler) mailTime(t time.Time, lang string) (date, clock string) {
	t = t.In(h.loc)
	if lang == "en" {
		return t.Format("2 January 2006"), t.Format("15:04")
	}
	return t.Format("02.01.2006"), t.Format("15:04")
}
