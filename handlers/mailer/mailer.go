// Package mailer delivers the mails in the store's outbox. Code that sends a
// mail writes it to the outbox (store.EnqueueMail) in the transaction of the
// change that caused it; a Sender leases due mails, hands them to a
// Transport (SMTP, or DevTransport for the dev mailbox) and marks each one
// sent exactly once, retrying failures with backoff.
package mailer

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Message is one mail as a Transport sees it: a text part and, when HTML is
// set, an HTML alternative.
type Message struct {
	// ID, when set, is the outbox id; the SMTP transport derives the
	// Message-ID header from it, so a copy delivered twice is recognisable.
	ID      string
	To      string
	Subject string
	Text    string
	HTML    string
}

// Transport delivers one message.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// DevTransport delivers nothing. In --dev the dev mailbox (/_dev/mail)
// reads the mails from the outbox, so "sending" only marks them sent; run
// its Sender with KeepBodies so the mailbox can show their links.
type DevTransport struct{}

// Send accepts m without delivering it anywhere.
func (DevTransport) Send(context.Context, Message) error { return nil }

// Error classes of a SendError.
const (
	ClassMessage   = "message"   // the mail itself is invalid (address)
	ClassConnect   = "connect"   // the server could not be reached or greeted
	ClassTimeout   = "timeout"   // the server did not answer in time
	ClassCanceled  = "canceled"  // the context was cancelled
	ClassTLS       = "tls"       // STARTTLS or the TLS handshake failed
	ClassAuth      = "auth"      // authentication was refused or impossible
	ClassSender    = "sender"    // MAIL FROM was refused
	ClassRecipient = "recipient" // RCPT TO was refused
	ClassData      = "data"      // the message content was refused
	ClassOther     = "other"     // anything else
)

// SendError is a failed delivery, described without the message body, the
// recipient's local part or credentials, so its text may be logged and
// stored in the outbox. It keeps the original error for errors.Is/As but
// never prints it.
type SendError struct {
	Class     string // one of the Class constants
	Code      int    // SMTP reply code, 0 when there was none
	Permanent bool   // retrying the same mail cannot succeed
	detail    string
	cause     error
}

// Error describes the failure without secrets.
func (e *SendError) Error() string {
	if e.detail == "" {
		return "smtp " + e.Class
	}
	return "smtp " + e.Class + ": " + e.detail
}

// Unwrap returns the original error (which may name the recipient).
func (e *SendError) Unwrap() error { return e.cause }

// classOf returns the class of a delivery error and whether it is
// permanent; errors from other transports are retried as ClassOther.
func classOf(err error) (class string, permanent bool) {
	var se *SendError
	switch {
	case errors.As(err, &se):
		return se.Class, se.Permanent
	case errors.Is(err, context.Canceled):
		return ClassCanceled, false
	case errors.Is(err, context.DeadlineExceeded):
		return ClassTimeout, false
	}
	return ClassOther, false
}

// serverWide reports whether a failure concerns the server rather than one
// mail, so the rest of a batch would fail the same way.
func serverWide(class string) bool {
	switch class {
	case ClassConnect, ClassTimeout, ClassCanceled, ClassTLS, ClassAuth:
		return true
	}
	return false
}

// emailPattern finds e-mail addresses; their local part is redacted.
var emailPattern = regexp.MustCompile(`[^\s<>"'(),;:@\[\]]+@([A-Za-z0-9.-]+)`)

// redact removes secrets from an error text: the given secrets (a
// password) and the local part of e-mail addresses. It also bounds the
// length.
func redact(text string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, "xxxxx")
		}
	}
	text = emailPattern.ReplaceAllString(text, "…@$1")
	const maxLen = 200
	if utf8.RuneCountInString(text) > maxLen {
		text = string([]rune(text)[:maxLen]) + "…"
	}
	return text
}

// domainOf is the part of an address after the last "@", for logs.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.TrimRight(addr[i+1:], ">")
	}
	return ""
}
