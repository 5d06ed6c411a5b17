package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
)

// fewCodesLeft is the count from which the customer is asked to make new
// recovery codes.
const fewCodesLeft = 3

// recoveryCodeUsedPage says how many recovery codes remain after a login
// with one, asks for new ones when few are left, and leads on.
func (h *Handler) recoveryCodeUsedPage(c *fiber.Ctx) error {
	left, err := h.store.RecoveryCodesLeft(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return fmt.Errorf("mfa: codes left: %w", err)
	}
	return h.render(c, fiber.StatusOK, components.RecoveryCodeUsedPage(components.RecoveryCodeUsedView{
		Left: left, Few: left <= fewCodesLeft, Next: h.afterLogin(queryValue(c, components.FieldNext)),
	}))
}
