package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// linkBusinessByPIN links the customer's account to a business the way a
// customer does: the business is in the register (what `portal companies
// add` stores), the operator makes its PIN letter (`portal companies pin`),
// and the customer types number and PIN on "Betrieb verknüpfen".
func linkBusinessByPIN(t *testing.T, p *flowPortal, b *Browser, number, name string) {
	t.Helper()
	p.addCompany(t, number, name)
	pin := p.pinLetter(t, number)
	b.Visit(paths.Companies)
	wantText(t, b, "h1", p.T(t, "de", "company.link.title"))
	enterPIN(b, number, pin)
	wantPath(t, b, paths.Account)
	wantText(t, b, "main .notice", p.T(t, "de", "account.companies.linked"))
}

// wantServicePage waits until the browser shows the service's page at path
// and checks the service found nothing wrong.
func wantServicePage(t *testing.T, b *Browser, s *testService, path, title string) {
	t.Helper()
	waitUntil(t, "the service's page "+path, func() (bool, string) {
		href, _ := pageEval[string](b, "location.href")
		return strings.HasPrefix(href, s.origin+path) && textOf(b, "h1") != "", href + " " + textOf(b, "h1")
	})
	if p := s.problems(); len(p) > 0 {
		t.Fatalf("the service refused the login: %v", p)
	}
	if got := textOf(b, "h1"); got != title {
		t.Fatalf("service page heading %q, want %q", got, title)
	}
	b.CheckA11y()
}

// TestFlowServiceLoginWithTOTP: a service sends the customer to the
// portal, who logs in with password and authenticator app on the portal's
// pages and comes back (through the continue page, so the CSP's
// form-action 'self' never meets the service's origin); the service
// verifies the ID token and reads the businesses: none, then, after the
// customer linked one with a PIN on "Betrieb verknüpfen", that one.
// RP-initiated logout ends the portal session.
func TestFlowServiceLoginWithTOTP(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			acc := p.enrolWithTOTP(t, b, "ida.koch@example.de")
			logOut(t, b)
			svc := startService(t, p, store.OIDCClient{ID: "kammer-app", Name: "Kammer-App", FirstParty: true, MayAskBusinesses: true},
				"email", "businesses")

			b.Visit(svc.origin + "/")
			wantPath(t, b, paths.Login)
			submitLogin(b, acc.email, acc.password)
			wantPath(t, b, paths.MFAVerify)
			p.clock.advance(30 * time.Second) // the setup used the current time step
			b.Fill("#code", p.totpNow(t, acc.secret))
			submit(b, ".code-form")
			wantServicePage(t, b, svc, "/callback", "Angemeldet")
			if got := textOf(b, "#businesses"); got != "" {
				t.Errorf("businesses the service read before any PIN link: %q, want none", got)
			}

			// The customer links the business with the PIN of the letter;
			// the service's next login (the portal session still runs)
			// reads it.
			linkBusinessByPIN(t, p, b, "7654321", "Bäckerei Korn")
			b.Visit(svc.origin + "/")
			wantServicePage(t, b, svc, "/callback", "Angemeldet")
			if got := textOf(b, "#businesses"); got != "7654321 Bäckerei Korn" {
				t.Errorf("businesses the service read after the PIN link: %q", got)
			}

			b.Visit(svc.origin + "/logout")
			wantServicePage(t, b, svc, "/bye", "Abgemeldet")
			b.Visit(paths.Account)
			wantPath(t, b, paths.Login)
		})
	}
}

// TestFlowServiceConsent: a service that is not the chamber's own asks
// for consent on a portal page; after "Zustimmen" the customer is back at
// the service; "Verbundene Dienste" lists it and withdraws the consent.
func TestFlowServiceConsent(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			p.enrolWithTOTP(t, b, "jan.berg@example.de")
			svc := startService(t, p, store.OIDCClient{ID: "partner", Name: "Partnerdienst"}, "email")

			b.Visit(svc.origin + "/")
			wantPath(t, b, paths.OIDCConsent)
			wantText(t, b, "h1", tr("oidc.consent.title", map[string]any{"Service": "Partnerdienst"}))
			wantContains(t, b, "main ul", tr("oidc.consent.claim.email"))
			submit(b, `form[action="`+paths.OIDCConsent+`"]`)
			wantServicePage(t, b, svc, "/callback", "Angemeldet")

			b.Visit(paths.Services)
			wantContains(t, b, "main", "Partnerdienst")
			submit(b, `form[action="`+paths.ServicesRevoke+`"]`)
			wantPath(t, b, paths.Services)
			wantText(t, b, "main .notice", tr("oidc.services.revoked"))
			wantText(t, b, "main p:nth-of-type(2)", tr("oidc.services.none"))

			b.Visit("/oidc/authorize?response_type=code&scope=openid&client_id=partner&redirect_uri=https%3A%2F%2Fevil.example%2F")
			wantText(t, b, "h1", tr("oidc.error.redirect.title")) // the portal's page, checked by axe; no redirect
		})
	}
}
