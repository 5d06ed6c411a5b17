// Package smtptest runs an in-process SMTP sink (go-smtp) for tests: it
// accepts mail on a local port, keeps every message decoded (subject,
// text and HTML part) and can be told to fail.
package smtptest

import (
	"errors"
	"io"
	"log"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the sink accepted.
type Mail struct {
	From      string   // envelope sender (MAIL FROM)
	To        []string // envelope recipients (RCPT TO)
	FromName  string   // the display name of the From header, decoded
	Subject   string   // decoded from RFC 2047
	MessageID string   // the Message-Id header, with angle brackets
	Text      string   // the text/plain part, decoded
	HTML      string   // the text/html part, decoded
	Raw       []byte   // the message as received
}

// Option configures a Server.
type Option func(*Server)

// WithTempFailure makes the sink answer DATA with "451 4.3.0" until
// SetTempFailure(false) is called.
func WithTempFailure() Option {
	return func(s *Server) { s.tempFail.Store(true) }
}

// WithAuth makes the sink offer AUTH PLAIN and require these credentials
// before MAIL FROM.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// WithRejectedRecipient makes the sink refuse addr at RCPT TO with the
// permanent error "550 5.1.1".
func WithRejectedRecipient(addr string) Option {
	return func(s *Server) { s.rejected = append(s.rejected, addr) }
}

// Server is a running SMTP sink.
type Server struct {
	srv      *smtp.Server
	ln       net.Listener
	served   chan struct{} // closed when Serve has returned
	addr     string
	user     string
	pass     string
	rejected []string
	tempFail atomic.Bool
	stopOnce sync.Once

	mu      sync.Mutex
	mails   []Mail
	errs    []error
	changed chan struct{} // closed and replaced when a mail arrives
}

// Start runs a sink on a free port of 127.0.0.1, stopped when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return StartAt(t, "127.0.0.1:0", opts...)
}

// StartAt runs a sink on addr (for example one reserved earlier with
// FreeAddr, to bring a "down" server up), stopped when the test ends.
func StartAt(t testing.TB, addr string, opts ...Option) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("smtptest: listen on %s: %v", addr, err)
	}
	s := &Server{ln: ln, served: make(chan struct{}), addr: ln.Addr().String(), changed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.MaxRecipients = 10
	s.srv.AllowInsecureAuth = true
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() {
		defer close(s.served)
		s.srv.Serve(ln) //nolint:errcheck // returns nil or a closed-listener error on Stop
	}()
	t.Cleanup(s.Stop)
	return s
}

// FreeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago and has nothing listening: an SMTP server that is down.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: reserve a port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Addr is the host:port the sink listens on.
func (s *Server) Addr() string { return s.addr }

// URL is a PORTAL_SMTP_URL for the sink (no TLS, no credentials).
func (s *Server) URL() string { return "smtp://" + s.addr + "?tls=none" }

// Stop closes the listener and all connections and waits until the sink
// no longer accepts any. It may be called twice.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.srv.Close()
		s.ln.Close() // in case Serve had not registered it yet
		<-s.served
	})
}

// SetTempFailure switches answering DATA with a temporary 451 on or off.
func (s *Server) SetTempFailure(on bool) { s.tempFail.Store(on) }

// Messages returns the mails accepted so far, oldest first.
func (s *Server) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mails)
}

// WaitFor waits until at least n mails have arrived and returns all of
// them; it fails the test when fewer arrive within timeout or when a
// message could not be parsed.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Mail {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed, errs := len(s.mails), s.changed, slices.Clone(s.errs)
		s.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("smtptest: unparsable message: %v", errors.Join(errs...))
		}
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("smtptest: %d of %d mails arrived within %v", got, n, timeout)
		}
	}
}

func (s *Server) add(m Mail, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	s.mails = append(s.mails, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) newSession(*smtp.Conn) (smtp.Session, error) {
	sess := &session{srv: s}
	if s.user != "" {
		return &authSession{session: sess}, nil
	}
	sess.authed = true
	return sess, nil
}

// session collects one message.
type session struct {
	srv    *Server
	authed bool
	from   string
	to     []string
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if slices.Contains(x.srv.rejected, to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if x.srv.tempFail.Load() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	m, err := parse(raw)
	if err != nil {
		x.srv.add(Mail{}, err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Unparsable message"}
	}
	m.From, m.To = x.from, slices.Clone(x.to)
	x.srv.add(m, nil)
	return nil
}

func (x *session) Reset() { x.from, x.to = "", nil }

func (x *session) Logout() error { return nil }

// authSession is a session that offers and requires AUTH PLAIN.
type authSession struct{ *session }

func (x *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.srv.user || pass != x.srv.pass {
			return smtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}), nil
}
