package handlers_test

import (
	"regexp"
	"strings"
	"testing"
)

// The words of issue 10, item 17, on the pages a logged-in customer sees.

var (
	strayColon  = regexp.MustCompile(`\S\s+:(\s|$)`)
	germanDate  = regexp.MustCompile(`\b\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\b`)
	englishDate = regexp.MustCompile(`\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}, \d{2}:\d{2}\b`)
)

func TestWordsOnTheAccountPages(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	email := "worte@example.de"
	u := p.passwordUser(t, email, goodPassword)
	p.addTOTP(t, u)
	c := p.client(t)
	c.login(email, goodPassword)

	for _, lang := range []string{"de", "en"} {
		c.get("/lang/" + lang + "?next=/account")
		tr := func(id string) string { return p.msgIn(t, lang, id) }
		account := c.getOK("/account").Text(t)
		security := c.getOK("/account/security").Text(t)
		ip := map[string]string{"de": "IP-Adresse", "en": "IP address"}[lang]
		if !strings.Contains(account, ip) || strings.Contains(account, map[string]string{"de": "(Adresse ", "en": "(address "}[lang]) {
			t.Errorf("%s: the account page does not say %q for the address:\n%s", lang, ip, account)
		}
		date, other := germanDate, englishDate
		if lang == "en" {
			date, other = englishDate, germanDate
		}
		for name, text := range map[string]string{"account": account, "security": security} {
			if !date.MatchString(text) || other.MatchString(text) {
				t.Errorf("%s: the %s page does not write its dates in the language's format:\n%s", lang, name, text)
			}
			if m := strayColon.FindString(text); m != "" {
				t.Errorf("%s: the %s page has a space before a colon: %q", lang, name, m)
			}
			if !strings.Contains(text, tr("mfa.method.totp.name")) || !strings.Contains(text, tr("mfa.method.totp.plain")) {
				t.Errorf("%s: the %s page names %q without its plain line %q", lang, name, tr("mfa.method.totp.name"), tr("mfa.method.totp.plain"))
			}
		}
	}
}

func TestWordsOnPublicPages(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	if doc := c.getOK("/recovery").Doc(t); doc.Find("#email-hint").Length() != 0 {
		t.Errorf("the recovery form shows the registration hint %q", doc.Find("#email-hint").Text())
	}
	if got := strings.TrimSpace(c.getOK("/register").Doc(t).Find("#email-hint").Text()); got != p.msg(t, "register.email_hint") {
		t.Errorf("registration hint = %q", got)
	}
	r := c.get("/gibt-es-nicht")
	if text := squash(r.Doc(t).Find("main").Text()); strings.Contains(text, "404") || !strings.Contains(text, p.msg(t, "error.404.title")) {
		t.Errorf("the error page shows the bare code instead of words: %q", text)
	}
}
