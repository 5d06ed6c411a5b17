package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/static"
	"github.com/hwk/kundenportal/store"
)

func (h *Handler) routes(app *fiber.App) {
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}))
	app.Use(h.realClientAddr)
	app.Use(assignRequestID)
	app.Use(h.accessLog)
	app.Use(h.securityHeaders)
	app.Use(compress.New())

	app.Get(paths.Health, h.healthz)
	app.Get(paths.Ready, h.readyz)
	app.Get(static.Prefix+"*", h.staticFile)

	page := []fiber.Handler{h.loadSession, h.csrf, h.language}
	with := func(hs ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, page...), hs...) }
	user := func(hs ...fiber.Handler) []fiber.Handler {
		return with(append([]fiber.Handler{h.requireUser}, hs...)...)
	}

	app.Get(paths.Home, with(h.homePage)...)
	app.Get(paths.Help, with(h.helpPage)...)
	app.Get(paths.Accessibility, with(h.accessibilityPage)...)
	app.Get(paths.Logo, h.logoFile)
	app.Get(paths.ForgotPassword, h.forgotPasswordRedirect)
	for alias, to := range germanAliases {
		app.Get(alias, aliasRedirect(to))
	}
	app.Get(paths.Lang, h.chooseLanguage)
	app.Get(paths.Login, with(h.loginPage)...)
	app.Post(paths.Login, with(h.loginSubmit)...)
	app.Post(paths.Logout, with(h.logoutSubmit)...)
	app.Post(paths.SessionExtend, user(h.sessionExtendSubmit)...)
	app.Get(paths.Account, user(h.accountPage)...)

	mailLimit := func(again func(*fiber.Ctx, components.Errors) error) fiber.Handler {
		return h.rateLimitForm("mail", 10, 10*time.Minute, again)
	}
	app.Get(paths.Recovery, with(h.recoveryPage)...)
	app.Post(paths.Recovery, with(mailLimit(h.recoveryAgain), h.recoverySubmit)...)
	app.Get(paths.RecoverySent, with(h.recoverySentPage)...)
	app.Get(paths.Register, with(h.registerPage)...)
	app.Post(paths.Register, with(mailLimit(h.registerAgain), h.registerSubmit)...)
	app.Get(paths.RegisterSent, with(h.registerSentPage)...)
	for _, link := range []linkKind{recoveryLink, inviteLink, registerLink} {
		app.Get(link.path, with(h.confirmPage(link))...)
		app.Post(link.path, with(h.rateLimit("confirm", 30, 10*time.Minute), h.confirmSubmit(link))...)
	}
	h.mfaRoutes(app, with)
	app.Get(paths.Password, with(h.setPasswordPage)...)
	app.Post(paths.Password, with(h.setPasswordSubmit)...)
	app.Post(paths.PasswordCheck, with(h.rateLimit("check", 300, 10*time.Minute), h.passwordCheck)...)
	app.Post(paths.EndSessions, user(h.endOtherSessionsSubmit)...)
	fresh := func(hs ...fiber.Handler) []fiber.Handler {
		return user(append([]fiber.Handler{h.requireFreshForChanges}, hs...)...)
	}
	app.Get(paths.Security, user(h.securityPage)...)
	app.Get(paths.SecurityRemove, user(h.removeMethodConfirmPage)...)
	app.Get(paths.SecurityCodes, user(h.renewCodesConfirmPage)...)
	for _, path := range []string{paths.SecurityRemove, paths.SecurityRename, paths.SecurityCodes} {
		app.Post(path, fresh(h.changeSubmit)...)
	}
	app.Post(paths.PasswordChange, user(h.passwordChangeSubmit)...)
	h.companyRoutes(app, user)
	h.ownAccountRoutes(app, with, user)
	app.Get(paths.Reauth, user(h.reauthPage)...)
	app.Post(paths.Reauth, user(h.rateLimit("reauth", 30, 10*time.Minute), h.reauthSubmit)...)
	h.oidcRoutes(app, with) // OpenID Connect provider (handlers/oidc.go)
	if h.opt.Dev {
		app.Get(paths.DevMail, with(h.devMailPage)...)
		app.Get(paths.DevMailOne, with(h.devMailOnePage)...)
	}
}

// mfaRoutes registers the second-factor steps: setting one up (at first
// login or from the account) and passing one at login.
func (h *Handler) mfaRoutes(app *fiber.App, with func(...fiber.Handler) []fiber.Handler) {
	setup := func(hs ...fiber.Handler) []fiber.Handler {
		return with(append([]fiber.Handler{h.requireStep(store.SessionMFASetup, store.SessionAuthenticated), h.requireFreshForChanges}, hs...)...)
	}
	verify := func(hs ...fiber.Handler) []fiber.Handler {
		return with(append([]fiber.Handler{h.requireStep(store.SessionMFAVerify)}, hs...)...)
	}
	codeLimit := h.rateLimit("code", 60, 10*time.Minute)
	app.Get(paths.MFAChoose, setup(h.choosePage)...)
	app.Post(paths.MFAChoose, setup(h.chooseSubmit)...)
	app.Get(paths.MFATOTP, setup(h.totpSetupPage)...)
	app.Post(paths.MFATOTP, setup(codeLimit, h.totpSetupSubmit)...)
	app.Get(paths.MFAEmail, setup(h.emailSetupPage)...)
	app.Post(paths.MFAEmail, setup(codeLimit, h.emailSetupSubmit)...)
	app.Post(paths.MFAEmailResend, setup(h.emailResendSubmit)...)
	app.Get(paths.MFAVerify, verify(h.verifyPage)...)
	app.Post(paths.MFAVerifyTOTP, verify(codeLimit, h.verifyTOTPSubmit)...)
	app.Post(paths.MFAVerifyEmail, verify(codeLimit, h.verifyEmailSubmit)...)
	app.Post(paths.MFAVerifySend, verify(h.verifyEmailSendSubmit)...)
	app.Post(paths.MFAVerifyCode, verify(codeLimit, h.verifyRecoverySubmit)...)
	app.Get(paths.RecoveryCodes, with(h.requireUser, h.recoveryCodesPage)...)
	app.Get(paths.RecoveryCodeUsed, with(h.requireUser, h.recoveryCodeUsedPage)...)
	app.Get(paths.RecoveryCodesTxt, with(h.requireUser, h.recoveryCodesText)...)
	app.Post(paths.RecoveryCodes, with(h.requireUser, h.recoveryCodesDone)...)
	h.passkeyRoutes(app, with, setup, verify)
}
