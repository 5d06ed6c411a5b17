package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/static"
	"github.com/hwk/kundenportal/store"
)

// Paths of the portal. Paths customers may type or know from the help texts
// are German; /Passwort-vergessen is the one the chamber's letters name.
const (
	PathHome             = "/"
	PathHelp             = "/help"
	PathLogin            = "/login"
	PathRecovery         = "/recovery"
	PathRegister         = "/register"
	PathRecoveryConfirm  = "/recovery/confirm"
	PathRecoverySent     = "/recovery/sent"
	PathInviteConfirm    = "/invite/confirm"
	PathRegisterConfirm  = "/register/confirm"
	PathRegisterSent     = "/register/sent"
	PathPassword         = "/password"
	PathPasswordCheck    = "/password/check"
	PathAccount          = "/account"
	PathSecurity         = "/account/security"
	PathReauth           = "/account/confirm"
	PathMFAChoose        = "/mfa/choose"
	PathMFATOTP          = "/mfa/totp"
	PathMFAEmail         = "/mfa/email"
	PathMFAPasskey       = "/mfa/passkey"
	PathMFAVerify        = "/mfa/verify"
	PathMFAVerifyTOTP    = PathMFAVerify + "/totp"
	PathMFAVerifyEmail   = PathMFAVerify + "/email"
	PathMFAVerifySend    = PathMFAVerify + "/email/send"
	PathMFAVerifyCode    = PathMFAVerify + "/recovery"
	PathMFAEmailResend   = PathMFAEmail + "/resend"
	PathRecoveryCodes    = "/mfa/recovery-codes"
	PathRecoveryCodesTxt = "/mfa/recovery-codes.txt"
	PathLogout           = "/logout"
	PathSessionExtend    = "/session/extend"
	PathEndSessions      = "/account/sessions/end-others"
	PathForgotPassword   = "/Passwort-vergessen"
	PathLang             = "/lang/:lang"
	PathHealth           = "/healthz"
	PathReady            = "/readyz"
	PathDevMail          = "/_dev/mail"
	PathDevMailOne       = "/_dev/mail/:id"
)

func (h *Handler) routes(app *fiber.App) {
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}))
	app.Use(h.realClientAddr)
	app.Use(assignRequestID)
	app.Use(h.accessLog)
	app.Use(h.securityHeaders)
	app.Use(compress.New())

	app.Get(PathHealth, h.healthz)
	app.Get(PathReady, h.readyz)
	app.Get(static.Prefix+"*", h.staticFile)

	page := []fiber.Handler{h.loadSession, h.csrf, h.language}
	with := func(hs ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, page...), hs...) }
	user := func(hs ...fiber.Handler) []fiber.Handler {
		return with(append([]fiber.Handler{h.requireUser}, hs...)...)
	}

	app.Get(PathHome, with(h.homePage)...)
	app.Get(PathHelp, with(h.helpPage)...)
	app.Get(PathAccessibility, with(h.accessibilityPage)...)
	app.Get(PathLogo, h.logoFile)
	app.Get(PathForgotPassword, h.forgotPasswordRedirect)
	for alias, to := range germanAliases {
		app.Get(alias, aliasRedirect(to))
	}
	app.Get(PathLang, h.chooseLanguage)
	app.Get(PathLogin, with(h.loginPage)...)
	app.Post(PathLogin, with(h.loginSubmit)...)
	app.Post(PathLogout, with(h.logoutSubmit)...)
	app.Post(PathSessionExtend, user(h.sessionExtendSubmit)...)
	app.Get(PathAccount, user(h.accountPage)...)

	mailLimit := func(again func(*fiber.Ctx, components.Errors) error) fiber.Handler {
		return h.rateLimitForm("mail", 10, 10*time.Minute, again)
	}
	app.Get(PathRecovery, with(h.recoveryPage)...)
	app.Post(PathRecovery, with(mailLimit(h.recoveryAgain), h.recoverySubmit)...)
	app.Get(PathRecoverySent, with(h.recoverySentPage)...)
	app.Get(PathRegister, with(h.registerPage)...)
	app.Post(PathRegister, with(mailLimit(h.registerAgain), h.registerSubmit)...)
	app.Get(PathRegisterSent, with(h.registerSentPage)...)
	for _, link := range []linkKind{recoveryLink, inviteLink, registerLink} {
		app.Get(link.path, with(h.confirmPage(link))...)
		app.Post(link.path, with(h.rateLimit("confirm", 30, 10*time.Minute), h.confirmSubmit(link))...)
	}
	h.mfaRoutes(app, with)
	app.Get(PathPassword, with(h.setPasswordPage)...)
	app.Post(PathPassword, with(h.setPasswordSubmit)...)
	app.Post(PathPasswordCheck, with(h.rateLimit("check", 300, 10*time.Minute), h.passwordCheck)...)
	app.Post(PathEndSessions, user(h.endOtherSessionsSubmit)...)
	fresh := func(hs ...fiber.Handler) []fiber.Handler {
		return user(append([]fiber.Handler{h.requireFreshForChanges}, hs...)...)
	}
	app.Get(PathSecurity, user(h.securityPage)...)
	app.Get(PathSecurityRemove, user(h.removeMethodConfirmPage)...)
	app.Get(PathSecurityCodes, user(h.renewCodesConfirmPage)...)
	for _, path := range []string{PathSecurityRemove, PathSecurityRename, PathSecurityCodes} {
		app.Post(path, fresh(h.changeSubmit)...)
	}
	app.Post(PathPasswordChange, user(h.passwordChangeSubmit)...)
	h.companyRoutes(app, user)
	h.ownAccountRoutes(app, with, user)
	app.Get(PathReauth, user(h.reauthPage)...)
	app.Post(PathReauth, user(h.rateLimit("reauth", 30, 10*time.Minute), h.reauthSubmit)...)
	h.oidcRoutes(app, with) // OpenID Connect provider (handlers/oidc.go)
	if h.opt.Dev {
		app.Get(PathDevMail, with(h.devMailPage)...)
		app.Get(PathDevMailOne, with(h.devMailOnePage)...)
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
	app.Get(PathMFAChoose, setup(h.choosePage)...)
	app.Post(PathMFAChoose, setup(h.chooseSubmit)...)
	app.Get(PathMFATOTP, setup(h.totpSetupPage)...)
	app.Post(PathMFATOTP, setup(codeLimit, h.totpSetupSubmit)...)
	app.Get(PathMFAEmail, setup(h.emailSetupPage)...)
	app.Post(PathMFAEmail, setup(codeLimit, h.emailSetupSubmit)...)
	app.Post(PathMFAEmailResend, setup(h.emailResendSubmit)...)
	app.Get(PathMFAVerify, verify(h.verifyPage)...)
	app.Post(PathMFAVerifyTOTP, verify(codeLimit, h.verifyTOTPSubmit)...)
	app.Post(PathMFAVerifyEmail, verify(codeLimit, h.verifyEmailSubmit)...)
	app.Post(PathMFAVerifySend, verify(h.verifyEmailSendSubmit)...)
	app.Post(PathMFAVerifyCode, verify(codeLimit, h.verifyRecoverySubmit)...)
	app.Get(PathRecoveryCodes, with(h.requireUser, h.recoveryCodesPage)...)
	app.Get(PathRecoveryCodeUsed, with(h.requireUser, h.recoveryCodeUsedPage)...)
	app.Get(PathRecoveryCodesTxt, with(h.requireUser, h.recoveryCodesText)...)
	app.Post(PathRecoveryCodes, with(h.requireUser, h.recoveryCodesDone)...)
	h.passkeyRoutes(app, with, setup, verify)
}
