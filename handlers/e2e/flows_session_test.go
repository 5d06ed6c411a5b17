package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/paths"
)

// TestFlowSessionExpiryReturnsAfterLogin lets the session run out on the
// security page: the reload shows the login page with "Ihre Sitzung ist
// abgelaufen", and the login (password and app code) leads back there.
func TestFlowSessionExpiryReturnsAfterLogin(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t, SessionIdle(2*time.Minute))
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			acc := p.enrolWithTOTP(t, b, "hanna.roth@example.de")
			b.Visit(paths.Security)
			wantText(t, b, "h1", tr("security.title"))

			p.clock.advance(3 * time.Minute)
			b.Visit(paths.Security)
			wantPath(t, b, paths.Login)
			notice := b.Text("main .notice")
			if notice != tr("notice.session_expired") || !strings.HasPrefix(notice, "Ihre Sitzung ist abgelaufen") {
				t.Errorf("notice = %q, want %q", notice, tr("notice.session_expired"))
			}
			submitLogin(b, acc.email, acc.password)
			wantPath(t, b, paths.MFAVerify)
			b.Fill("#code", p.totpNow(t, acc.secret))
			submit(b, ".code-form")
			wantPath(t, b, paths.Security)
			wantText(t, b, "h1", tr("security.title"))
		})
	}
}

// flowWarnIdle is the idle timeout of the warning test: the warning comes
// a minute before the end, so after five seconds.
const flowWarnIdle = 65 * time.Second

// TestFlowSessionWarningKeepsSession waits for the warning a minute before
// the automatic logout (JavaScript): it takes the focus to "Angemeldet
// bleiben"; pressing it keeps the session, hides the warning and returns
// the focus.
func TestFlowSessionWarningKeepsSession(t *testing.T) {
	t.Parallel()
	p := startFlowPortal(t, SessionIdle(flowWarnIdle))
	b := p.NewBrowser(t, Options{JavaScript: true, Lang: "de"})
	tr := func(id string) string { return p.T(t, "de", id) }
	p.enrolWithTOTP(t, b, "ida.brandt@example.de")

	start := time.Now() // the page's timer cannot start before this
	b.Visit(paths.Security)
	if visible(b, "#session-timeout") {
		t.Fatalf("the warning shows at once, want it %v before the end", time.Minute)
	}
	b.PressTab()
	before := b.Focused()
	b.WaitVisible("#session-timeout")
	if after, due := time.Since(start), flowWarnIdle-time.Minute; after < due {
		t.Errorf("the warning came %v after the page was opened, want %v (a minute before the end)", after, due)
	}
	b.CheckA11y()
	wantText(t, b, "#session-timeout h2", tr("session.warning.title"))
	if got := b.Attr("#session-timeout", "aria-live"); got != "polite" {
		t.Errorf("warning aria-live = %q, want polite", got)
	}
	if got := b.Focused(); got != "#session-extend" {
		t.Fatalf("focus with the warning = %s, want #session-extend", got)
	}
	if got := focusedText(b); got != tr("session.warning.extend") || got != "Angemeldet bleiben" {
		t.Errorf("focused button = %q, want %q", got, "Angemeldet bleiben")
	}

	// The press renews the session on the server: 40 s before and 40 s
	// after it are more than the idle time, the session lives on.
	p.clock.advance(40 * time.Second)
	pressEnter(b)
	waitUntil(t, "the warning to hide", func() (bool, string) {
		return !visible(b, "#session-timeout"), "still visible"
	})
	if got := b.Focused(); got != before {
		t.Errorf("focus after staying logged in = %s, want %s as before the warning", got, before)
	}
	p.clock.advance(40 * time.Second)
	b.Visit(paths.Security)
	wantPath(t, b, paths.Security)
}
