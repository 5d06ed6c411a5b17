package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// notice is a message a page shows once after a redirect, named in the
// query (?notice=…).
type notice string

// The notices, by the query value that names them.
const (
	noticeSessionExpired  notice = "session_expired"
	noticePasswordChanged notice = "password_changed"
	noticePasswordSet     notice = "password_set"
	noticeLoggedOut       notice = "logged_out"
	noticeEmailChangeSent notice = "email_change_sent"
	noticeEmailChanged    notice = "email_changed"
	noticeAccountDeleted  notice = "account_deleted"
	noticeSessionsEnded   notice = "sessions_ended"
	noticeSessionEnded    notice = "session_ended"
	noticeCompanyLinked   notice = "company_linked"
	noticeCompanyUnlinked notice = "company_unlinked"
	noticeCompanyRequest  notice = "requested"
	noticeMethodAdded     notice = "method_added"
	noticeMethodRemoved   notice = "method_removed"
	noticeMethodRenamed   notice = "renamed"
	noticeServiceRevoked  notice = "revoked"
	noticeCodeSent        notice = "sent"
	noticeCodeWait        notice = "wait"
	noticeSetupExpired    notice = "expired"
)

// notices is the one whitelist of notices: per page, the query values it
// shows and their message ids. Nothing else reaches a page, so a link
// cannot put arbitrary text on it.
var notices = map[string]map[notice]string{
	PathLogin: {
		noticeSessionExpired:  "notice.session_expired",
		noticePasswordChanged: "notice.password_changed",
		noticePasswordSet:     "notice.password_set",
		noticeLoggedOut:       "notice.logged_out",
		noticeEmailChanged:    "notice.email_changed",
		noticeAccountDeleted:  "notice.account_deleted",
	},
	PathAccount: {
		noticeSessionsEnded:   "account.sessions.ended",
		noticeSessionEnded:    "account.session_end.done",
		noticeCompanyLinked:   "account.companies.linked",
		noticeCompanyUnlinked: "account.companies.unlinked",
		noticeEmailChangeSent: "account.email_change.sent",
		noticeEmailChanged:    "account.email_change.done",
	},
	PathSecurity: {
		noticeMethodAdded:     "security.notice.added",
		noticeMethodRemoved:   "security.notice.removed",
		noticeMethodRenamed:   "security.notice.renamed",
		noticePasswordChanged: "password_change.notice.done",
	},
	PathCompanies: {noticeCompanyRequest: "company.request.sent"},
	PathServices:  {noticeServiceRevoked: "oidc.services.revoked"},
	PathMFAChoose: {noticeSetupExpired: "mfa.choose.expired"},
	PathMFAEmail:  {noticeCodeSent: "mfa.email.notice.sent", noticeCodeWait: "mfa.email.notice.wait"},
	PathMFAVerify: {noticeCodeSent: "mfa.email.notice.sent", noticeCodeWait: "mfa.email.notice.wait"},
}

// noticeOf is the message id of the request's notice, when the page
// declares it in notices, else "".
func noticeOf(c *fiber.Ctx) string {
	return notices[c.Path()][notice(c.Query("notice"))]
}

// withNotice is the page address target (a path, perhaps with a query)
// with the notice n, which the page must declare in notices.
func withNotice(target string, n notice) string {
	path, _, _ := strings.Cut(target, "?")
	if _, ok := notices[path][n]; !ok {
		panic("handlers: notice " + string(n) + " is not declared for " + path)
	}
	if strings.Contains(target, "?") {
		return target + "&notice=" + string(n)
	}
	return target + "?notice=" + string(n)
}
