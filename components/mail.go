package components

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// Mail is the content of one e-mail, as message ids. Every message is
// filled from Data. The same view builds the text part and the HTML part,
// and every mail the portal sends has this one layout: greeting,
// paragraphs, a code or a button, further paragraphs, the signature and
// the footer with the chamber's name, postal address, imprint and the
// portal's address.
type Mail struct {
	Subject    string   // message id
	Paragraphs []string // message ids, in order
	// Code is a one-time code, shown large and spaced on a line of its
	// own after Paragraphs; empty for none.
	Code      string
	Action    string   // message id of the button label; empty for no button
	ActionURL string   // the button's link, also written out in full
	After     []string // message ids of paragraphs below the button
	// Links are addresses written out on a line of their own below the
	// paragraph with that message id (never inside a sentence, where
	// punctuation after them breaks them in mail programs).
	Links map[string]string
	Data  map[string]any
}

// RenderedMail is a mail ready for the outbox.
type RenderedMail struct {
	Subject, Text, HTML string
}

// RenderMail translates m with the localizer in ctx (the recipient's
// language) into subject, text part and HTML part. The footer takes the
// chamber's identity and the portal's address from the page in ctx.
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
// every link and the code on a line of their own.
func mailText(ctx context.Context, m Mail) string {
	var b strings.Builder
	para := func(s string) {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	paras := func(ids []string) {
		for _, p := range ids {
			if url := m.Links[p]; url != "" {
				para(T(ctx, p, m.Data) + "\n" + url)
				continue
			}
			para(T(ctx, p, m.Data))
		}
	}
	para(T(ctx, "mail.greeting", m.Data))
	paras(m.Paragraphs)
	if m.Code != "" {
		para(m.Code)
	}
	if m.Action != "" {
		para(T(ctx, m.Action, m.Data) + ":\n" + m.ActionURL)
	}
	paras(m.After)
	para(T(ctx, "mail.signature", mailBrandData(ctx, m.Data)))
	b.WriteString("-- \n")
	for _, block := range mailFooter(ctx, m.Data) {
		b.WriteString(strings.Join(block.lines(), "\n"))
		b.WriteString("\n\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// footerBlock is one paragraph of the footer: text lines, then an
// optional link on a line of its own.
type footerBlock struct {
	Lines []string
	URL   string // written out; mailto: for an e-mail address
	Label string // the link's text when it differs from URL
}

func (f footerBlock) lines() []string {
	if f.URL == "" {
		return f.Lines
	}
	return append(append([]string{}, f.Lines...), f.text())
}

// text is how the link is written out.
func (f footerBlock) text() string {
	if f.Label != "" {
		return f.Label
	}
	return f.URL
}

// mailBrandData adds the organisation's name to data, for the signature.
func mailBrandData(ctx context.Context, data map[string]any) map[string]any {
	d := map[string]any{"OrgName": PageOf(ctx).OrgName}
	for k, v := range data {
		d[k] = v
	}
	return d
}

// mailFooter is the footer of every mail: who sends it (name and postal
// address), where the portal is, the imprint, and the automatic-mail note
// with the contact address.
func mailFooter(ctx context.Context, data map[string]any) []footerBlock {
	p := PageOf(ctx)
	sender := footerBlock{}
	for _, l := range []string{p.OrgName, p.OrgAddress} {
		if l != "" {
			sender.Lines = append(sender.Lines, l)
		}
	}
	var blocks []footerBlock
	if len(sender.Lines) > 0 {
		blocks = append(blocks, sender)
	}
	if p.PortalURL != "" {
		blocks = append(blocks, footerBlock{Lines: []string{T(ctx, "mail.footer.portal", data)}, URL: p.PortalURL})
	}
	if p.ImprintURL != "" {
		blocks = append(blocks, footerBlock{Lines: []string{T(ctx, "mail.footer.imprint", data)}, URL: p.ImprintURL})
	}
	note := footerBlock{Lines: []string{T(ctx, "mail.footer.automatic", data)}}
	if contact := p.Contact; contact != "" {
		note.Lines = append(note.Lines, T(ctx, "mail.footer.contact", data))
		note.URL, note.Label = "mailto:"+contact, contact
	}
	return append(blocks, note)
}

// mailLines splits a message with line breaks (the signature) into its
// lines, for <br/> in the HTML part.
func mailLines(s string) []string { return strings.Split(s, "\n") }
