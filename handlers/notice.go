package handlers

// Notices shown on the login page after a redirect, by their query value.
// Only these ids are accepted, so a link cannot put arbitrary text on the
// page.
const (
	noticeSessionExpired  = "session_expired"
	noticePasswordChanged = "password_changed"
	noticePasswordSet     = "password_set"
	noticeLoggedOut       = "logged_out"
)

var notices = map[string]string{
	noticeSessionExpired:  "notice.session_expired",
	noticePasswordChanged: "notice.password_changed",
	noticePasswordSet:     "notice.password_set",
	noticeLoggedOut:       "notice.logged_out",
	noticeEmailChanged:    "notice.email_changed",
	noticeAccountDeleted:  "notice.account_deleted",
}

// noticeMessage is the message id of a notice query value, or "".
func noticeMessage(q string) string { return notices[q] }
