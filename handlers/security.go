package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/policy"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// securityPage lists the customer's second factors.
func (h *Handler) securityPage(c *fiber.Ctx) error {
	return h.renderSecurity(c, fiber.StatusOK, noticeOf(c), nil)
}

func (h *Handler) renderSecurity(c *fiber.Ctx, status int, notice string, errs components.Errors) error {
	view, err := h.securityView(c)
	if err != nil {
		return err
	}
	view.Notice, view.Errors = notice, errs
	return h.render(c, status, components.SecurityPage(view))
}

// securityView is the security page with the customer's methods and an
// empty password form.
func (h *Handler) securityView(c *fiber.Ctx) (components.SecurityView, error) {
	ctx, user := c.UserContext(), currentUser(c)
	methods, err := h.store.MethodsOf(ctx, user.ID)
	if err != nil {
		return components.SecurityView{}, fmt.Errorf("security: methods: %w", err)
	}
	left, err := h.store.RecoveryCodesLeft(ctx, user.ID)
	if err != nil {
		return components.SecurityView{}, fmt.Errorf("security: codes: %w", err)
	}
	view := components.SecurityView{CodesLeft: left, Password: passwordChangeView(user.Email, policy.Check("", "", user.Email), false, false)}
	for _, m := range methods {
		item := components.MethodItem{ID: m.ID.String(), Kind: m.Kind, Name: m.Name, Added: h.clock(ctx, m.CreatedAt)}
		if m.LastUsedAt != nil {
			item.LastUsed = h.clock(ctx, *m.LastUsedAt)
		}
		view.Methods = append(view.Methods, item)
	}
	return view, nil
}

// removeMethod removes a second factor, never the last one.
func (h *Handler) removeMethod(c *fiber.Ctx, pc pendingChange) error {
	user := currentUser(c)
	id, err := uuid.Parse(pc.ID)
	if err != nil {
		return fiber.ErrNotFound
	}
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		m, err := tx.MethodByID(ctx, user.ID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteMethod(ctx, user.ID, id); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventMFARemoved, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "method=" + string(m.Kind)}); err != nil {
			return err
		}
		return h.securityNotice(ctx, tx, user, "mail.security.method_removed", m.Kind)
	})
	switch {
	case errors.Is(err, store.ErrLastMethod):
		return h.renderSecurity(c, fiber.StatusUnprocessableEntity, "", components.Errors{{Message: "security.error.last_method", Uncorrectable: true}})
	case errors.Is(err, store.ErrNotFound):
		return fiber.ErrNotFound
	case err != nil:
		return fmt.Errorf("security: remove: %w", err)
	}
	h.opt.MailNotify()
	return redirect(c, withNotice(paths.Security, noticeMethodRemoved))
}

// renameMethod names a passkey.
func (h *Handler) renameMethod(c *fiber.Ctx, pc pendingChange) error {
	user := currentUser(c)
	id, err := uuid.Parse(pc.ID)
	if err != nil {
		return fiber.ErrNotFound
	}
	name, problem := passkeyName(pc.Name)
	if problem != "" {
		return h.renderSecurity(c, fiber.StatusUnprocessableEntity, "", components.Errors{{Field: components.FieldName.Of(id.String()), Message: "security.error.name"}})
	}
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		m, err := tx.MethodByID(ctx, user.ID, id)
		if err != nil {
			return err
		}
		if m.Kind != factor.WebAuthn {
			return store.ErrNotFound // only passkeys have names
		}
		if err := tx.RenameMethod(ctx, user.ID, id, name); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventMFARenamed, UserID: &user.ID, Email: user.Email, IP: c.IP()}); err != nil {
			return err
		}
		return h.securityNotice(ctx, tx, user, "mail.security.method_renamed", factor.WebAuthn)
	})
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("security: rename: %w", err)
	}
	h.opt.MailNotify()
	return redirect(c, withNotice(paths.Security, noticeMethodRenamed))
}

// renewCodes makes a new set of recovery codes (voiding the old) and
// shows it once.
func (h *Handler) renewCodes(c *fiber.Ctx, _ pendingChange) error {
	user := currentUser(c)
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		sealed, err := h.newRecoveryCodes(ctx, tx, user)
		if err != nil {
			return err
		}
		p := pendingOf(c)
		p.Codes, p.Next = sealed, paths.Security
		if err := h.savePending(ctx, tx, c); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventCodesRenewed, UserID: &user.ID, Email: user.Email, IP: c.IP()}); err != nil {
			return err
		}
		return h.securityNotice(ctx, tx, user, "mail.security.codes_renewed", "")
	})
	if err != nil {
		return fmt.Errorf("security: renew codes: %w", err)
	}
	h.opt.MailNotify()
	return redirect(c, paths.RecoveryCodes)
}
