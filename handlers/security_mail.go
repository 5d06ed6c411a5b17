package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// securityMail is a mail about the account that the customer did not ask
// for: what happened and when (its paragraphs get {{.Date}} and
// {{.Clock}}), from which browser when known, and what to do if it was
// not them.
type securityMail struct {
	subject string   // message id; mail.security.subject when empty
	what    []string // message ids of what happened
	browser string   // the browser of the request (DeviceName); "" to leave out
	after   []string // message ids before "if it was not you"
	data    map[string]any
}

// queueSecurityMail queues n to user through tx.
func (h *Handler) queueSecurityMail(ctx context.Context, tx *store.Store, user *store.User, n securityMail) error {
	date, clock := h.mailTime(tx.Now(), user.Lang)
	recovery := h.opt.BaseURL + paths.Recovery
	d := map[string]any{"Name": user.Name, "Date": date, "Clock": clock, "Browser": n.browser, "RecoveryURL": recovery}
	for k, v := range n.data {
		d[k] = v
	}
	paras := append([]string{}, n.what...)
	if n.browser != "" {
		paras = append(paras, "mail.security.browser")
	}
	return h.queueMail(ctx, tx, user.Email, user.Lang, components.Mail{
		Subject: or(n.subject, "mail.security.subject"), Paragraphs: paras,
		After: append(append([]string{}, n.after...), "mail.security.not_you"),
		Links: map[string]string{"mail.security.not_you": recovery}, Data: d,
	})
}

// passwordNotice mails the customer that the password was reset or
// changed: when, from which browser, and what to do if it was not them.
func (h *Handler) passwordNotice(c *fiber.Ctx, tx *store.Store, user *store.User, what string) error {
	return h.deviceNotice(c, tx, user, []string{what}, nil)
}

// deviceNotice is a security mail that names the time and the browser
// of the request that caused it; data adds placeholders.
func (h *Handler) deviceNotice(c *fiber.Ctx, tx *store.Store, user *store.User, what []string, data map[string]any) error {
	return h.queueSecurityMail(c.UserContext(), tx, user, securityMail{
		what: what, browser: DeviceName(c.Get(fiber.HeaderUserAgent)), data: data,
	})
}

// securityNotice mails the customer about a change to the account's
// security, so a change they did not make does not go unnoticed.
func (h *Handler) securityNotice(ctx context.Context, tx *store.Store, user *store.User, what string, method factor.Kind) error {
	return h.queueSecurityMail(ctx, tx, user, securityMail{what: []string{what}, data: map[string]any{
		"Method": components.MethodLabel(h.mailContext(ctx, user.Lang), method),
	}})
}

// newBrowserNotice mails the customer after a completed login from a
// browser without the account's device cookie (see rememberDevice, which
// runs after it). A login with a recovery code has a notice of its own,
// which names the browser already.
func (h *Handler) newBrowserNotice(c *fiber.Ctx, tx *store.Store, user *store.User, method factor.Kind) error {
	if method == factor.Recovery || h.knownDevice(c, user.ID) {
		return nil
	}
	return h.queueSecurityMail(c.UserContext(), tx, user, securityMail{
		subject: "mail.login.subject", what: []string{"mail.login.new_browser"},
		browser: DeviceName(c.Get(fiber.HeaderUserAgent)), after: []string{"mail.login.if_you"},
	})
}

// mailTime is t's date and time of day in the chamber's time zone, in the
// recipient's language, for "am 01.12.2026 um 19:10 Uhr" and "on
// 1 December 2026 at 19:10".
func (h *Handler) mailTime(t time.Time, lang string) (date, clock string) {
	t = t.In(h.loc)
	if lang == "en" {
		return t.Format("2 January 2006"), t.Format("15:04")
	}
	return t.Format("02.01.2006"), t.Format("15:04")
}
