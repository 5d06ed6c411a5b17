package handlers

import (
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/locales"
)

// TestNoticesAreDeclaredOncePerPage: every notice a page shows is in the
// one whitelist with a message of the catalogs, and withNotice refuses a
// notice its page does not declare.
func TestNoticesAreDeclaredOncePerPage(t *testing.T) {
	catalog, err := locales.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for page, ns := range notices {
		for n, id := range ns {
			for _, lang := range []string{"de", "en"} {
				if _, err := catalog.Localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id}); err != nil {
					t.Errorf("notice %q of %s: message %q in %s: %v", n, page, id, lang, err)
				}
			}
			if got := withNotice(page, n); got != page+"?notice="+string(n) {
				t.Errorf("withNotice(%s, %s) = %q", page, n, got)
			}
		}
	}
	if got := withNotice(paths.MFAVerify+"?method=email", noticeCodeSent); got != paths.MFAVerify+"?method=email&notice=sent" {
		t.Errorf("withNotice with a query = %q", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "not declared") {
			t.Errorf("withNotice of an undeclared notice: recover() = %v, want a panic naming it", r)
		}
	}()
	withNotice(paths.Login, noticeMethodAdded)
}
