package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/letter"
	"github.com/hwk/kundenportal/store"
)

// addCompany puts a business in the register.
func (p *portal) addCompany(t testing.TB, number, name string) *store.Company {
	t.Helper()
	c := &store.Company{Number: number, Name: name, Street: "Marktplatz 5", Postcode: "97070", City: "Würzburg"}
	if _, err := p.Store.SaveCompany(context.Background(), c); err != nil {
		t.Fatalf("add company %s: %v", number, err)
	}
	return c
}

var letterPIN = regexp.MustCompile(`(?m)^PIN: (\S{4}-\S{4})$`)

// issuePIN runs what `portal companies pin --number N` runs and reads the
// PIN from the letter text.
func (p *portal) issuePIN(t testing.TB, number string) string {
	t.Helper()
	issued, err := p.Handler.IssuePIN(context.Background(), number, "")
	if err != nil {
		t.Fatalf("issue PIN for %s: %v", number, err)
	}
	var b strings.Builder
	if err := letter.WriteText(&b, issued.Letter); err != nil {
		t.Fatal(err)
	}
	m := letterPIN.FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("letter has no PIN line:\n%s", b.String())
	}
	return m[1]
}

func TestPINRequestAnswersTheSameForKnownAndUnknownNumbers(t *testing.T) {
	p := newPortal(t)
	p.addCompany(t, "4000001", "Dachdeckerei Kraus")
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			email := addrFor(tr, "anfrage")
			p.passwordUser(t, email, goodPassword)
			c := p.client(t)
			c.login(email, goodPassword)
			c.getOK("/account/companies")
			known := c.submit(tr, "/account/companies/request", url.Values{"request_number": {"4000 001"}})
			unknown := c.submit(tr, "/account/companies/request", url.Values{"request_number": {"4999999"}})
			if known != unknown {
				t.Errorf("known number sent to %q, unknown to %q: the answer must not tell them apart", known, unknown)
			}
			page := c.getOK(known)
			if !strings.Contains(page.Text(t), p.msg(t, "company.request.sent")) {
				t.Errorf("no notice after the request:\n%s", page.Text(t))
			}
			items := page.Doc(t).Find(".pending-requests li")
			if items.Length() != 1 || !strings.Contains(items.Text(), "Dachdeckerei Kraus") || !strings.Contains(items.Text(), p.Store.Now().In(berlin(t)).Format("02.01.2006")) {
				t.Errorf("pending requests = %q, want the known business with today's date", items.Text())
			}
			if got := c.getOK("/account").Doc(t).Find(".pending-requests li").Length(); got != 1 {
				t.Errorf("account overview lists %d pending requests, want 1", got)
			}
			r := c.postInvalid(tr, "/account/companies/request", url.Values{"request_number": {"12x"}}, http.StatusUnprocessableEntity, "company-request-form")
			if in := r.Doc(t).Find("#request_number"); in.AttrOr("aria-invalid", "") != "true" || in.AttrOr("value", "") != "12x" {
				t.Errorf("bad number: field not marked invalid or value lost:\n%s", r.Body)
			}
		})
	}
	if n := len(p.events(t, "company.pin_requested")); n != 4 {
		t.Errorf("%d pin_requested audit events, want 4", n)
	}
}

func TestLinkWithPINOpensBetriebsdatenAndUnlinkCloses(t *testing.T) {
	p := newPortal(t)
	for i, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			number := []string{"5000001", "5000002"}[i]
			p.addCompany(t, number, "Elektro Berger "+tr.name)
			email := addrFor(tr, "inhaber")
			u := p.passwordUser(t, email, goodPassword)
			c := p.client(t)
			c.login(email, goodPassword)
			if r := c.get("/account/companies/" + number); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Text(t), p.msg(t, "company.forbidden.body")) {
				t.Fatalf("Betriebsdaten before linking: status %d, want 403 with the explanation", r.StatusCode)
			}
			pin := p.issuePIN(t, number)
			typed := " " + strings.ToLower(strings.ReplaceAll(pin, "-", " ")) + " "
			c.getOK("/account/companies")
			if to := c.submit(tr, "/account/companies/link", url.Values{"number": {number}, "pin": {typed}}); to != "/account?notice=company_linked" {
				t.Fatalf("link sent to %q", to)
			}
			overview := c.getOK("/account")
			if !strings.Contains(overview.Text(t), "Elektro Berger") || overview.Doc(t).Find(`a[href="/account/companies/`+number+`"]`).Length() != 1 {
				t.Errorf("overview does not list the business with its service:\n%s", overview.Text(t))
			}
			data := c.getOK("/account/companies/" + number)
			if !strings.Contains(data.Text(t), "Marktplatz 5") || !strings.Contains(data.Text(t), number) {
				t.Errorf("Betriebsdaten lack the address or number:\n%s", data.Text(t))
			}
			if m := p.lastMail(t, email); !strings.Contains(m.TextBody, "Elektro Berger") {
				t.Errorf("no notice mail about the link: %q", m.Subject)
			}
			if len(p.eventsOf(t, "company.linked", u)) != 1 {
				t.Error("link not audited")
			}
			if r := c.post(tr, "/account/companies/link", url.Values{"number": {number}, "pin": {pin}}); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("the PIN worked twice: status %d", r.StatusCode)
			}
			confirm := c.getOK("/account/companies/" + number + "/unlink")
			if confirm.Doc(t).Find(`form[action="/account/companies/`+number+`/unlink"][method="post"]`).Length() != 1 {
				t.Fatalf("unlink confirmation has no form:\n%s", confirm.Body)
			}
			if to := c.submit(tr, "/account/companies/"+number+"/unlink", url.Values{}); to != "/account?notice=company_unlinked" {
				t.Errorf("unlink sent to %q", to)
			}
			if r := c.get("/account/companies/" + number); r.StatusCode != http.StatusForbidden {
				t.Errorf("Betriebsdaten after unlinking: status %d, want 403", r.StatusCode)
			}
			if len(p.eventsOf(t, "company.unlinked", u)) != 1 || !strings.Contains(p.lastMail(t, email).TextBody, "aufgehoben") {
				t.Error("unlink not audited or not mailed")
			}
		})
	}
}

func TestFiveWrongPINsLockThePIN(t *testing.T) {
	p := newPortal(t)
	p.addCompany(t, "6000001", "Glaserei Vogt")
	u := p.passwordUser(t, "rater@example.de", goodPassword)
	c := p.client(t)
	c.login("rater@example.de", goodPassword)
	pin := p.issuePIN(t, "6000001")
	wrong := "ABCD-EFGH"
	if wrong == pin {
		wrong = "HGFE-DCBA"
	}
	c.getOK("/account/companies")
	for i := 1; i <= 5; i++ {
		tr := transports[i%2]
		r := c.postInvalid(tr, "/account/companies/link", url.Values{"number": {"6000001"}, "pin": {wrong}}, http.StatusUnprocessableEntity, "company-pin-form")
		want := "company.pin.error.wrong"
		if i == 5 {
			want = "company.pin.error.locked"
		}
		if !strings.Contains(r.Text(t), p.msg(t, want)) {
			t.Fatalf("wrong PIN #%d: answer lacks %s:\n%s", i, want, r.Text(t))
		}
	}
	r := c.postInvalid(plainForm, "/account/companies/link", url.Values{"number": {"6000001"}, "pin": {pin}}, http.StatusUnprocessableEntity, "company-pin-form")
	if !strings.Contains(r.Text(t), p.msg(t, "company.pin.error.locked")) {
		t.Errorf("the right PIN after locking was not refused as locked:\n%s", r.Text(t))
	}
	if n := len(p.eventsOf(t, "company.pin_failed", u)); n != 5 {
		t.Errorf("%d pin_failed events, want 5 (4 wrong, 1 after the lock)", n)
	}
	if n := len(p.eventsOf(t, "company.pin_locked", u)); n != 1 {
		t.Errorf("%d pin_locked events, want 1", n)
	}
	fresh := p.issuePIN(t, "6000001")
	if to := c.submit(plainForm, "/account/companies/link", url.Values{"number": {"6000001"}, "pin": {fresh}}); to != "/account?notice=company_linked" {
		t.Errorf("a new PIN after the lock sent to %q", to)
	}
}

func TestPINRequestsAndTriesAreRateLimitedPerAccount(t *testing.T) {
	p := newPortal(t)
	p.passwordUser(t, "eilig@example.de", goodPassword)
	c := p.client(t)
	c.login("eilig@example.de", goodPassword)
	c.getOK("/account/companies")
	for i := 1; i <= 10; i++ {
		c.submit(plainForm, "/account/companies/request", url.Values{"request_number": {"4999999"}})
	}
	if r := c.post(plainForm, "/account/companies/request", url.Values{"request_number": {"4999999"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("11th PIN request within an hour: status %d, want 429", r.StatusCode)
	}
	for i := 1; i <= 20; i++ {
		if r := c.post(plainForm, "/account/companies/link", url.Values{"number": {"4999999"}, "pin": {"ABCD-EFGH"}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: status %d, want 422", i, r.StatusCode)
		}
	}
	if r := c.post(plainForm, "/account/companies/link", url.Values{"number": {"4999999"}, "pin": {"ABCD-EFGH"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("21st PIN try within 10 minutes: status %d, want 429", r.StatusCode)
	}
	if n := len(p.events(t, "company.pin_failed")); n != 20 {
		t.Errorf("%d pin_failed events, want 20 (every try is audited)", n)
	}
}

// TestPINTriesPerAccountHoldAcrossInstancesInParallel: the per-account limit
// of PIN tries (20 per 10 minutes) is counted atomically in the database:
// 30 parallel tries of one account, spread over two portal instances on one
// database, get exactly 20 answers and 10 refusals.
func TestPINTriesPerAccountHoldAcrossInstancesInParallel(t *testing.T) {
	p := newPortal(t)
	other := newPortalOn(t, p.Store)
	p.passwordUser(t, "parallel@example.de", goodPassword)
	c := p.client(t)
	c.login("parallel@example.de", goodPassword)
	c.getOK("/account/companies")
	form := url.Values{"number": {"4999999"}, "pin": {"ABCD-EFGH"}, "_csrf": {c.csrf}}
	var wg sync.WaitGroup
	statuses := make(chan int, 30)
	for i := range 30 {
		app := p.App
		if i%2 == 1 {
			app = other.App
		}
		req := postRequest(t, c, "/account/companies/link", form)
		wg.Go(func() {
			res, err := app.Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusUnprocessableEntity] != 20 || count[http.StatusTooManyRequests] != 10 {
		t.Errorf("answers to 30 parallel PIN tries on two instances: %v, want 20 × 422 and 10 × 429", count)
	}
}

// berlin is the time zone the portal shows dates in.
func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
