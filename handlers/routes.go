package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/hwk/kundenportal/static"
)

// Paths of the portal. Paths customers may type or know from the help texts
// are German; /Passwort-vergessen is the one the chamber's letters name.
const (
	PathHome           = "/"
	PathHelp           = "/help"
	PathLogin          = "/login"
	PathRecovery       = "/recovery"
	PathRegister       = "/register"
	PathForgotPassword = "/Passwort-vergessen"
	PathLang           = "/lang/:lang"
	PathHealth         = "/healthz"
	PathReady          = "/readyz"
	PathDevMail        = "/_dev/mail"
	PathDevMailOne     = "/_dev/mail/:id"
)

func (h *Handler) routes(app *fiber.App) {
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}))
	app.Use(requestid.New(requestid.Config{Header: "X-Request-Id"}))
	app.Use(h.accessLog)
	app.Use(h.securityHeaders)
	app.Use(compress.New())

	app.Get(PathHealth, h.healthz)
	app.Get(PathReady, h.readyz)
	app.Get(static.Prefix+"*", h.staticFile)

	page := []fiber.Handler{h.csrf(), h.language}
	app.Get(PathHome, append(page, h.homePage)...)
	app.Get(PathHelp, append(page, h.helpPage)...)
	app.Get(PathForgotPassword, h.forgotPasswordRedirect)
	app.Get(PathLang, h.chooseLanguage)
	app.Get(PathLogin, append(page, h.loginPage)...)
	if h.opt.Dev {
		app.Get(PathDevMail, append(page, h.devMailPage)...)
		app.Get(PathDevMailOne, append(page, h.devMailOnePage)...)
	}
}
