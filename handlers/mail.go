package handlers

import (
	"context"
	"fmt"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/store"
)

// queueMail renders m in the recipient's language and writes it to the
// outbox through tx, so the mail exists exactly when tx commits. Call
// h.opt.MailNotify after the commit to send it at once.
func (h *Handler) queueMail(ctx context.Context, tx *store.Store, to, lang string, m components.Mail) error {
	if lang == "" {
		lang = "de"
	}
	if m.Data == nil {
		m.Data = map[string]any{}
	}
	if _, ok := m.Data["Contact"]; !ok {
		m.Data["Contact"] = h.opt.Contact
	}
	r, err := components.RenderMail(h.mailContext(ctx, lang), m)
	if err != nil {
		return err
	}
	if err := tx.EnqueueMail(ctx, &store.OutboxMail{To: to, Subject: r.Subject, TextBody: r.Text, HTMLBody: r.HTML}); err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

// mailContext translates into the recipient's language.
func (h *Handler) mailContext(ctx context.Context, lang string) context.Context {
	if lang == "" {
		lang = "de"
	}
	mctx := components.WithLocalizer(ctx, h.opt.Catalog.Localizer(lang))
	page := components.Page{Lang: lang, Contact: h.opt.Contact}
	h.brandPage(&page)
	return components.WithPage(mctx, page)
}
