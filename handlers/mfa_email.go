package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/codes"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// E-mail codes: six digits, valid emailCodeTTL, emailCodeAttempts tries,
// a new one at most every emailResendWait.
const (
	emailCodeTTL      = 10 * time.Minute
	emailCodeAttempts = 5
	emailResendWait   = 60 * time.Second
)

// Purposes of an e-mail code.
const (
	codeForSetup = "setup"
	codeForLogin = "login"
)

// sendEmailCode makes a new code, keeps its keyed hash in the session and
// queues the mail, all in one transaction. It refuses (false) while the
// last code is younger than emailResendWait.
func (h *Handler) sendEmailCode(c *fiber.Ctx, purpose string) (bool, error) {
	return h.sendEmailCodeTo(c, stepUser(c), purpose)
}

// sendEmailCodeTo is sendEmailCode for a given customer.
func (h *Handler) sendEmailCodeTo(c *fiber.Ctx, user *store.User, purpose string) (bool, error) {
	d := pendingOf(c)
	now := h.store.Now()
	if d.Email != nil && d.Email.Purpose == purpose && now.Sub(d.Email.SentAt) < emailResendWait {
		return false, nil
	}
	code, err := codes.Numeric(6)
	if err != nil {
		return false, err
	}
	nonce := uuid.NewString()
	d.Email = &pendingEmail{
		Hash: h.codes.Hash("email", nonce, code), Nonce: nonce, Purpose: purpose,
		Expires: now.Add(emailCodeTTL), SentAt: now,
	}
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := h.savePending(ctx, tx, c); err != nil {
			return err
		}
		return h.queueSecretMail(ctx, tx, user.Email, user.Lang, components.Mail{
			Subject: "mail.code.subject", Paragraphs: []string{"mail.code.body"}, Code: code,
			After: []string{"mail.code.expiry", "mail.code.never_ask"},
			Data:  map[string]any{"Name": user.Name, "Minutes": int(emailCodeTTL.Minutes())},
		}, d.Email.Expires)
	})
	if err != nil {
		return false, fmt.Errorf("mfa: send email code: %w", err)
	}
	h.opt.MailNotify()
	return true, nil
}

// checkEmailCode compares the typed code with the pending one. A wrong
// code counts an attempt; after emailCodeAttempts the code is void. It
// returns the message id of the problem, or "" when the code is right
// (the pending code is then used up).
func (h *Handler) checkEmailCode(c *fiber.Ctx, purpose, typed string) (string, error) {
	ctx, d := c.UserContext(), pendingOf(c)
	p := d.Email
	if p == nil || p.Purpose != purpose || p.Attempts >= emailCodeAttempts {
		return "mfa.email.error.none", nil
	}
	if !h.store.Now().Before(p.Expires) {
		return "mfa.email.error.expired", nil
	}
	typed = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, typed)
	if codes.Equal(h.codes.Hash("email", p.Nonce, typed), p.Hash) { // pending codes expire in minutes: no legacy hash
		d.Email = nil
		return "", h.savePending(ctx, h.store, c)
	}
	p.Attempts++
	if err := h.savePending(ctx, h.store, c); err != nil {
		return "", err
	}
	if p.Attempts >= emailCodeAttempts {
		return "mfa.email.error.used_up", nil
	}
	return "mfa.email.error.wrong", nil
}

// startEmailSetup sends the first code of the e-mail method.
func (h *Handler) startEmailSetup(c *fiber.Ctx) error {
	if _, err := h.sendEmailCode(c, codeForSetup); err != nil {
		return err
	}
	return redirect(c, paths.MFAEmail)
}

// emailSetupPage asks for the code that was sent.
func (h *Handler) emailSetupPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.EmailSetupPage(components.EmailSetupView{Action: paths.MFAEmail, Resend: paths.MFAEmailResend,
		Email: stepUser(c).Email, Notice: noticeOf(c), FirstTime: firstSetup(c),
	}))
}

// emailSetupSubmit confirms the e-mail method by its code.
func (h *Handler) emailSetupSubmit(c *fiber.Ctx) error {
	user := stepUser(c)
	problem, err := h.checkEmailCode(c, codeForSetup, formValue(c, components.FieldCode))
	if err != nil {
		return err
	}
	if problem != "" {
		return h.render(c, fiber.StatusUnprocessableEntity, components.EmailSetupPage(components.EmailSetupView{Action: paths.MFAEmail, Resend: paths.MFAEmailResend,
			Email: user.Email, FirstTime: firstSetup(c), Errors: components.Errors{{Field: components.FieldCode, Message: problem}},
		}))
	}
	return h.methodAdded(c, user, &store.MFAMethod{UserID: user.ID, Kind: factor.Email})
}

// emailResendSubmit sends a new setup code, after the cool-down.
func (h *Handler) emailResendSubmit(c *fiber.Ctx) error {
	sent, err := h.sendEmailCode(c, codeForSetup)
	if err != nil {
		return err
	}
	return redirect(c, withNotice(paths.MFAEmail, resendNotice(sent)))
}

// resendNotice says whether a new code went out or the customer must wait.
func resendNotice(sent bool) notice {
	if sent {
		return noticeCodeSent
	}
	return noticeCodeWait
}
