package e2e

import (
	"testing"

	"github.com/hwk/kundenportal/handlers/paths"
)

// TestFlowGuessablePasswordSaysWhy: a single common word dressed up is
// refused with the reason beside the rule (live with JavaScript, after the
// submit without) and in the error summary; a passphrase of several words
// is accepted.
func TestFlowGuessablePasswordSaysWhy(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			email := "olga.rate." + m.name + "@example.de"
			b.Visit(mailLink(t, p.invite(t, email, "de"), paths.InviteConfirm))
			submit(b, `form[action="`+paths.InviteConfirm+`"]`)
			wantPath(t, b, paths.Password)

			const rule = `#password-rules li[data-state="failed"] .rules__reason`
			p.typePassword(t, b, email, "Handwerk2024!!", "Handwerk2024!!")
			if m.js {
				wantText(t, b, rule, tr("password_live.reason.common_word"))
			}
			submit(b, "#password-form")
			wantPath(t, b, paths.Password)
			wantText(t, b, "#error-summary li", tr("password.error.common_word"))
			wantText(t, b, rule, tr("password_live.reason.common_word"))

			p.submitPassword(t, b, email, "Werkstatt Tor 99!", "Werkstatt Tor 99!")
			wantPath(t, b, paths.Login)
			wantContains(t, b, "main .notice", tr("notice.password_set"))
		})
	}
}
