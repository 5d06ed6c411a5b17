// Package paths declares every address of the portal once. The handlers
// register their routes under these names and the components build their
// links and form actions from them, so a renamed path cannot leave a
// template pointing nowhere. It imports nothing of the app.
//
// Paths customers may type or know from the help texts are German;
// /Passwort-vergessen is the one the chamber's letters name.
package paths

import (
	"net/url"
	"strings"
)

// Pages anyone may open, and the login.
const (
	Home           = "/"
	Help           = "/help"
	Login          = "/login"
	Logout         = "/logout"
	ForgotPassword = "/Passwort-vergessen"
	// LangPrefix is followed by a language tag: Lang is its route.
	LangPrefix = "/lang/"
	Lang       = LangPrefix + ":lang"
	Health     = "/healthz"
	Ready      = "/readyz"
)

// German addresses customers may type; each redirects for good to its
// page (as ForgotPassword does).
const (
	AliasLogin    = "/anmelden"
	AliasRegister = "/registrieren"
	AliasHelp     = "/hilfe"
)

// Paths of the chamber's identity.
const (
	Logo          = "/brand/logo"
	Accessibility = "/barrierefreiheit"
)

// Paths of recovery, registration, invitations and setting a password.
const (
	Recovery        = "/recovery"
	RecoveryConfirm = "/recovery/confirm"
	RecoverySent    = "/recovery/sent"
	Register        = "/register"
	RegisterConfirm = "/register/confirm"
	RegisterSent    = "/register/sent"
	InviteConfirm   = "/invite/confirm"
	Password        = "/password"
	PasswordCheck   = "/password/check"
)

// Paths of the account and its sessions.
const (
	Account       = "/account"
	SessionExtend = "/session/extend"
	EndSessions   = "/account/sessions/end-others"
	// EndSession is the confirmation step and action that end one other
	// session.
	EndSession = "/account/sessions/:id/end"
	// Reauth asks for the password again before a change to the account.
	Reauth = "/account/confirm"
)

// Paths of the customer's own account: changing the address and deleting
// the account.
const (
	AccountEmail  = "/account/email"
	EmailConfirm  = "/account/email/confirm"
	AccountDelete = "/account/delete"
)

// Paths of the security page and of the changes to the account's security
// that the customer confirms ("Sind Sie sicher?", GET) and carries out
// (POST).
const (
	Security       = "/account/security"
	SecurityRemove = Security + "/remove"
	SecurityRename = Security + "/rename"
	SecurityCodes  = Security + "/codes"
	// PasswordChange is where a logged-in customer changes the password
	// (the form is on the security page).
	PasswordChange = Security + "/password"
)

// Paths of the second factor: setting one up (at first login or from the
// account) and passing one at login.
const (
	// MFAPrefix starts the paths of every second-factor step.
	MFAPrefix        = "/mfa/"
	MFAChoose        = "/mfa/choose"
	MFATOTP          = "/mfa/totp"
	MFAEmail         = "/mfa/email"
	MFAEmailResend   = MFAEmail + "/resend"
	MFAPasskey       = "/mfa/passkey"
	MFAVerify        = "/mfa/verify"
	MFAVerifyTOTP    = MFAVerify + "/totp"
	MFAVerifyEmail   = MFAVerify + "/email"
	MFAVerifySend    = MFAVerify + "/email/send"
	MFAVerifyCode    = MFAVerify + "/recovery"
	RecoveryCodes    = "/mfa/recovery-codes"
	RecoveryCodesTxt = "/mfa/recovery-codes.txt"
	RecoveryCodeUsed = "/mfa/recovery-code-used"
)

// Paths of the passkey ceremonies. The begin and finish steps are JSON
// endpoints for static/js/webauthn.js; the templates name them too.
const (
	PasskeyRegisterBegin  = MFAPasskey + "/begin"
	PasskeyRegisterFinish = MFAPasskey + "/finish"
	PasskeyVerifyBegin    = MFAVerify + "/passkey/begin"
	PasskeyVerifyFinish   = MFAVerify + "/passkey/finish"
	PasskeyLoginBegin     = Login + "/passkey/begin"
	PasskeyLoginFinish    = Login + "/passkey/finish"
)

// Paths of the business pages.
const (
	Companies      = "/account/companies"
	CompanyRequest = "/account/companies/request"
	CompanyLink    = "/account/companies/link"
	CompanyData    = "/account/companies/:number"
	CompanyUnlink  = "/account/companies/:number/unlink"
)

// Paths of the portal's own steps of an OpenID Connect login, and of
// "Verbundene Dienste": the services a customer allowed.
const (
	// OIDCLogin is the page an authorization request goes to.
	OIDCLogin    = "/oidc/login"
	OIDCContinue = "/oidc/continue"
	OIDCConsent  = "/oidc/consent"
	// OIDCLogoutConfirm asks before a logout that no service vouched for.
	OIDCLogoutConfirm = "/oidc/logout/confirm"
	Services          = "/account/services"
	ServicesRevoke    = "/account/services/revoke"
)

// Paths of the development mailbox (only with --dev).
const (
	DevMail    = "/_dev/mail"
	DevMailOne = "/_dev/mail/:id"
)

// LangOf is the language switch to the language tag.
func LangOf(tag string) string { return fill(Lang, tag) }

// EndSessionOf is EndSession of the session with the public id.
func EndSessionOf(id string) string { return fill(EndSession, id) }

// CompanyDataOf is CompanyData of the business with the Betriebsnummer.
func CompanyDataOf(number string) string { return fill(CompanyData, number) }

// CompanyUnlinkOf is CompanyUnlink of the business with the Betriebsnummer.
func CompanyUnlinkOf(number string) string { return fill(CompanyUnlink, number) }

// DevMailOneOf is DevMailOne of the mail with id.
func DevMailOneOf(id string) string { return fill(DevMailOne, id) }

// fill puts value, escaped, in place of the one parameter (":name") of
// route.
func fill(route, value string) string {
	start := strings.IndexByte(route, ':')
	end := strings.IndexByte(route[start:], '/')
	rest := ""
	if end >= 0 {
		rest = route[start+end:]
	}
	return route[:start] + url.PathEscape(value) + rest
}
