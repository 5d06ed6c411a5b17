package smtptest_test

import (
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
)

// raw is a message as another mailer might write it: an encoded subject,
// a quoted-printable text part with a soft line break inside the link and a
// base64 HTML part.
const raw = "From: noreply@hwk.example\r\n" +
	"To: kunde@example.de\r\n" +
	"Subject: =?UTF-8?q?Passwort_zur=C3=BCcksetzen?=\r\n" +
	"Message-Id: <abc@hwk.example>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=XYZ\r\n" +
	"\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Bitte =C3=B6ffnen Sie: https://portal.example/r?token=\r\n" +
	"=3Dabc123.\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+SGFsbG88L3A+\r\n" +
	"--XYZ--\r\n"

func TestSinkDecodesSubjectAndBothParts(t *testing.T) {
	sink := smtptest.Start(t)
	if err := smtp.SendMail(sink.Addr(), nil, "noreply@hwk.example", []string{"kunde@example.de"}, []byte(raw)); err != nil {
		t.Fatalf("send: %v", err)
	}
	m := sink.WaitFor(t, 1, 5*time.Second)[0]
	if m.Subject != "Passwort zurücksetzen" || m.MessageID != "<abc@hwk.example>" {
		t.Errorf("subject %q, message id %q", m.Subject, m.MessageID)
	}
	if m.From != "noreply@hwk.example" || !slices.Equal(m.To, []string{"kunde@example.de"}) {
		t.Errorf("envelope %q -> %q", m.From, m.To)
	}
	if !strings.HasPrefix(m.Text, "Bitte öffnen Sie:") || m.HTML != "<p>Hallo</p>" {
		t.Errorf("text %q, html %q", m.Text, m.HTML)
	}
	if links := smtptest.Links(m); !slices.Equal(links, []string{"https://portal.example/r?token=abc123"}) {
		t.Errorf("links = %q", links)
	}
	if !strings.Contains(string(m.Raw), "=3Dabc123") {
		t.Error("Raw is not the message as received")
	}
}

func TestSinkCanFailTemporarilyAndRejectRecipients(t *testing.T) {
	sink := smtptest.Start(t, smtptest.WithTempFailure(), smtptest.WithRejectedRecipient("weg@example.de"))
	err := smtp.SendMail(sink.Addr(), nil, "a@hwk.example", []string{"kunde@example.de"}, []byte(raw))
	if err == nil || !strings.HasPrefix(err.Error(), "451") {
		t.Fatalf("send during temporary failure = %v, want 451", err)
	}
	err = smtp.SendMail(sink.Addr(), nil, "a@hwk.example", []string{"weg@example.de"}, []byte(raw))
	if err == nil || !strings.HasPrefix(err.Error(), "550") {
		t.Fatalf("send to a rejected recipient = %v, want 550", err)
	}
	sink.SetTempFailure(false)
	if err := smtp.SendMail(sink.Addr(), nil, "a@hwk.example", []string{"kunde@example.de"}, []byte(raw)); err != nil {
		t.Fatalf("send after recovery: %v", err)
	}
	if n := len(sink.WaitFor(t, 1, 5*time.Second)); n != 1 {
		t.Fatalf("sink kept %d mails, want only the accepted one", n)
	}
}

func TestStopMakesTheAddressRefuseConnections(t *testing.T) {
	sink := smtptest.Start(t)
	sink.Stop()
	sink.Stop() // twice is fine
	if err := smtp.SendMail(sink.Addr(), nil, "a@hwk.example", []string{"kunde@example.de"}, []byte(raw)); err == nil {
		t.Fatal("a stopped sink accepted mail")
	}
}
