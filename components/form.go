package components

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/hwk/kundenportal/handlers/paths"
)

// Field is the name of a form field or query parameter. The components
// name their inputs with these constants and the handlers read the request
// with the same ones, so a field and the errors keyed by it cannot drift
// apart.
type Field string

// Fields that several forms and links carry.
const (
	FieldCSRF   Field = "_csrf"  // the CSRF token of every form
	FieldNext   Field = "next"   // the local page to go to afterwards
	FieldToken  Field = "token"  // the token of a mailed link
	FieldID     Field = "id"     // the item a step acts on (a method, an authorization request)
	FieldChange Field = "change" // "1": the password confirmation is for a change
	FieldNotice Field = "notice" // the notice a page shows once
	FieldPrint  Field = "print"  // "1": the print view of the recovery codes
)

// Of is the field f of the item id, for a page with one such field per
// item (its name stays f; this is its id and the key of its errors).
func (f Field) Of(id string) Field { return f + "-" + Field(id) }

// FieldError ties an error message to a form field.
type FieldError struct {
	Field   Field          // the field's name, which is also its id; "" for the whole form
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
func (e Errors) For(field Field) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

// Input describes one labelled form field.
type Input struct {
	Name         Field  // also the element id unless ID is set
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

// FormField renders a labelled input with its hint and error. An empty
// field (no value, no error, nothing but constants and texts) is kept per
// language, as most fields of a page being opened are.
func FormField(in Input) templ.Component {
	if key, ok := in.emptyKey(); ok {
		return perLanguage{name: "field", arg: key, html: formField(in)}
	}
	return formField(in)
}

// emptyKey joins what an empty field shows besides texts; false for a
// field with a value, an error, extra attributes or descriptions, or an
// id of its own (which may name a record).
func (in Input) emptyKey() (string, bool) {
	if in.Value != "" || in.Error != "" || in.Attrs != nil || in.Describe != nil || in.ID != "" {
		return "", false
	}
	return strings.Join([]string{string(in.Name), in.Type, in.Label, in.Hint, in.Autocomplete, strconv.FormatBool(in.Required)}, "\x00"), true
}

func (in Input) id() string {
	if in.ID != "" {
		return in.ID
	}
	return string(in.Name)
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
		path = paths.Home
	}
	return withQuery(paths.LangOf(lang), FieldNext, path)
}

// WithQuery is target (a path, perhaps with a query already) with the
// query parameter f set to value: the one way the components and the
// handlers build a link that carries a field.
func WithQuery(target string, f Field, value string) string {
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	return target + sep + string(f) + "=" + url.QueryEscape(value)
}

// withQuery is WithQuery as a link of a template.
func withQuery(target string, f Field, value string) templ.SafeURL {
	return templ.SafeURL(WithQuery(target, f, value))
}

// csrfHeaders is the JSON of the headers htmx sends with every request:
// the CSRF token. It is the JSON of a one-entry map, made without one.
func csrfHeaders(token string) string {
	quoted, _ := json.Marshal(token) // a string always marshals
	return `{"X-Csrf-Token":` + string(quoted) + `}`
}
