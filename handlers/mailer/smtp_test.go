package mailer

import (
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail"
)

func TestNewSMTPParsesTheURL(t *testing.T) {
	const from = "Kundenportal <noreply@hwk.example>"
	cases := []struct {
		name     string
		url      string
		host     string
		port     int
		implicit bool
		policy   mail.TLSPolicy
		user     string
	}{
		{"smtp defaults to port 25 with mandatory STARTTLS", "smtp://mail.example.de", "mail.example.de", 25, false, mail.TLSMandatory, ""},
		{"smtp with credentials and port", "smtp://portal:geheim123@mail.example.de:587", "mail.example.de", 587, false, mail.TLSMandatory, "portal"},
		{"a server on localhost gets STARTTLS when it offers it", "smtp://localhost:2525", "localhost", 2525, false, mail.TLSOpportunistic, ""},
		{"a server on a loopback address too", "smtp://127.0.0.1:2525", "127.0.0.1", 2525, false, mail.TLSOpportunistic, ""},
		{"smtps defaults to port 465 with implicit TLS", "smtps://mail.example.de", "mail.example.de", 465, true, 0, ""},
		{"smtps with port", "smtps://portal:geheim123@mail.example.de:2465", "mail.example.de", 2465, true, 0, "portal"},
		{"tls=none for a local sink", "smtp://127.0.0.1:2525?tls=none", "127.0.0.1", 2525, false, mail.NoTLS, ""},
		{"tls=starttls makes STARTTLS mandatory", "smtp://mail.example.de?tls=starttls", "mail.example.de", 25, false, mail.TLSMandatory, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := NewSMTP(c.url, from)
			if err != nil {
				t.Fatalf("NewSMTP: %v", err)
			}
			if tr.host != c.host || tr.port != c.port || tr.implicit != c.implicit || tr.user != c.user {
				t.Fatalf("got host %q port %d implicit %v user %q", tr.host, tr.port, tr.implicit, tr.user)
			}
			if !c.implicit && tr.policy != c.policy {
				t.Fatalf("tls policy = %v, want %v", tr.policy, c.policy)
			}
			if strings.Contains(tr.String(), "geheim123") {
				t.Fatalf("String() shows the password: %s", tr)
			}
		})
	}
}

func TestNewSMTPRejectsBadURLsWithoutShowingThePassword(t *testing.T) {
	const from = "Kundenportal <noreply@hwk.example>"
	cases := []struct{ name, url, from, want string }{
		{"missing host", "smtp://portal:geheim123@:25", from, "no host"},
		{"empty url", "", from, "scheme"},
		{"ipv6 literal", "smtp://portal:geheim123@[::1]:25", from, "not an IPv6 address"},
		{"unknown scheme", "http://portal:geheim123@mail.example.de", from, "unknown smtp url scheme"},
		{"unparsable port", "smtp://portal:geheim123@mail.example.de:smtp", from, "not a valid url"},
		{"port out of range", "smtp://portal:geheim123@mail.example.de:99999", from, "invalid port"},
		{"unknown tls parameter", "smtp://portal:geheim123@mail.example.de?tls=maybe", from, "unknown tls parameter"},
		{"tls=none with smtps", "smtps://portal:geheim123@mail.example.de?tls=none", from, "contradicts"},
		{"invalid sender", "smtp://portal:geheim123@mail.example.de", "not an address", "invalid sender"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewSMTP(c.url, c.from)
			if err == nil {
				t.Fatal("NewSMTP succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
			if strings.Contains(err.Error(), "geheim123") {
				t.Fatalf("error shows the password: %q", err)
			}
		})
	}
}

func TestRedactKeepsOnlyTheDomainAndDropsSecrets(t *testing.T) {
	got := redact("550 <max.mustermann@example.de> unknown; auth geheim123 refused", "geheim123")
	if got != "550 <…@example.de> unknown; auth xxxxx refused" {
		t.Fatalf("redact = %q", got)
	}
	if n := len([]rune(redact(strings.Repeat("x", 500)))); n > 201 {
		t.Fatalf("redacted text has %d runes, want at most 201", n)
	}
}

func TestBackoffDoublesFrom30SecondsUpToAnHourWithJitter(t *testing.T) {
	cases := []struct {
		attempts int
		base     time.Duration
	}{
		{0, 30 * time.Second},
		{1, time.Minute},
		{4, 8 * time.Minute},
		{7, time.Hour},
		{19, time.Hour},
		{500, time.Hour},
	}
	for _, c := range cases {
		for range 50 {
			d := backoff(c.attempts)
			if d < c.base*9/10 || d > c.base*11/10 {
				t.Fatalf("backoff(%d) = %v, want %v ± 10%%", c.attempts, d, c.base)
			}
		}
	}
}

func TestInvalidRecipientIsAPermanentErrorThatDoesNotQuoteTheAddress(t *testing.T) {
	tr, err := NewSMTP("smtp://127.0.0.1:1?tls=none", "noreply@hwk.example")
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(t.Context(), Message{To: "Max Mustermann geheim", Subject: "x", Text: "x"})
	se, ok := err.(*SendError)
	if !ok || se.Class != ClassMessage || !se.Permanent {
		t.Fatalf("Send = %#v, want a permanent message error", err)
	}
	if err.Error() != "smtp message: invalid recipient address" {
		t.Fatalf("error = %q", err)
	}
}
