package components

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// Mail is the content of one e-mail, as message ids. Every message is
// filled from Data. The same view builds the text part and the HTML part.
type Mail struct {
	Subject    string   // message id
	Paragraphs []string // message ids, in order
	Action     string   // message id of the button label; empty for no button
	ActionURL  string   // the button's link, also written out in full
	After      []string // message ids of paragraphs below the button
	Data       map[string]any
}

// RenderedMail is a mail ready for the outbox.
type RenderedMail struct {
	Subject, Text, HTML string
}

// RenderMail translates m with the localizer in ctx (the recipient's
// language) into subject, text part and HTML part.
func RenderMail(ctx context.Context, m Mail) (RenderedMail, error) {
	var html bytes.Buffer
	if err := mailHTML(m).Render(ctx, &html); err != nil {
		return RenderedMail{}, fmt.Errorf("components: render mail: %w", err)
	}
	return RenderedMail{
		Subject: T(ctx, m.Subject, m.Data),
		Text:    mailText(ctx, m),
		HTML:    html.String(),
	}, nil
}

// mailText is the plain-text part: paragraphs separated by blank lines,
// the link on a line of its own.
func mailText(ctx context.Context, m Mail) string {
	var b strings.Builder
	b.WriteString(T(ctx, "mail.greeting", m.Data))
	b.WriteString("\n\n")
	for _, p := range m.Paragraphs {
		b.WriteString(T(ctx, p, m.Data))
		b.WriteString("\n\n")
	}
	if m.Action != "" {
		b.WriteString(T(ctx, m.Action, m.Data))
		b.WriteString(":\n")
		b.WriteString(m.ActionURL)
		b.WriteString("\n\n")
	}
	for _, p := range m.After {
		b.WriteString(T(ctx, p, m.Data))
		b.WriteString("\n\n")
	}
	b.WriteString(T(ctx, "mail.signature", m.Data))
	b.WriteString("\n\n-- \n")
	b.WriteString(T(ctx, "mail.footer", m.Data))
	b.WriteString("\n")
	return b.String()
}
