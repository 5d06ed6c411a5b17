package components

import (
	"encoding/json"
	"net/url"

	"github.com/a-h/templ"
)

// FieldError ties an error message to a form field.
type FieldError struct {
	Field   string         // the field's name, which is also its id; "" for the whole form
	Message string         // message id
	Data    map[string]any // placeholders of the message, optional
	// Uncorrectable marks what the customer cannot correct in the form
	// (a wait after too many attempts, a refused step): a summary of
	// only such errors is not headed "Bitte korrigieren Sie Folgendes".
	Uncorrectable bool
}

// summaryTitle is the heading of the error summary: "Bitte korrigieren
// Sie Folgendes" when there is something to correct, else "Bitte
// beachten Sie".
func (e Errors) summaryTitle() string {
	for _, fe := range e {
		if !fe.Uncorrectable {
			return "form.error_summary.title"
		}
	}
	return "form.error_summary.title_notice"
}

// Errors are a form's errors in the order of the fields.
type Errors []FieldError

// For returns the message id of the first error for field, or "".
func (e Errors) For(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

// Input describes one labelled form field.
type Input struct {
	Name         string // field constant; also the element id unless ID is set
	ID           string // element id when one page has several fields of one name
	Type         string // "text" when empty
	Label        string // message id
	Hint         string // message id, optional
	Value        string // what the customer typed (never a password)
	Autocomplete string
	Required     bool
	Error        string           // message id, optional
	Attrs        templ.Attributes // extra attributes such as hx-*
	Describe     []string         // ids of further elements that describe the field
}

func (in Input) id() string {
	if in.ID != "" {
		return in.ID
	}
	return in.Name
}

func (in Input) inputType() string {
	if in.Type == "" {
		return "text"
	}
	return in.Type
}

// describedBy lists the ids of hint, error and other describing elements.
func (in Input) describedBy() string {
	ids := ""
	add := func(id string) {
		if ids != "" {
			ids += " "
		}
		ids += id
	}
	if in.Error != "" {
		add(in.id() + "-error")
	}
	if in.Hint != "" {
		add(in.id() + "-hint")
	}
	for _, id := range in.Describe {
		add(id)
	}
	return ids
}

// langURL is the language switch link for lang that returns to path.
func langURL(lang, path string) templ.SafeURL {
	if path == "" {
		path = "/"
	}
	return templ.SafeURL("/lang/" + lang + "?next=" + url.QueryEscape(path))
}

// csrfHeaders is the JSON of the headers htmx sends with every request:
// the CSRF token. It is the JSON of a one-entry map, made without one.
func csrfHeaders(token string) string {
	quoted, _ := json.Marshal(token) // a string always marshals
	return `{"X-Csrf-Token":` + string(quoted) + `}`
}
