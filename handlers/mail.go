package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/store"
)

// queueMail renders m in the recipient's language and writes it to the
// outbox through tx, so the mail exists exactly when tx commits. Call
// h.opt.MailNotify after the commit to send it at once.
func (h *Handler) queueMail(ctx context.Context, tx *store.Store, to, lang string, m components.Mail) error {
	return h.queueSecretMail(ctx, tx, to, lang, m, time.Time{})
}

// queueSecretMail queues a mail that carries a one-time link or code
// valid until the given time: then its body is erased from the outbox,
// sent or not (a mail not sent by then is given up).
func (h *Handler) queueSecretMail(ctx context.Context, tx *store.Store, to, lang string, m components.Mail, until time.Time) error {
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
	if err := tx.EnqueueMail(ctx, &store.OutboxMail{To: to, Subject: r.Subject, TextBody: r.Text, HTMLBody: r.HTML, SecretExpiresAt: until}); err != nil {
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
	page := components.Page{Lang: lang, Contact: h.opt.Contact, PortalURL: h.opt.BaseURL + "/"}
	h.brandPage(&page)
	page.OrgAddress = h.opt.Brand.OrgAddress
	return components.WithPage(mctx, page)
}
