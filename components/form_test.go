package components_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/hwk/kundenportal/components"
)

// The tests below borrow existing messages as labels and errors: what
// matters here is the markup around them, not the wording.
var (
	emailInput = components.Input{
		Name: "email", Type: "email", Label: "help.contact.address", Hint: "help.intro",
		Value: "kunde@example.org", Autocomplete: "username", Required: true,
	}
	passwordInput = components.Input{
		Name: "password", Type: "password", Label: "help.policy.title", Autocomplete: "current-password",
	}
)

func TestFieldWithErrorIsInvalidAndDescribedByTheError(t *testing.T) {
	in := emailInput
	in.Error = "error.404.body"
	doc := renderDoc(t, "de", components.FormField(in))

	input := doc.Find("input#email")
	if input.Length() != 1 {
		t.Fatalf("no input with id email")
	}
	if got := input.AttrOr("aria-invalid", ""); got != "true" {
		t.Errorf("aria-invalid = %q, want \"true\"", got)
	}
	described := strings.Fields(input.AttrOr("aria-describedby", ""))
	if len(described) == 0 {
		t.Fatalf("input has no aria-describedby")
	}
	for _, id := range described {
		if doc.Find(`[id="`+id+`"]`).Length() != 1 {
			t.Errorf("aria-describedby names %q, but no element has that id", id)
		}
	}
	if described[0] != "email-error" {
		t.Errorf("aria-describedby = %v, want the error (email-error) first", described)
	}
	errText := squash(doc.Find("#email-error").Text())
	if want := "Fehler: Diese Seite gibt es nicht. Vielleicht ist der Link veraltet oder die Adresse nicht ganz richtig geschrieben."; errText != want {
		t.Errorf("error text = %q, want %q", errText, want)
	}
	if !doc.Find(".field").HasClass("field--error") {
		t.Errorf("field wrapper lacks the field--error class")
	}
	if got := doc.Find("label").AttrOr("for", ""); got != "email" {
		t.Errorf("label for = %q, want \"email\"", got)
	}
	if got := input.AttrOr("value", ""); got != "kunde@example.org" {
		t.Errorf("value = %q, want what the customer typed", got)
	}
	assertNoRawIDs(t, doc)
}

func TestFieldWithoutErrorIsNotInvalid(t *testing.T) {
	doc := renderDoc(t, "de", components.FormField(emailInput))
	input := doc.Find("input#email")
	if _, ok := input.Attr("aria-invalid"); ok {
		t.Errorf("aria-invalid set on a field without error")
	}
	if got := input.AttrOr("aria-describedby", ""); got != "email-hint" {
		t.Errorf("aria-describedby = %q, want only the hint", got)
	}
	if doc.Find(".field-error").Length() != 0 {
		t.Errorf("error element rendered without error")
	}
}

func TestErrorSummaryLinksToTheFields(t *testing.T) {
	errs := components.Errors{
		{Field: "email", Message: "error.404.title"},
		{Field: "password", Message: "error.429.title"},
	}
	email, password := emailInput, passwordInput
	email.Error, password.Error = errs[0].Message, errs[1].Message
	form := templ.Join(components.ErrorSummary(errs), components.FormField(email), components.FormField(password))

	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			doc := renderDoc(t, lang, form)
			links := doc.Find("#error-summary a")
			if links.Length() != len(errs) {
				t.Fatalf("summary has %d links, want %d", links.Length(), len(errs))
			}
			links.Each(func(i int, a *goquery.Selection) {
				href := a.AttrOr("href", "")
				if href != "#"+string(errs[i].Field) {
					t.Errorf("link %d points at %q, want #%s", i, href, errs[i].Field)
				}
				if doc.Find("input"+href).Length() != 1 {
					t.Errorf("link %q has no input with that id", href)
				}
			})
			if doc.Find("#error-summary h2").Length() != 1 {
				t.Errorf("summary has no heading")
			}
			assertNoRawIDs(t, doc)
		})
	}
}

func TestErrorSummaryWithoutErrorsRendersNothing(t *testing.T) {
	doc := renderDoc(t, "de", components.ErrorSummary(nil))
	if doc.Find("#error-summary").Length() != 0 {
		t.Errorf("summary rendered without errors")
	}
}

// TestErrorSummaryAsksToCorrectOnlyWhatCanBeCorrected: "Bitte korrigieren
// Sie Folgendes" heads a summary with something to correct; a summary of
// only a wait or a refused step is headed "Bitte beachten Sie".
func TestErrorSummaryAsksToCorrectOnlyWhatCanBeCorrected(t *testing.T) {
	for _, c := range []struct {
		name string
		errs components.Errors
		want string
	}{
		{"a field to correct", components.Errors{{Field: "email", Message: "email.error.missing"}}, "Bitte korrigieren Sie Folgendes:"},
		{"wrong login, to retype", components.Errors{{Message: "login.error.invalid"}}, "Bitte korrigieren Sie Folgendes:"},
		{"a wait only", components.Errors{{Message: "login.error.throttled", Data: map[string]any{"Count": 5}, Uncorrectable: true}}, "Bitte beachten Sie:"},
	} {
		doc := renderDoc(t, "de", components.ErrorSummary(c.errs))
		if got := strings.TrimSpace(doc.Find("#error-summary-title").Text()); got != c.want {
			t.Errorf("%s: summary title = %q, want %q", c.name, got, c.want)
		}
	}
}
