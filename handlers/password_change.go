package handlers

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/policy"
	"github.com/hwk/kundenportal/store"
)

const eventPasswordChanged = "password.changed"

// passwordChangeView is the form "Passwort ändern" on the security page.
func passwordChangeView(email string, result policy.Result, typed, confirmTyped bool) components.SetPasswordView {
	v := passwordView("", email, result, typed, confirmTyped)
	v.Title, v.Intro = "password_change.title", "password_change.intro"
	v.Action, v.Submit, v.Current = paths.PasswordChange, "password_change.submit", true
	return v
}

// passwordChangeSubmit checks the current password (regulated like a
// login) and the new one against the policy, then sets it, ends the
// account's other sessions and mails a notice, in one transaction.
func (h *Handler) passwordChangeSubmit(c *fiber.Ctx) error {
	ctx, user, sess := c.UserContext(), currentUser(c), currentSession(c)
	current := formValue(c, components.FieldCurrentPassword)
	pw, confirm := formValue(c, components.FieldNewPassword), formValue(c, components.FieldConfirm)
	result := policy.Check(pw, confirm, user.Email)
	view := passwordChangeView(user.Email, result, true, true)
	if current == "" {
		view.Errors = append(view.Errors, components.FieldError{Field: components.FieldCurrentPassword, Message: "password_change.error.current_missing"})
	}
	if !result.OK() {
		view.Errors = append(view.Errors, passwordErrors(result, pw == "")...)
	}
	if len(view.Errors) > 0 {
		return h.renderPasswordChange(c, fiber.StatusUnprocessableEntity, view)
	}
	// The current password is checked like a login: the attempt is
	// counted first and taken back when it was right.
	errs, status, err := h.confirmCurrentPassword(c, user, current, "password change")
	if err != nil {
		return err
	}
	if errs != nil {
		view.Errors = errs
		return h.renderPasswordChange(c, status, view)
	}
	hash, err := h.opt.Hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("password change: hash: %w", err)
	}
	err = h.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := h.passwordSucceeded(c, tx, user); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, user.ID, hash); err != nil {
			return err
		}
		if _, err := tx.RevokeOIDCTokensOfOtherSessions(ctx, user.ID, sess.ID); err != nil { // OIDC tokens of those sessions
			return err
		}
		if _, err := tx.DeleteUserSessionsExcept(ctx, user.ID, sess.ID); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventPasswordChanged, UserID: &user.ID, Email: user.Email, IP: c.IP()}); err != nil {
			return err
		}
		return h.passwordNotice(c, tx, user, "mail.security.password_changed")
	})
	if err != nil {
		return fmt.Errorf("password change: %w", err)
	}
	h.opt.MailNotify()
	return redirect(c, withNotice(paths.Security, noticePasswordChanged))
}

// renderPasswordChange answers the security page with the password form
// as it was sent (never with the passwords), or only the form for htmx.
func (h *Handler) renderPasswordChange(c *fiber.Ctx, status int, form components.SetPasswordView) error {
	view, err := h.securityView(c)
	if err != nil {
		return err
	}
	view.Password = form
	return h.render(c, status, components.SecurityPage(view), "password-form")
}
