package handlers

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/store"
)

// devMailPage lists the mails of the outbox (only with --dev, where the
// outbox keeps mail bodies and no SMTP server is needed).
func (h *Handler) devMailPage(c *fiber.Ctx) error {
	mails, err := h.store.RecentMail(c.UserContext(), 100)
	if err != nil {
		return fmt.Errorf("dev mail: list: %w", err)
	}
	items := make([]components.DevMailItem, 0, len(mails))
	for _, m := range mails {
		items = append(items, devMailItem(m))
	}
	return h.render(c, fiber.StatusOK, components.DevMailPage(items))
}

// devMailOnePage shows one mail with clickable links.
func (h *Handler) devMailOnePage(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return fiber.ErrNotFound
	}
	m, err := h.store.MailByID(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("dev mail: load: %w", err)
	}
	return h.render(c, fiber.StatusOK, components.DevMailOnePage(devMailItem(*m)))
}

func devMailItem(m store.OutboxMail) components.DevMailItem {
	status := "dev_mail.status.pending"
	if m.SentAt != nil {
		status = "dev_mail.status.sent"
	}
	return components.DevMailItem{
		ID:      m.ID.String(),
		To:      m.To,
		Subject: m.Subject,
		Created: m.CreatedAt.Local().Format("2006-01-02 15:04:05"),
		Status:  status,
		Text:    linkify(m.TextBody),
	}
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify splits text into plain parts and links.
func linkify(text string) []components.TextPart {
	var parts []components.TextPart
	last := 0
	for _, loc := range linkPattern.FindAllStringIndex(text, -1) {
		if loc[0] > last {
			parts = append(parts, components.TextPart{Text: text[last:loc[0]]})
		}
		parts = append(parts, components.TextPart{Text: text[loc[0]:loc[1]], Link: true})
		last = loc[1]
	}
	if last < len(text) {
		parts = append(parts, components.TextPart{Text: text[last:]})
	}
	return parts
}
