package handlers

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/store"
)

// The set-password flow: after a customer confirmed a link from an e-mail
// (recovery, invitation, registration), an open flow of that kind holds who
// may set a password, until flowTTL passes or it is used.
const flowTTL = 30 * time.Minute

// passwordFlowKinds are the kinds of set-password flows.
var passwordFlowKinds = []store.FlowKind{store.FlowPasswordRecovery, store.FlowPasswordInvitation, store.FlowPasswordRegistration}

func (h *Handler) flowCookieName() string {
	if h.opt.Dev {
		return "flow"
	}
	return "__Host-flow"
}

// passwordFlow loads the set-password flow of the request's flow cookie.
// ErrNotFound or store.ErrFlowExpired mean the customer must start again.
func (h *Handler) passwordFlow(c *fiber.Ctx) (*store.Flow, error) {
	raw := c.Cookies(h.flowCookieName())
	if raw == "" {
		return nil, store.ErrNotFound
	}
	return h.store.FlowBySecret(c.UserContext(), raw, passwordFlowKinds...)
}

// isFlowGone tells whether err means the flow is missing, done or expired.
func isFlowGone(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrFlowExpired) || errors.Is(err, store.ErrFlowNotOpen)
}

func (h *Handler) setFlowCookie(c *fiber.Ctx, raw string) {
	c.Cookie(&fiber.Cookie{
		Name: h.flowCookieName(), Value: raw, Path: "/",
		Secure: !h.opt.Dev, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (h *Handler) clearFlowCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: h.flowCookieName(), Value: "", Path: "/",
		Secure: !h.opt.Dev, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: time.Unix(0, 0), MaxAge: -1,
	})
}
