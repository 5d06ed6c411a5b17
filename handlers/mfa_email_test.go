package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// otherCode is a six-digit code that is not code.
func otherCode(code string) string {
	n, _ := strconv.Atoi(code)
	return fmt.Sprintf("%06d", (n+1)%1000000)
}

// wantCodeRefused expects a 422 for a code with the message id.
func wantCodeRefused(t *testing.T, p *portal, r *response, what, id string) {
	t.Helper()
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Text(t), p.msg(t, id)) {
		t.Fatalf("%s: status %d, want 422 with %q\n%s", what, r.StatusCode, p.msg(t, id), r.Body)
	}
	doc := r.Doc(t)
	if field := doc.Find(`input[name="code"]`); field.Length() > 0 && field.AttrOr("aria-invalid", "") != "true" {
		t.Errorf("%s: the code field is not marked invalid", what)
	}
	checkSummaryLinks(t, r, what)
}

// checkSummaryLinks checks that every link of the error summary leads to
// an element of the page.
func checkSummaryLinks(t *testing.T, r *response, what string) {
	t.Helper()
	r.Doc(t).Find(`#error-summary a[href^="#"]`).Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		if r.Doc(t).Find(href).Length() == 0 {
			t.Errorf("%s: the error summary links to %s, which is not on the page", what, href)
		}
	})
}

func TestEmailMethodSetupWithResend(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "bernd")
			u := p.passwordUserNoMFA(t, email, goodPassword)
			c := p.client(t)
			c.getOK("/login")
			c.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/choose")
			c.getOK("/mfa/choose")
			if to := c.submit(tr, "/mfa/choose", url.Values{"method": {"email"}}); to != "/mfa/email" {
				t.Fatalf("choose e-mail: sent to %q, want /mfa/email", to)
			}
			page := c.getOK("/mfa/email")
			if !strings.Contains(page.Text(t), p.msg(t, "mfa.email.setup.intro", map[string]any{"Email": email})) ||
				page.Doc(t).Find(`form[action="/mfa/email/resend"]`).Length() != 1 {
				t.Errorf("setup page lacks the intro or %q:\n%s", p.msg(t, "mfa.email.resend"), page.Body)
			}
			first := p.mailCode(t, email)
			checkCodeMail(t, p, p.codeMails(t, email)[0], first)
			sessions, err := p.Store.SessionsOfUser(t.Context(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sessions {
				if strings.Contains(s.Data, first) {
					t.Errorf("the code is stored in plain in the session: %s", s.Data)
				}
			}

			wantCodeRefused(t, p, c.post(tr, "/mfa/email", url.Values{"code": {otherCode(first)}}), "wrong code", "mfa.email.error.wrong")

			// "Code erneut senden" at once: wait a minute.
			if to := c.submit(tr, "/mfa/email/resend", nil); to != "/mfa/email?notice=wait" {
				t.Fatalf("resend at once: sent to %q, want /mfa/email?notice=wait", to)
			}
			if !strings.Contains(c.getOK("/mfa/email?notice=wait").Text(t), p.msg(t, "mfa.email.notice.wait")) {
				t.Errorf("no notice to wait")
			}
			if n := len(p.codeMails(t, email)); n != 1 {
				t.Fatalf("%d code mails after a resend within the cool-down, want 1", n)
			}
			p.Clock.Advance(61 * time.Second)
			if to := c.submit(tr, "/mfa/email/resend", nil); to != "/mfa/email?notice=sent" {
				t.Fatalf("resend after a minute: sent to %q, want /mfa/email?notice=sent", to)
			}
			if !strings.Contains(c.getOK("/mfa/email?notice=sent").Text(t), p.msg(t, "mfa.email.notice.sent")) {
				t.Errorf("no notice that a new code was sent")
			}
			if n := len(p.codeMails(t, email)); n != 2 {
				t.Fatalf("%d code mails after a resend, want 2", n)
			}
			second := p.mailCode(t, email)
			if second != first {
				wantCodeRefused(t, p, c.post(tr, "/mfa/email", url.Values{"code": {first}}), "the older code", "mfa.email.error.wrong")
			}
			if to := c.submit(tr, "/mfa/email", url.Values{"code": {second}}); to != "/mfa/recovery-codes" {
				t.Fatalf("new code: sent to %q, want /mfa/recovery-codes", to)
			}
			finishCodes(t, c, tr, "/account")
			if ms := p.methods(t, u); len(ms) != 1 || ms[0].Kind != factor.Email {
				t.Errorf("methods after setup: %+v, want the e-mail code", ms)
			}
		})
	}
}

// checkCodeMail checks that a code mail says what the code is for, how long
// it lasts and that staff never ask for it.
func checkCodeMail(t *testing.T, p *portal, m store.OutboxMail, code string) {
	t.Helper()
	if m.Subject != p.msg(t, "mail.code.subject") {
		t.Errorf("code mail subject %q", m.Subject)
	}
	for _, want := range []string{
		p.msg(t, "mail.code.body"),
		p.msg(t, "mail.code.expiry", map[string]any{"Minutes": 10}),
		p.msg(t, "mail.code.never_ask"),
	} {
		if !strings.Contains(m.TextBody, want) || !strings.Contains(m.HTMLBody, want) {
			t.Errorf("code mail lacks %q:\n%s", want, m.TextBody)
		}
	}
	if !strings.Contains(m.HTMLBody, code) {
		t.Errorf("the HTML part lacks the code")
	}
}

func TestEmailCodeBruteForceIsStopped(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "kunde")
			u := p.passwordUser(t, email, goodPassword)
			c := p.client(t)
			c.getOK("/login")
			c.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
			right := p.mailCode(t, email)
			checkCodeMail(t, p, p.codeMails(t, email)[0], right)
			c.getOK("/mfa/verify")
			wrong := url.Values{"code": {otherCode(right)}}
			for i := 1; i <= 5; i++ {
				id := "mfa.email.error.wrong"
				if i == 5 {
					id = "mfa.email.error.used_up"
				}
				wantCodeRefused(t, p, c.post(tr, "/mfa/verify/email", wrong), fmt.Sprintf("wrong code %d", i), id)
			}
			// Five failures: the account waits like after wrong passwords.
			r := c.post(tr, "/mfa/verify/email", url.Values{"code": {right}})
			wantThrottled(t, p, r, "the right code after 5 wrong ones")

			// After the wait the code is void: five tries were used.
			p.Clock.Advance(31 * time.Second)
			wantCodeRefused(t, p, c.post(tr, "/mfa/verify/email", url.Values{"code": {right}}), "the right code after 5 wrong ones", "mfa.email.error.none")
			wantThrottled(t, p, c.post(tr, "/mfa/verify/email", url.Values{"code": {right}}), "a 7th code")
			if c.loggedIn() {
				t.Fatalf("logged in after 5 wrong codes")
			}

			// Counted per account: a new login does not reset the count.
			b := p.client(t)
			b.getOK("/login")
			b.passwordStep(tr, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
			b.getOK("/mfa/verify")
			wantThrottled(t, p, b.post(tr, "/mfa/verify/email", url.Values{"code": {p.mailCode(t, email)}}), "a new login's code")
			if n := len(p.eventsOf(t, "mfa.failed", u)); n != 6 {
				t.Errorf("%d mfa.failed events, want 6", n)
			}

			// After the wait a new code works.
			p.Clock.Advance(61 * time.Second)
			if to := b.emailCode(tr, email); to != "/account" {
				t.Fatalf("after the wait: sent to %q, want /account", to)
			}
		})
	}
}

// wantThrottled expects the 429 page of the second step that says how long
// to wait.
func wantThrottled(t *testing.T, p *portal, r *response, what string) {
	t.Helper()
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("%s: status %d, want 429\n%s", what, r.StatusCode, r.Body)
	}
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs <= 0 {
		t.Errorf("%s: Retry-After = %q, want seconds", what, r.Header.Get("Retry-After"))
	}
	if !strings.Contains(r.Text(t), p.msg(t, "login.error.throttled", map[string]any{"Count": 1})) {
		t.Errorf("%s: the 429 page does not explain the wait:\n%s", what, r.Body)
	}
}

func TestEmailCodeExpiresAfterTenMinutes(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	const email = "kunde@example.de"
	p.passwordUser(t, email, goodPassword)
	c := p.client(t)
	c.getOK("/login")
	c.passwordStep(plainForm, url.Values{"email": {email}, "password": {goodPassword}}, "/mfa/verify")
	code := p.mailCode(t, email)
	p.Clock.Advance(6 * time.Minute)
	c.getOK("/mfa/verify") // the session stays alive
	p.Clock.Advance(5 * time.Minute)
	r := c.post(plainForm, "/mfa/verify/email", url.Values{"code": {code}})
	wantCodeRefused(t, p, r, "a code after 11 minutes", "mfa.email.error.expired")
	if r.Doc(t).Find(`form[action="/mfa/verify/email/send"]`).Length() != 1 {
		t.Errorf("the page does not offer %q", p.msg(t, "mfa.email.resend"))
	}
	if to := c.submit(plainForm, "/mfa/verify/email/send", nil); to != "/mfa/verify?method=email&notice=sent" {
		t.Fatalf("new code: sent to %q", to)
	}
	if to := c.emailCode(plainForm, email); to != "/account" {
		t.Fatalf("the new code: sent to %q, want /account", to)
	}
}
