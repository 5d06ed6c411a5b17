package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// smtpTimeout bounds connecting and each SMTP command.
const smtpTimeout = 10 * time.Second

// SMTPTransport delivers messages to an SMTP server with go-mail, one
// connection per message.
type SMTPTransport struct {
	host       string
	port       int
	implicit   bool           // smtps://: TLS from the first byte
	policy     mail.TLSPolicy // smtp://: STARTTLS policy
	user       string
	password   string
	from       string
	fromDomain string
	redacted   string
}

// NewSMTP configures delivery through the server named by rawURL:
//
//	smtp://[user:pass@]host[:port]   mandatory STARTTLS; port 25
//	smtps://[user:pass@]host[:port]  implicit TLS; port 465
//
// A server on a loopback address (and any server with the Opportunistic
// option, which --dev passes) gets STARTTLS only when it offers it: a
// stripped STARTTLS must not silently send mail in plain text elsewhere.
// User info enables AUTH PLAIN (go-mail refuses it without TLS except on
// localhost). The query parameter tls=none turns STARTTLS off (local
// relays) and tls=starttls makes it mandatory. from is the sender address,
// for example "Kundenportal <noreply@example.de>". Errors never contain the
// password.
func NewSMTP(rawURL, from string, opts ...SMTPOption) (*SMTPTransport, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("mailer: smtp url is not a valid url (expected smtp://user:pass@host:port)")
	}
	t := &SMTPTransport{host: u.Hostname(), redacted: u.Redacted()}
	switch u.Scheme {
	case "smtp":
		t.port, t.policy = 25, mail.TLSMandatory
		if isLoopback(t.host) || slices.Contains(opts, Opportunistic) {
			t.policy = mail.TLSOpportunistic
		}
	case "smtps":
		t.port, t.implicit = 465, true
	default:
		return nil, fmt.Errorf("mailer: unknown smtp url scheme %q (use smtp:// or smtps://)", u.Scheme)
	}
	if t.host == "" {
		return nil, errors.New("mailer: smtp url has no host")
	}
	if strings.Contains(t.host, ":") {
		return nil, errors.New("mailer: smtp url: use a host name, not an IPv6 address")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, errors.New("mailer: smtp url has an invalid port")
		}
		t.port = n
	}
	if err := t.applyTLSParam(u.Query().Get("tls")); err != nil {
		return nil, err
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.password, _ = u.User.Password()
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mailer: invalid sender address %q", from)
	}
	t.from, t.fromDomain = from, domainOf(addr.Address)
	if _, err := mail.NewClient(t.host, t.options()...); err != nil {
		return nil, fmt.Errorf("mailer: smtp client: %s", redact(err.Error(), t.password))
	}
	return t, nil
}

// SMTPOption changes NewSMTP's defaults.
type SMTPOption int

// Opportunistic makes STARTTLS optional by default (local development).
const Opportunistic SMTPOption = 1

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (t *SMTPTransport) applyTLSParam(v string) error {
	switch v {
	case "":
	case "none":
		if t.implicit {
			return errors.New("mailer: tls=none contradicts smtps://")
		}
		t.policy = mail.NoTLS
	case "starttls":
		if t.implicit {
			return errors.New("mailer: tls=starttls contradicts smtps://")
		}
		t.policy = mail.TLSMandatory
	default:
		return fmt.Errorf("mailer: unknown tls parameter %q (use none or starttls)", v)
	}
	return nil
}

// String is the server URL with the password masked, for logs.
func (t *SMTPTransport) String() string { return t.redacted }

func (t *SMTPTransport) options() []mail.Option {
	opts := []mail.Option{mail.WithPort(t.port), mail.WithTimeout(smtpTimeout)}
	if t.implicit {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(t.policy))
	}
	if t.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain),
			mail.WithUsername(t.user), mail.WithPassword(t.password))
	}
	return opts
}

// Send delivers m over a new connection. A failure is a *SendError.
func (t *SMTPTransport) Send(ctx context.Context, m Message) error {
	msg, err := t.build(m)
	if err != nil {
		// go-mail's text quotes the whole address; keep only what failed.
		detail, _, _ := strings.Cut(err.Error(), ":")
		return &SendError{Class: ClassMessage, Permanent: true, detail: "invalid " + detail, cause: err}
	}
	c, err := mail.NewClient(t.host, t.options()...)
	if err != nil {
		return &SendError{Class: ClassOther, detail: redact(err.Error(), t.password), cause: err}
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return t.dialError(ctx, err)
	}
	// Once DATA is accepted the mail is delivered; a failing QUIT changes nothing.
	defer c.CloseWithSMTPClient(conn) //nolint:errcheck
	if err := c.SendWithSMTPClient(conn, msg); err != nil {
		return t.sendError(err)
	}
	return nil
}

func (t *SMTPTransport) build(m Message) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(t.from); err != nil {
		return nil, fmt.Errorf("sender address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" && t.fromDomain != "" {
		msg.SetMessageIDWithValue(m.ID + "@" + t.fromDomain)
	} else {
		msg.SetMessageID()
	}
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// dialError classifies a failure while connecting, greeting, starting TLS
// or authenticating.
func (t *SMTPTransport) dialError(ctx context.Context, err error) *SendError {
	e := &SendError{Class: ClassConnect, detail: redact(err.Error(), t.password), cause: err}
	var ne net.Error
	text := strings.ToLower(err.Error())
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		e.Class = ClassCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		e.Class = ClassTimeout
	case strings.Contains(text, "auth"):
		e.Class = ClassAuth
	case strings.Contains(text, "tls"), strings.Contains(text, "x509"), strings.Contains(text, "certificate"):
		e.Class = ClassTLS
	}
	return e
}

// sendError classifies a failure after the connection was set up. Only
// the reason and the reply codes are kept: the server's text may quote the
// recipient.
func (t *SMTPTransport) sendError(err error) *SendError {
	var me *mail.SendError
	if !errors.As(err, &me) {
		return &SendError{Class: ClassOther, detail: redact(err.Error(), t.password), cause: err}
	}
	e := &SendError{Class: ClassOther, Code: me.ErrorCode(), cause: err}
	switch me.Reason {
	case mail.ErrSMTPMailFrom:
		e.Class = ClassSender
	case mail.ErrSMTPRcptTo:
		e.Class = ClassRecipient
	case mail.ErrSMTPData, mail.ErrSMTPDataClose, mail.ErrWriteContent:
		e.Class = ClassData
	case mail.ErrGetRcpts, mail.ErrGetSender:
		e.Class = ClassMessage
	case mail.ErrConnCheck, mail.ErrSMTPReset:
		e.Class = ClassConnect
	}
	e.detail = me.Reason.String()
	if e.Code != 0 {
		e.detail += ": " + strings.TrimSpace(strconv.Itoa(e.Code)+" "+me.EnhancedStatusCode())
	}
	// A 5xx refusal of this recipient or this content will not change.
	e.Permanent = e.Code >= 500 && (e.Class == ClassRecipient || e.Class == ClassData) ||
		e.Class == ClassMessage
	return e
}
