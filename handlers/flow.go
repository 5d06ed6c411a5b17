package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/store"
)

// The set-password flow: after a customer confirmed a link from an e-mail
// (recovery, invitation, registration), a flow in state flowSetPassword
// holds who may set a password, until flowTTL passes or it is done.
const (
	flowKindPassword = "set_password"
	flowSetPassword  = "set_password"
	flowTTL          = 30 * time.Minute
)

// Where a set-password flow came from; it decides what happens at the end.
const (
	originRecovery = "recovery"
	originInvite   = "invite"
	originRegister = "register"
)

// passwordFlowData is the JSON in a set-password flow's Data.
type passwordFlowData struct {
	Origin string `json:"origin"`
}

func (h *Handler) flowCookieName() string {
	if h.opt.Dev {
		return "flow"
	}
	return "__Host-flow"
}

// passwordFlow loads the set-password flow of the request's flow cookie.
// ErrNotFound or store.ErrFlowExpired mean the customer must start again.
func (h *Handler) passwordFlow(c *fiber.Ctx) (*store.Flow, passwordFlowData, error) {
	var data passwordFlowData
	raw := c.Cookies(h.flowCookieName())
	if raw == "" {
		return nil, data, store.ErrNotFound
	}
	f, err := h.store.FlowBySecret(c.UserContext(), flowKindPassword, raw)
	if err != nil {
		return nil, data, err
	}
	if f.State != flowSetPassword {
		return nil, data, store.ErrNotFound
	}
	if err := json.Unmarshal([]byte(f.Data), &data); err != nil {
		return nil, data, fmt.Errorf("flow: data: %w", err)
	}
	return f, data, nil
}

// isFlowGone tells whether err means the flow is missing, done or expired.
func isFlowGone(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrFlowExpired)
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
