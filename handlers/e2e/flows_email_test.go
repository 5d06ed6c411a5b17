package e2e

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store/factor"
)

// TestFlowInvitationWithEmailCode sets the first password straight from
// the invitation link, chooses "2-Faktor-Authentifikation per E-Mail" and
// logs in with codes from the mails: a fresh code at every login, a code
// void after five wrong tries, and "Code erneut senden" after the
// cool-down.
func TestFlowInvitationWithEmailCode(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			const email = "clara.schmidt@example.de"

			b.Visit(mailLink(t, p.invite(t, email, "de"), paths.InviteConfirm))
			wantText(t, b, "h1", tr("invite.confirm.title"))
			submit(b, `main form[action="`+paths.InviteConfirm+`"]`)
			wantPath(t, b, paths.Password)
			wantText(t, b, "h1", tr("password.set.title"))
			p.submitPassword(t, b, email, flowGoodPassword, flowGoodPassword)
			wantPath(t, b, paths.Login)
			wantText(t, b, "main .notice", tr("notice.password_set"))

			submitLogin(b, email, flowGoodPassword)
			wantPath(t, b, paths.MFAChoose)
			click(b, choiceButton(factor.Email))
			wantPath(t, b, paths.MFAEmail)
			wantContains(t, b, "main", tr("mfa.email.setup.intro", map[string]any{"Email": email}))
			code := mailCode(t, p.waitMail(t, email, tr("mail.code.subject")))
			b.Fill("#code", code)
			submit(b, ".code-form")
			keepCodes(t, b, paths.Account)
			wantContains(t, b, "main", tr("account.logged_in_as", map[string]any{"Email": email}))
			p.waitMail(t, email, tr("mail.security.subject")) // the notice of the new method

			// The next login sends a new code at once.
			logOut(t, b)
			wantText(t, b, "main .notice", tr("notice.logged_out"))
			submitLogin(b, email, flowGoodPassword)
			wantPath(t, b, paths.MFAVerify)
			wantContains(t, b, "main", tr("mfa.verify.email.sent", map[string]any{"Email": email}))
			next := mailCode(t, p.waitMail(t, email, tr("mail.code.subject")))
			if next == code {
				t.Errorf("the login code %s is the setup code again", next)
			}
			b.Fill("#code", next)
			submit(b, ".code-form")
			wantPath(t, b, paths.Account)

			// Five wrong codes void the code; a new one comes after the cool-down.
			logOut(t, b)
			submitLogin(b, email, flowGoodPassword)
			wantPath(t, b, paths.MFAVerify)
			voided := mailCode(t, p.waitMail(t, email, tr("mail.code.subject")))
			n, _ := strconv.Atoi(voided)
			wrong := fmt.Sprintf("%06d", (n+1)%1000000)
			for try := 1; try <= 5; try++ {
				b.Fill("#code", wrong)
				submit(b, ".code-form")
				want := tr("mfa.email.error.wrong")
				if try == 5 {
					want = tr("mfa.email.error.used_up")
				}
				wantText(t, b, "#error-summary li", want)
				if got := b.Focused(); got != "#error-summary" {
					t.Errorf("try %d: focus = %s, want #error-summary", try, got)
				}
			}
			if b.Exists(".code-form") {
				t.Errorf("the code field is still offered for a void code")
			}
			resend := `form[action="` + paths.MFAVerify + `/email/send"]`
			wantText(t, b, resend+" button", tr("mfa.email.resend"))
			submit(b, resend)
			wantText(t, b, "main .notice", tr("mfa.email.notice.wait"))

			p.clock.advance(61 * time.Second)
			submit(b, resend)
			wantText(t, b, "main .notice", tr("mfa.email.notice.sent"))
			fresh := mailCode(t, p.waitMail(t, email, tr("mail.code.subject")))
			b.Fill("#code", fresh)
			submit(b, ".code-form")
			wantPath(t, b, paths.Account)
		})
	}
}
