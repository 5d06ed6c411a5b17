package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/handlers/paths"
)

// The mails as customers receive them (issue 10, items 2 and 3), read
// from the SMTP sink.

// linkOnLine finds an address in a text part with what stands beside it
// on its line.
var linkOnLine = regexp.MustCompile(`(?m)^(.*?)(https?://\S+|\S+@\S+\.[a-z]+)(.*)$`)

// wantChamberMail checks the layout every mail shares: it comes from the
// chamber by name, every address in the text part stands on a line of
// its own (no punctuation after it), the footer names the chamber with
// its postal address and the portal's address, and the written-out links
// of the HTML part wrap on a phone.
func (p *flowPortal) wantChamberMail(t *testing.T, m smtptest.Mail) {
	t.Helper()
	m.Text = strings.ReplaceAll(m.Text, "\r\n", "\n") // as sent over SMTP
	if m.FromName != handlers.DefaultOrgName {
		t.Errorf("mail %q comes from %q, want %q", m.Subject, m.FromName, handlers.DefaultOrgName)
	}
	for _, l := range linkOnLine.FindAllStringSubmatch(m.Text, -1) {
		if strings.TrimSpace(l[1]) != "" || strings.TrimSpace(l[3]) != "" {
			t.Errorf("mail %q: %q is not on a line of its own: %q", m.Subject, l[2], l[0])
		}
	}
	footer := "\n-- \n" + handlers.DefaultOrgName + "\n" + handlers.DefaultOrgAddress + "\n\n" +
		p.T(t, "de", "mail.footer.portal") + "\n" + p.BaseURL + "/\n"
	if !strings.Contains(m.Text, footer) {
		t.Errorf("mail %q: text part lacks the footer %q:\n%s", m.Subject, footer, m.Text)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(m.HTML))
	if err != nil {
		t.Fatal(err)
	}
	doc.Find("a").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		style, _ := a.Attr("style")
		if strings.TrimSpace(a.Text()) == href && !strings.Contains(style, "overflow-wrap: anywhere") {
			t.Errorf("mail %q: written-out link %s does not wrap: style %q", m.Subject, href, style)
		}
	})
}

// TestFlowNewBrowserMail: the first login after the invitation sends no
// new-browser notice, nor does a later login from the same browser; a
// login from another browser does, once, with when, which browser and what
// to do; each mail has the chamber's layout.
func TestFlowNewBrowserMail(t *testing.T) {
	t.Parallel()
	p := startFlowPortal(t)
	tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
	subject := tr("mail.login.subject")
	loginMails := func() int {
		t.Helper()
		all, err := p.Store.RecentMail(t.Context(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range all {
			if m.Subject == subject {
				n++
			}
		}
		return n
	}
	b := p.NewBrowser(t, Options{JavaScript: true, Lang: "de"})
	acc := p.enrolWithTOTP(t, b, "greta.vogel@example.de")
	p.wantChamberMail(t, p.waitMail(t, acc.email, tr("mail.security.subject")))
	if n := loginMails(); n != 0 {
		t.Fatalf("the first login after the invitation sent %d new-browser mails", n)
	}
	loginWithTOTP := func(b *Browser) {
		t.Helper()
		p.clock.advance(30 * time.Second) // a new time step: codes are used once
		submitLogin(b, acc.email, acc.password)
		wantPath(t, b, paths.MFAVerify)
		b.Fill("#code", p.totpNow(t, acc.secret))
		submit(b, ".code-form")
		wantPath(t, b, paths.Account)
	}
	logOut(t, b)
	loginWithTOTP(b)
	if n := loginMails(); n != 0 {
		t.Fatalf("a login from the known browser sent %d new-browser mails", n)
	}

	other := p.NewBrowser(t, Options{JavaScript: false, Lang: "de"})
	other.Visit(paths.Login)
	loginWithTOTP(other)
	m := p.waitMail(t, acc.email, subject)
	p.wantChamberMail(t, m)
	m.Text = strings.ReplaceAll(m.Text, "\r\n", "\n")
	for _, want := range []string{
		tr("mail.security.browser", map[string]any{"Browser": "Chrome (Linux)"}),
		tr("mail.login.if_you"),
		tr("mail.security.not_you") + "\n" + p.BaseURL + paths.Recovery + "\n",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("new-browser mail lacks %q:\n%s", want, m.Text)
		}
	}
	if !containsAny(m.Text, p.mailTimeText(t, "mail.login.new_browser", nil)) {
		t.Errorf("new-browser mail does not say what happened when (\"am … um … Uhr\"):\n%s", m.Text)
	}
	logOut(t, other)
	loginWithTOTP(other)
	if n := loginMails(); n != 1 {
		t.Errorf("after a second login from the same browser: %d new-browser mails, want 1", n)
	}
}
