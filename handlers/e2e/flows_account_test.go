package e2e

import (
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/paths"
)

// TestFlowAccountEndsOneOtherSession logs in on a second browser, then
// ends that session from the account overview of the first through the
// confirmation step: the second browser is logged out, the first is not.
func TestFlowAccountEndsOneOtherSession(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			acc := p.enrolWithTOTP(t, b, "lena.kurz@example.de")

			other := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			other.Visit(paths.Login)
			submitLogin(other, acc.email, acc.password)
			wantPath(t, other, paths.MFAVerify)
			p.clock.advance(31 * time.Second) // a new TOTP step: codes are not replayed
			other.Fill("#code", p.totpNow(t, acc.secret))
			submit(other, ".code-form")
			wantPath(t, other, paths.Account)

			b.Visit(paths.Account)
			wantText(t, b, "h1", tr("account.title"))
			click(b, `.sessions a[href^="/account/sessions/"]`)
			wantText(t, b, "h1", tr("account.session_end.title"))
			submit(b, `main form[action^="/account/sessions/"]`)
			wantPath(t, b, paths.Account)
			wantText(t, b, "main .notice", tr("account.session_end.done"))

			other.Visit(paths.Account)
			wantPath(t, other, paths.Login)
			b.Visit(paths.Account)
			wantPath(t, b, paths.Account)
		})
	}
}
