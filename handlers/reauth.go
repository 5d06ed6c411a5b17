package handlers

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// eventReauth is the audit event of a confirmed password.
const eventReauth = "reauth.ok"

// reauthPage asks for the password before a change to the security.
func (h *Handler) reauthPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.ReauthPage(components.ReauthView{
		Next: nextParam(queryValue(c, components.FieldNext)), Email: currentUser(c).Email, Change: queryValue(c, components.FieldChange) == "1",
	}))
}

// reauthSubmit checks the password (regulated like a login) and marks the
// session fresh for changes. A change that waited for this confirmation
// is carried out at once.
func (h *Handler) reauthSubmit(c *fiber.Ctx) error {
	ctx, user := c.UserContext(), currentUser(c)
	view := components.ReauthView{Next: nextParam(formValue(c, components.FieldNext)), Email: user.Email, Change: formValue(c, components.FieldChange) == "1"}
	wait, ok, err := h.checkCurrentPassword(c, user, formValue(c, components.FieldPassword), "reauth")
	if err != nil {
		return fmt.Errorf("reauth: %w", err)
	}
	if wait > 0 {
		view.Errors = throttled(c, wait)
		return h.render(c, fiber.StatusTooManyRequests, components.ReauthPage(view))
	}
	if !ok {
		view.Errors = components.Errors{{Field: components.FieldPassword, Message: "reauth.error.wrong"}}
		return h.render(c, fiber.StatusUnprocessableEntity, components.ReauthPage(view))
	}
	var pc pendingChange
	var carryOut changeFunc
	err = h.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := h.passwordSucceeded(c, tx, user); err != nil {
			return err
		}
		var err error
		if pc, carryOut, err = h.reauthenticated(c, tx, view.Change); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: eventReauth, UserID: &user.ID, Email: user.Email, IP: c.IP()})
	})
	if err != nil {
		return fmt.Errorf("reauth: %w", err)
	}
	if carryOut != nil {
		return carryOut(c, pc)
	}
	next := view.Next
	if next == "" {
		next = paths.Security
	}
	return redirect(c, next)
}
