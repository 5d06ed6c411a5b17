package handlers_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestFlowsLeaveAuditEventsAndNoSecrets(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const (
		customer = "kunde@example.de"
		invited  = "eingeladen@example.de"
		newbie   = "neu@example.de"
		unknown  = "niemand@example.de"
	)
	p.passwordUser(t, customer, goodPassword)
	var secrets []string // every password and token the flows use

	c := p.client(t)
	c.getOK("/login")
	c.post(plainForm, "/login", url.Values{"email": {customer}, "password": {"Falsch-geraten1!"}})
	secrets = append(secrets, "Falsch-geraten1!", goodPassword)
	c.login(customer, goodPassword)
	secrets = append(secrets, p.mailCode(t, customer))

	r := p.client(t)
	link := requestRecovery(t, p, r, plainForm, customer)
	if to := r.submit(plainForm, "/recovery", url.Values{"email": {unknown}}); to != "/recovery/sent" {
		t.Fatalf("recovery for an unknown address: sent to %q", to)
	}
	secrets = append(secrets, tokenOf(t, link))
	confirmLink(t, r, plainForm, link)
	setPassword(t, r, plainForm, otherPassword)
	secrets = append(secrets, otherPassword)

	invite := p.inviteUser(t, invited)
	secrets = append(secrets, tokenOf(t, invite))
	i := p.client(t)
	confirmLink(t, i, plainForm, invite)
	setPassword(t, i, plainForm, goodPassword)

	n := p.client(t)
	n.getOK("/register")
	n.submit(plainForm, "/register", url.Values{"email": {newbie}})
	reg := linkIn(t, p.lastMail(t, newbie), "/register/confirm?token=")
	secrets = append(secrets, tokenOf(t, reg))
	confirmLink(t, n, plainForm, reg)
	setPassword(t, n, plainForm, goodPassword)

	cases := []struct{ event, email string }{
		{"login.failed", customer},
		{"login.ok", customer},
		{"recovery.requested", customer},
		{"recovery.unknown_address", unknown},
		{"password.reset", customer},
		{"invite.sent", invited},
		{"invite.accepted", invited},
		{"register.requested", newbie},
		{"register.done", newbie},
	}
	for _, tc := range cases {
		evs := p.events(t, tc.event)
		found := false
		for _, e := range evs {
			found = found || e.Email == tc.email
		}
		if !found {
			t.Errorf("no audit event %s for %s (got %d event(s) of that name)", tc.event, tc.email, len(evs))
		}
	}
	if evs := p.events(t, "mfa.passed"); len(evs) == 0 || evs[0].UserID == nil || *evs[0].UserID != p.user(t, customer).ID || evs[0].Detail != "method=email" {
		t.Errorf("no audit event mfa.passed (method=email) for %s: %+v", customer, evs)
	}
	for _, e := range p.events(t, "") {
		for _, s := range secrets {
			if strings.Contains(e.Detail, s) || strings.Contains(e.Email, s) {
				t.Errorf("audit event %s holds a secret: %+v", e.Event, e)
			}
		}
	}
	logs := p.Logs.String()
	if !strings.Contains(logs, "msg=request") {
		t.Fatalf("the portal's log was not captured:\n%s", logs)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains the secret %q", s)
		}
	}
}
