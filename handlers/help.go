package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
)

// helpPage shows the FAQ: the password policy, why login can fail, the
// automatic logout, registration and PIN, the contact address.
func (h *Handler) helpPage(c *fiber.Ctx) error {
	withoutScript(c)
	return h.renderKept(c, "help", components.HelpPage(components.HelpView{PINValidDays: int(pinTTL.Hours() / 24)}))
}

// forgotPasswordRedirect keeps the address printed in the chamber's letters
// (www.…/Passwort-vergessen) working: it leads to password recovery.
func (h *Handler) forgotPasswordRedirect(c *fiber.Ctx) error {
	return c.Redirect(paths.Recovery, fiber.StatusMovedPermanently)
}

// germanAliases are German addresses customers may type, and where they
// lead (as /Passwort-vergessen does).
var germanAliases = map[string]string{
	paths.AliasLogin:    paths.Login,
	paths.AliasRegister: paths.Register,
	paths.AliasHelp:     paths.Help,
}

// aliasRedirect sends a typed German address to its page for good.
func aliasRedirect(to string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return c.Redirect(to, fiber.StatusMovedPermanently)
	}
}

// homePage sends customers where they can start.
func (h *Handler) homePage(c *fiber.Ctx) error {
	return c.Redirect(paths.Login, fiber.StatusSeeOther)
}
