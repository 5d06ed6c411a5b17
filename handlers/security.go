package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/policy"
	"github.com/hwk/kundenportal/store"
)

const eventReauth = "reauth.ok"

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
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventMFARemoved, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "method=" + m.Kind}); err != nil {
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
	return redirect(c, withNotice(PathSecurity, noticeMethodRemoved))
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
		return h.renderSecurity(c, fiber.StatusUnprocessableEntity, "", components.Errors{{Field: "name-" + id.String(), Message: "security.error.name"}})
	}
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		m, err := tx.MethodByID(ctx, user.ID, id)
		if err != nil {
			return err
		}
		if m.Kind != store.MethodWebAuthn {
			return store.ErrNotFound // only passkeys have names
		}
		if err := tx.RenameMethod(ctx, user.ID, id, name); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventMFARenamed, UserID: &user.ID, Email: user.Email, IP: c.IP()}); err != nil {
			return err
		}
		return h.securityNotice(ctx, tx, user, "mail.security.method_renamed", store.MethodWebAuthn)
	})
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("security: rename: %w", err)
	}
	h.opt.MailNotify()
	return redirect(c, withNotice(PathSecurity, noticeMethodRenamed))
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
		p.Codes, p.Next = sealed, PathSecurity
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
	return redirect(c, PathRecoveryCodes)
}

// reauthPage asks for the password before a change to the security.
func (h *Handler) reauthPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.ReauthPage(components.ReauthView{
		Next: nextParam(c.Query("next")), Email: currentUser(c).Email, Change: c.Query("change") == "1",
	}))
}

// reauthSubmit checks the password (regulated like a login) and marks the
// session fresh for changes. A change that waited for this confirmation
// is carried out at once.
func (h *Handler) reauthSubmit(c *fiber.Ctx) error {
	ctx, user := c.UserContext(), currentUser(c)
	view := components.ReauthView{Next: nextParam(c.FormValue("next")), Email: user.Email, Change: c.FormValue("change") == "1"}
	wait, err := h.passwordAttempt(c, user, store.NormalizeEmail(user.Email))
	if err != nil {
		return err
	}
	if wait > 0 {
		view.Errors = throttled(c, wait)
		return h.render(c, fiber.StatusTooManyRequests, components.ReauthPage(view))
	}
	ok, err := h.checkPassword(ctx, user, c.FormValue(components.FieldPassword))
	if err != nil {
		return err
	}
	var pc pendingChange
	var carryOut changeFunc
	err = h.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if !ok {
			return nil // the attempt was counted before the check
		}
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
	if !ok {
		view.Errors = components.Errors{{Field: components.FieldPassword, Message: "reauth.error.wrong"}}
		return h.render(c, fiber.StatusUnprocessableEntity, components.ReauthPage(view))
	}
	if carryOut != nil {
		return carryOut(c, pc)
	}
	next := view.Next
	if next == "" {
		next = PathSecurity
	}
	return redirect(c, next)
}
