package mailer_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/mailer"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

const (
	fromAddr  = "Kundenportal <noreply@hwk.example>"
	resetLink = "http://localhost:8080/Passwort-zuruecksetzen?token=Zk3vQ9xLrT2mWb8nHc4pYs7uEa1oJd6gKf5iNl0qVw"
)

func newSMTP(t *testing.T, url string) *mailer.SMTPTransport {
	t.Helper()
	tr, err := mailer.NewSMTP(url, fromAddr)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return tr
}

// pinClock freezes the store's clock; tests move it by assigning *now.
func pinClock(s *store.Store) *time.Time {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	return &now
}

func enqueue(t *testing.T, s *store.Store, to, subject string) *store.OutboxMail {
	t.Helper()
	m := &store.OutboxMail{
		To:       to,
		Subject:  subject,
		TextBody: "Guten Tag,\n\nbitte öffnen Sie diesen Link, um Ihr Passwort zurückzusetzen:\n" + resetLink + "\n\nIhre Handwerkskammer",
		HTMLBody: `<p>Guten Tag,</p><p><a href="` + resetLink + `">Passwort zurücksetzen</a></p>`,
	}
	if err := s.EnqueueMail(context.Background(), m); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return m
}

func deliver(t *testing.T, snd *mailer.Sender) int {
	t.Helper()
	n, err := snd.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	return n
}

func load(t *testing.T, s *store.Store, m *store.OutboxMail) *store.OutboxMail {
	t.Helper()
	got, err := s.MailByID(context.Background(), m.ID)
	if err != nil {
		t.Fatalf("load mail: %v", err)
	}
	return got
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestSenderDeliversATextAndAnHTMLPartWithAUTF8Subject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sink := smtptest.Start(t)
		m := enqueue(t, s, "max.mustermann@example.de", "Passwort zurücksetzen")
		snd := mailer.New(s, newSMTP(t, sink.URL()), mailer.Options{Worker: "w1", Logger: quietLogger()})

		if n := deliver(t, snd); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		got := sink.WaitFor(t, 1, 5*time.Second)[0]
		if got.Subject != "Passwort zurücksetzen" {
			t.Errorf("subject = %q", got.Subject)
		}
		if got.From != "noreply@hwk.example" || len(got.To) != 1 || got.To[0] != "max.mustermann@example.de" {
			t.Errorf("envelope = %q -> %q", got.From, got.To)
		}
		if !strings.Contains(got.Text, "Passwort zurückzusetzen") || !strings.Contains(got.HTML, `<a href="`+resetLink+`">`) {
			t.Errorf("parts: text %q, html %q", got.Text, got.HTML)
		}
		if links := smtptest.Links(got); len(links) != 1 || links[0] != resetLink {
			t.Errorf("links = %q, want the reset link", links)
		}
		if !strings.Contains(got.MessageID, m.ID.String()) {
			t.Errorf("Message-ID %q does not carry the outbox id %s", got.MessageID, m.ID)
		}
		sent := load(t, s, m)
		if sent.SentAt == nil || sent.TextBody != "" || sent.HTMLBody != "" || sent.Attempts != 1 {
			t.Errorf("outbox row = sent_at %v, attempts %d, bodies %q/%q; want sent, 1, blank",
				sent.SentAt, sent.Attempts, sent.TextBody, sent.HTMLBody)
		}
	})
}

func TestRunSendsAFreshMailAtOnceWhenNotified(t *testing.T) {
	s := storetest.SQLite(t)
	sink := smtptest.Start(t)
	snd := runHourly(t, s, sink)
	enqueue(t, s, "kunde@example.de", "Bestätigen Sie Ihre E-Mail-Adresse")
	snd.Notify()
	if got := sink.WaitFor(t, 1, 5*time.Second); got[0].Subject != "Bestätigen Sie Ihre E-Mail-Adresse" {
		t.Fatalf("subject = %q", got[0].Subject)
	}
}

func TestRunDeliversMailLeftFromBeforeTheStart(t *testing.T) {
	s := storetest.SQLite(t)
	sink := smtptest.Start(t)
	enqueue(t, s, "kunde@example.de", "Passwort zurücksetzen")
	runHourly(t, s, sink)
	// No Notify and an interval of an hour: only the first pass sends it.
	if got := sink.WaitFor(t, 1, 10*time.Second); got[0].Subject != "Passwort zurücksetzen" {
		t.Fatalf("subject = %q", got[0].Subject)
	}
}

// runHourly runs a sender to sink with an interval of an hour until the
// test ends, so only its first pass and Notify send mail.
func runHourly(t *testing.T, s *store.Store, sink *smtptest.Server) *mailer.Sender {
	t.Helper()
	snd := mailer.New(s, newSMTP(t, sink.URL()), mailer.Options{Worker: "w1", Interval: time.Hour, Logger: quietLogger()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { snd.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return snd
}

func TestDevTransportMarksMailsSentAndKeepsTheirBodiesForTheDevMailbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := enqueue(t, s, "kunde@example.de", "Passwort zurücksetzen")
		snd := mailer.New(s, mailer.DevTransport{}, mailer.Options{Worker: "dev", KeepBodies: true, Logger: quietLogger()})
		if n := deliver(t, snd); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		got := load(t, s, m)
		if got.SentAt == nil || !strings.Contains(got.TextBody, resetLink) || got.HTMLBody == "" {
			t.Fatalf("dev mail: sent %v, text %q", got.SentAt, got.TextBody)
		}
	})
}

func TestSMTPAuthPlainSendsTheCredentials(t *testing.T) {
	s := storetest.SQLite(t)
	sink := smtptest.Start(t, smtptest.WithAuth("portal", "Geheim-2026!"))
	host := strings.TrimPrefix(sink.URL(), "smtp://")
	m := enqueue(t, s, "kunde@example.de", "Einladung")
	snd := mailer.New(s, newSMTP(t, "smtp://portal:Geheim-2026%21@"+host), mailer.Options{Worker: "w1", Logger: quietLogger()})
	if n := deliver(t, snd); n != 1 {
		t.Fatalf("sent %d with the right credentials (last error %q)", n, load(t, s, m).LastError)
	}
}

func TestWrongSMTPPasswordIsAnAuthErrorThatDoesNotShowThePassword(t *testing.T) {
	s := storetest.SQLite(t)
	sink := smtptest.Start(t, smtptest.WithAuth("portal", "Geheim-2026!"))
	host := strings.TrimPrefix(sink.URL(), "smtp://")
	tr := newSMTP(t, "smtp://portal:Falsch-2026@"+host)

	err := tr.Send(context.Background(), mailer.Message{To: "kunde@example.de", Subject: "x", Text: "x"})
	se, ok := err.(*mailer.SendError)
	if !ok || se.Class != mailer.ClassAuth || se.Permanent {
		t.Fatalf("Send = %#v, want a temporary auth SendError", err)
	}
	if strings.Contains(err.Error(), "Falsch-2026") {
		t.Fatalf("error shows the password: %q", err)
	}
	m := enqueue(t, s, "kunde@example.de", "Einladung")
	deliver(t, mailer.New(s, tr, mailer.Options{Worker: "w1", Logger: quietLogger()}))
	if got := load(t, s, m); got.Attempts != 1 || got.LastError == "" || strings.Contains(got.LastError, "Falsch-2026") {
		t.Fatalf("outbox row: attempts %d, last_error %q", got.Attempts, got.LastError)
	}
	if len(sink.Messages()) != 0 {
		t.Fatal("the sink accepted a mail without authentication")
	}
}

func TestPlainSMTPURLFallsBackToNoTLSWhenSTARTTLSIsNotOffered(t *testing.T) {
	s := storetest.SQLite(t)
	sink := smtptest.Start(t)
	enqueue(t, s, "kunde@example.de", "Einladung")
	snd := mailer.New(s, newSMTP(t, "smtp://"+sink.Addr()), mailer.Options{Worker: "w1", Logger: quietLogger()})
	if n := deliver(t, snd); n != 1 {
		t.Fatalf("sent %d, want 1 (opportunistic STARTTLS)", n)
	}
}
