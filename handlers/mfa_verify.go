package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// errWrongRecoveryCode rolls back the login with an unknown or used code.
var errWrongRecoveryCode = errors.New("mfa: wrong recovery code")

// verifyPage asks for one of the customer's methods: the one named in
// ?method=, else the one used last.
func (h *Handler) verifyPage(c *fiber.Ctx) error {
	view, err := h.verifyView(c, factor.Kind(queryValue(c, components.FieldMethod)))
	if err != nil {
		return err
	}
	view.Notice = noticeOf(c)
	return h.render(c, fiber.StatusOK, components.VerifyPage(view))
}

func (h *Handler) verifyView(c *fiber.Ctx, method factor.Kind) (components.VerifyView, error) {
	user, d := stepUser(c), pendingOf(c)
	kinds, err := h.methodKinds(c.UserContext(), user)
	if err != nil {
		return components.VerifyView{}, err
	}
	if method != factor.Recovery && !slices.Contains(kinds, method) {
		method = kinds[0]
	}
	sent := d.Email != nil && d.Email.Purpose == codeForLogin && h.store.Now().Before(d.Email.Expires) && d.Email.Attempts < emailCodeAttempts
	return components.VerifyView{Actions: verifyActions, Method: method, Methods: kinds, EmailSent: sent, Email: user.Email}, nil
}

// verifyActions are the second-factor step's form and script addresses.
var verifyActions = components.VerifyActions{
	TOTP: paths.MFAVerifyTOTP, Email: paths.MFAVerifyEmail, EmailSend: paths.MFAVerifySend, Recovery: paths.MFAVerifyCode,
	PasskeyBegin: paths.PasskeyVerifyBegin, PasskeyFinish: paths.PasskeyVerifyFinish,
}

// verifyFailed audits a wrong code (verifyBlocked counted it like a wrong
// password) and shows the form again with the message.
func (h *Handler) verifyFailed(c *fiber.Ctx, method factor.Kind, message string) error {
	if err := h.recordMFAFailure(c, method); err != nil {
		return fmt.Errorf("mfa: %w", err)
	}
	view, err := h.verifyView(c, method)
	if err != nil {
		return err
	}
	field := components.FieldCode
	if method == factor.Email && !view.EmailSent {
		field = "" // the code field is gone with the void code: nothing to link to
	}
	view.Errors = components.Errors{{Field: field, Message: message}}
	return h.render(c, fiber.StatusUnprocessableEntity, components.VerifyPage(view))
}

// verifyBlocked counts the attempt and answers 429 while the account or
// address must wait after too many wrong codes.
func (h *Handler) verifyBlocked(c *fiber.Ctx, method factor.Kind) (bool, error) {
	user := stepUser(c)
	wait, err := h.attempt(c.UserContext(), scopeMFAAccount, user.ID.String(), scopeMFAAddress, c.IP())
	if err != nil || wait == 0 {
		return false, err
	}
	view, err := h.verifyView(c, method)
	if err != nil {
		return true, err
	}
	view.Errors = throttled(c, wait)
	return true, h.render(c, fiber.StatusTooManyRequests, components.VerifyPage(view))
}

// verifySucceeded ends the login with a new, authenticated session (see
// passSecondFactor) and sends the customer on.
func (h *Handler) verifySucceeded(c *fiber.Ctx, method factor.Kind) error {
	to, err := h.passSecondFactor(c, method)
	if err != nil {
		return err
	}
	return redirect(c, to)
}

// passSecondFactor ends the login with a new, authenticated session (its
// cookie is set) and returns where the customer goes next.
func (h *Handler) passSecondFactor(c *fiber.Ctx, method factor.Kind) (string, error) {
	user := stepUser(c)
	var raw string
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		var err error
		raw, err = h.factorPassed(c, tx, user, method)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("mfa: complete login: %w", err)
	}
	h.loginCompleted(c, raw, user.ID)
	return h.afterLogin(pendingOf(c).Next), nil
}

// verifyTOTPSubmit checks an authenticator app code.
func (h *Handler) verifyTOTPSubmit(c *fiber.Ctx) error {
	if blocked, err := h.verifyBlocked(c, factor.TOTP); blocked || err != nil {
		return err
	}
	ok, err := h.verifyTOTP(c.UserContext(), h.store, stepUser(c), formValue(c, components.FieldCode))
	if err != nil {
		return err
	}
	if !ok {
		return h.verifyFailed(c, factor.TOTP, "mfa.totp.error.wrong")
	}
	return h.verifySucceeded(c, factor.TOTP)
}

// verifyRecoverySubmit uses up one recovery code in place of a factor.
func (h *Handler) verifyRecoverySubmit(c *fiber.Ctx) error {
	if blocked, err := h.verifyBlocked(c, factor.Recovery); blocked || err != nil {
		return err
	}
	user := stepUser(c)
	var raw string
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		ok, err := h.useRecoveryCode(ctx, tx, user, formValue(c, components.FieldCode))
		if err != nil {
			return err
		}
		if !ok {
			return errWrongRecoveryCode
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventRecoveryUsed, UserID: &user.ID, Email: user.Email, IP: c.IP()}); err != nil {
			return err
		}
		left, err := tx.RecoveryCodesLeft(ctx, user.ID)
		if err != nil {
			return err
		}
		if err := h.deviceNotice(c, tx, user, []string{"mail.security.recovery_used"}, map[string]any{"Left": left}); err != nil {
			return err
		}
		raw, err = h.factorPassed(c, tx, user, factor.Recovery)
		return err
	})
	if errors.Is(err, errWrongRecoveryCode) {
		return h.verifyFailed(c, factor.Recovery, "mfa.recovery.error.wrong")
	}
	if err != nil {
		return fmt.Errorf("mfa: use recovery code: %w", err)
	}
	h.loginCompleted(c, raw, user.ID)
	return redirect(c, components.WithQuery(paths.RecoveryCodeUsed, components.FieldNext, h.afterLogin(pendingOf(c).Next)))
}

// verifyEmailSendSubmit sends a login code by e-mail (with a cool-down).
func (h *Handler) verifyEmailSendSubmit(c *fiber.Ctx) error {
	sent, err := h.sendEmailCode(c, codeForLogin)
	if err != nil {
		return err
	}
	return redirect(c, withNotice(components.WithQuery(paths.MFAVerify, components.FieldMethod, string(factor.Email)), resendNotice(sent)))
}

// verifyEmailSubmit checks the code from the e-mail.
func (h *Handler) verifyEmailSubmit(c *fiber.Ctx) error {
	if blocked, err := h.verifyBlocked(c, factor.Email); blocked || err != nil {
		return err
	}
	problem, err := h.checkEmailCode(c, codeForLogin, formValue(c, components.FieldCode))
	if err != nil {
		return err
	}
	if problem != "" {
		return h.verifyFailed(c, factor.Email, problem)
	}
	return h.verifySucceeded(c, factor.Email)
}
