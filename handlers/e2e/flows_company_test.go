package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/handlers/letter"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// addCompany puts a business in the register, as `portal companies add` does.
func (p *flowPortal) addCompany(t *testing.T, number, name string) {
	t.Helper()
	c := &store.Company{Number: number, Name: name, Street: "Kirchgasse 7", Postcode: "97070", City: "Würzburg"}
	if _, err := p.Store.SaveCompany(t.Context(), c); err != nil {
		t.Fatalf("add company: %v", err)
	}
}

var letterPINLine = regexp.MustCompile(`(?m)^PIN: (\S{4}-\S{4})$`)

// pinLetter runs what `portal companies pin --number N` runs (issue the
// PIN, print the letter) and reads the PIN from the letter's text.
func (p *flowPortal) pinLetter(t *testing.T, number string) string {
	t.Helper()
	issued, err := p.Handler.IssuePIN(t.Context(), number, "")
	if err != nil {
		t.Fatalf("companies pin: %v", err)
	}
	var out strings.Builder
	if err := letter.WriteText(&out, issued.Letter); err != nil {
		t.Fatal(err)
	}
	m := letterPINLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("letter has no PIN line:\n%s", out.String())
	}
	return m[1]
}

// enterPIN fills the link form and submits it.
func enterPIN(b *Browser, number, pin string) {
	b.Fill("#number", number)
	b.Fill("#pin", pin)
	submit(b, "#company-pin-form")
}

// TestFlowCompanyPINLinksAndUnlinks requests a PIN, reads it from the
// letter of `portal companies pin`, links the business, opens
// "Betriebsdaten" and unlinks it again, which closes the service.
func TestFlowCompanyPINLinksAndUnlinks(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			const number = "7000001"
			p.addCompany(t, number, "Zimmerei Lang")
			p.enrolWithTOTP(t, b, "paula.lang@example.de")

			b.Visit(paths.Companies)
			wantText(t, b, "h1", tr("company.link.title"))
			b.Fill("#request_number", number)
			submit(b, "#company-request-form")
			wantPath(t, b, paths.Companies)
			wantText(t, b, "main .notice", tr("company.request.sent"))
			wantContains(t, b, ".pending-requests", "Zimmerei Lang")

			pin := p.pinLetter(t, number)
			enterPIN(b, number, strings.ToLower(pin))
			wantPath(t, b, paths.Account)
			wantText(t, b, "main .notice", tr("account.companies.linked"))
			click(b, `a[href="/account/companies/`+number+`"]`)
			wantPath(t, b, "/account/companies/"+number)
			wantText(t, b, "h1", tr("company.data.title"))
			wantContains(t, b, ".company-data", "Kirchgasse 7")

			b.Visit("/account/companies/" + number + "/unlink")
			wantText(t, b, "h1", tr("company.unlink.title"))
			submit(b, `form[action="/account/companies/`+number+`/unlink"]`)
			wantPath(t, b, paths.Account)
			wantText(t, b, "main .notice", tr("account.companies.unlinked"))
			b.Visit("/account/companies/" + number)
			if b.Status() != http.StatusForbidden {
				t.Errorf("Betriebsdaten after unlinking: status %d, want 403", b.Status())
			}
			wantText(t, b, "h1", tr("company.forbidden.title"))
		})
	}
}

// TestFlowCompanyWrongPINsLockAndUnlinkedIsRefused types five wrong PINs,
// which lock the PIN (the right one no longer works), and checks that the
// service page refuses the unlinked account with the explanation.
func TestFlowCompanyWrongPINsLockAndUnlinkedIsRefused(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string) string { return p.T(t, "de", id) }
			const number = "7000002"
			p.addCompany(t, number, "Steinmetz Roth")
			p.enrolWithTOTP(t, b, "otto.roth@example.de")
			pin := p.pinLetter(t, number)
			wrong := "WXYZ-WXYZ"
			if pin == wrong {
				wrong = "ZYXW-ZYXW"
			}
			b.Visit(paths.Companies)
			for i := 1; i <= 5; i++ {
				enterPIN(b, number, wrong)
				want := tr("company.pin.error.wrong")
				if i == 5 {
					want = tr("company.pin.error.locked")
				}
				wantContains(t, b, "#pin-error", want)
			}
			enterPIN(b, number, pin)
			wantContains(t, b, "#pin-error", tr("company.pin.error.locked"))
			b.Visit("/account/companies/" + number)
			if b.Status() != http.StatusForbidden {
				t.Errorf("Betriebsdaten of an unlinked account: status %d, want 403", b.Status())
			}
			wantText(t, b, "h1", tr("company.forbidden.title"))
			click(b, `main a[href="/account/companies"]`)
			wantPath(t, b, paths.Companies)
		})
	}
}
