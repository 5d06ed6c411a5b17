package e2e

import (
	"errors"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// TestFlowEmailChange changes the address from the account page: the
// form refuses the current address, the link goes to the new address and
// only following it changes the address; the old address gets a notice.
// Both mails are read from the SMTP sink.
func TestFlowEmailChange(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			acc := p.enrolWithTOTP(t, b, "hanna.umzug@example.de")
			p.waitMail(t, acc.email, tr("mail.security.subject")) // the notice of the new method
			const newEmail = "hanna.neu@example.de"

			click(b, `main a[href="`+paths.AccountEmail+`"]`)
			wantPath(t, b, paths.AccountEmail)
			wantText(t, b, "h1", tr("email_change.title"))
			b.Fill("#"+string(components.FieldNewEmail), acc.email)
			b.Fill("#"+string(components.FieldCurrentPassword), acc.password)
			submit(b, "#email-change-form")
			wantText(t, b, "#error-summary li", tr("email_change.error.same"))
			if got := b.Attr("#"+string(components.FieldNewEmail), "aria-invalid"); got != "true" {
				t.Errorf("the address field is not marked invalid (aria-invalid %q)", got)
			}
			if got := Eval[string](b, `document.querySelector("#current_password").value`); got != "" {
				t.Errorf("the refused form kept the password")
			}

			b.Fill("#"+string(components.FieldNewEmail), newEmail)
			b.Fill("#"+string(components.FieldCurrentPassword), acc.password)
			submit(b, "#email-change-form")
			wantPath(t, b, paths.Account)
			wantContains(t, b, "main .notice", tr("account.email_change.sent"))
			wantContains(t, b, "main", tr("account.logged_in_as", map[string]any{"Email": acc.email}))

			link := mailLink(t, p.waitMail(t, newEmail, tr("mail.email_change.subject")), paths.EmailConfirm)
			b.Visit(link)
			wantContains(t, b, "main", newEmail)
			submit(b, `form[action="`+paths.EmailConfirm+`"]`)
			wantPath(t, b, paths.Account)
			wantContains(t, b, "main .notice", tr("account.email_change.done"))
			wantContains(t, b, "main", tr("account.logged_in_as", map[string]any{"Email": newEmail}))

			notice := p.securityMail(t, acc.email, "")
			if !containsAny(notice.Text, p.mailTimeText(t, "mail.security.email_changed", map[string]any{"NewEmail": newEmail})) {
				t.Errorf("the old address's notice lacks what happened and when:\n%s", notice.Text)
			}
			logOut(t, b)
			submitLogin(b, newEmail, acc.password)
			wantPath(t, b, paths.MFAVerify)
		})
	}
}

// TestFlowAccountDeletion deletes the account through "Sind Sie sicher?"
// with the password: "Abbrechen" keeps it, a wrong password is refused,
// then the account is gone, the customer logged out and the final mail in
// the SMTP sink.
func TestFlowAccountDeletion(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			acc := p.enrolWithTOTP(t, b, "karl.abschied@example.de")

			click(b, `main a[href="`+paths.AccountDelete+`"]`)
			wantPath(t, b, paths.AccountDelete)
			wantText(t, b, "h1", tr("confirmstep.title"))
			click(b, `main a[href="`+paths.Account+`"]`)
			wantPath(t, b, paths.Account)

			click(b, `main a[href="`+paths.AccountDelete+`"]`)
			wantPath(t, b, paths.AccountDelete)
			b.Fill("#"+string(components.FieldCurrentPassword), "Falsch-geraten1!")
			submit(b, "form.confirm-step")
			wantText(t, b, "#error-summary li", tr("password_change.error.current_wrong"))
			if _, err := p.Store.UserByEmail(t.Context(), acc.email); err != nil {
				t.Fatalf("a wrong password deleted the account: %v", err)
			}

			b.Fill("#"+string(components.FieldCurrentPassword), acc.password)
			submit(b, "form.confirm-step")
			wantPath(t, b, paths.Login)
			wantContains(t, b, "main .notice", tr("notice.account_deleted"))
			final := p.waitMail(t, acc.email, tr("mail.account_deleted.subject"))
			if !strings.Contains(final.Text, acc.email) {
				t.Errorf("the final mail does not name the account:\n%s", final.Text)
			}
			if _, err := p.Store.UserByEmail(t.Context(), acc.email); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("account after deletion: %v, want ErrNotFound", err)
			}
			b.Visit(paths.Account)
			wantPath(t, b, paths.Login)
			submitLogin(b, acc.email, acc.password)
			wantPath(t, b, paths.Login)
			wantText(t, b, "#error-summary li", tr("login.error.invalid"))
		})
	}
}
