package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/handlers"
)

func TestInvitationLinkSetsTheFirstPassword(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const email = "meisterin@example.de"
			created, err := p.Handler.Invite(context.Background(), handlers.Invitation{Email: email, Name: "Erika Muster"})
			if err != nil || !created {
				t.Fatalf("Invite = %v, %v; want a new account", created, err)
			}
			u := p.user(t, email)
			if u.PasswordHash != "" || u.Legacy {
				t.Errorf("invited account: hash set %v, legacy %v; want neither", u.PasswordHash != "", u.Legacy)
			}
			m := p.lastMail(t, email)
			if m.Subject != p.msg(t, "mail.invite.subject") || !strings.Contains(m.TextBody, "Erika Muster") {
				t.Errorf("invitation mail: subject %q, body:\n%s", m.Subject, m.TextBody)
			}
			link := linkIn(t, m, "/invite/confirm?token=")

			c := p.client(t)
			c.getOK(link) // a scanner's GET leaves the link usable
			confirmLink(t, c, tr, link)
			if to := setPassword(t, c, tr, goodPassword); to != "/login?notice=password_set" {
				t.Fatalf("first password: sent to %q, want /login?notice=password_set", to)
			}
			if !strings.Contains(c.getOK("/login?notice=password_set").Text(t), p.msg(t, "notice.password_set")) {
				t.Errorf("login page lacks the password-set notice")
			}
			if u := p.user(t, email); u.EmailVerifiedAt == nil {
				t.Errorf("the invitation link did not mark the address verified")
			}
			// No second factor yet: the first login asks to choose one.
			c.loginFirst(email, goodPassword)
			if r := p.client(t).get(link); r.StatusCode != http.StatusGone {
				t.Errorf("invitation link after use: status %d, want 410", r.StatusCode)
			}
		})
	}
}

func TestReinvitingVoidsTheOldLink(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "meisterin@example.de"
	first := p.inviteUser(t, email)
	created, err := p.Handler.Invite(context.Background(), handlers.Invitation{Email: strings.ToUpper(email)})
	if err != nil || created {
		t.Fatalf("second Invite = %v, %v; want the existing account", created, err)
	}
	second := linkIn(t, p.lastMail(t, email), "/invite/confirm?token=")
	if first == second {
		t.Fatal("the second invitation sent the same link")
	}
	c := p.client(t)
	r := c.get(first)
	if r.StatusCode != http.StatusGone || !strings.Contains(r.Text(t), p.msg(t, "link.used.title")) {
		t.Errorf("old invitation link: status %d, want 410 with the used page\n%s", r.StatusCode, r.Body)
	}
	confirmLink(t, c, plainForm, second)
	if to := setPassword(t, c, plainForm, goodPassword); to != "/login?notice=password_set" {
		t.Fatalf("first password: sent to %q", to)
	}
}

func TestInviteRefusesAnInvalidAddress(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, email := range []string{"", "kein-at", "Name <a@example.de>"} {
		if _, err := p.Handler.Invite(context.Background(), handlers.Invitation{Email: email}); err == nil {
			t.Errorf("Invite(%q) succeeded, want an error", email)
		}
	}
	if ms, _ := p.Store.RecentMail(context.Background(), 10); len(ms) != 0 {
		t.Errorf("%d mail(s) queued for invalid addresses", len(ms))
	}
}

// The help text's path works for an invited customer too: login page,
// "Benutzername oder Passwort vergessen?", reset mail.
func TestInvitedCustomerCanUseRecoveryInstead(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t)
			const email = "meisterin@example.de"
			p.inviteUser(t, email)
			c := p.client(t)
			login := c.getOK("/login")
			if login.Doc(t).Find(`a[href="/recovery"]`).Length() == 0 {
				t.Fatalf("login page has no link to recovery")
			}
			confirmLink(t, c, tr, requestRecovery(t, p, c, tr, email))
			if to := setPassword(t, c, tr, goodPassword); to != "/login?notice=password_changed" {
				t.Fatalf("password: sent to %q", to)
			}
			c.loginFirst(email, goodPassword)
		})
	}
}
