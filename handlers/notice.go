package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
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
	paths.Login: {
		noticeSessionExpired:  "notice.session_expired",
		noticePasswordChanged: "notice.password_changed",
		noticePasswordSet:     "notice.password_set",
		noticeLoggedOut:       "notice.logged_out",
		noticeEmailChanged:    "notice.email_changed",
		noticeAccountDeleted:  "notice.account_deleted",
	},
	paths.Account: {
		noticeSessionsEnded:   "account.sessions.ended",
		noticeSessionEnded:    "account.session_end.done",
		noticeCompanyLinked:   "account.companies.linked",
		noticeCompanyUnlinked: "account.companies.unlinked",
		noticeEmailChangeSent: "account.email_change.sent",
		noticeEmailChanged:    "account.email_change.done",
	},
	paths.Security: {
		noticeMethodAdded:     "security.notice.added",
		noticeMethodRemoved:   "security.notice.removed",
		noticeMethodRenamed:   "security.notice.renamed",
		noticePasswordChanged: "password_change.notice.done",
	},
	paths.Companies: {noticeCompanyRequest: "company.request.sent"},
	paths.Services:  {noticeServiceRevoked: "oidc.services.revoked"},
	paths.MFAChoose: {noticeSetupExpired: "mfa.choose.expired"},
	paths.MFAEmail:  {noticeCodeSent: "mfa.email.notice.sent", noticeCodeWait: "mfa.email.notice.wait"},
	paths.MFAVerify: {noticeCodeSent: "mfa.email.notice.sent", noticeCodeWait: "mfa.email.notice.wait"},
}

// noticeOf is the message id of the request's notice, when the page
// declares it in notices, else "".
func noticeOf(c *fiber.Ctx) string {
	return notices[c.Path()][notice(queryValue(c, components.FieldNotice))]
}

// withNotice is the page address target (a path, perhaps with a query)
// with the notice n, which the page must declare in notices.
func withNotice(target string, n notice) string {
	path, _, _ := strings.Cut(target, "?")
	if _, ok := notices[path][n]; !ok {
		panic("handlers: notice " + string(n) + " is not declared for " + path)
	}
	return components.WithQuery(target, components.FieldNotice, string(n))
}
