package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
)

// loginPage shows the login form.
func (h *Handler) loginPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.LoginPage(components.LoginView{
		Next: nextParam(c.Query("next")),
	}))
}

// nextParam keeps a return path only when it is local.
func nextParam(next string) string {
	if p := localPath(next); p != PathHome {
		return p
	}
	return ""
}
