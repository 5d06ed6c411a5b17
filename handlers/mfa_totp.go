package handlers

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// totpSetupPage shows the pending secret as QR code and as grouped text.
func (h *Handler) totpSetupPage(c *fiber.Ctx) error {
	return h.renderTOTPSetup(c, fiber.StatusOK, nil)
}

// pendingTOTPSecret opens the session's pending TOTP secret; ok is false
// when there is none or it expired.
func (h *Handler) pendingTOTPSecret(c *fiber.Ctx) (secret string, ok bool, err error) {
	sess, p := currentSession(c), pendingOf(c)
	if p.TOTP == nil || !h.store.Now().Before(p.TOTP.Expires) {
		return "", false, nil
	}
	if secret, _, err = h.sealer.Open(p.TOTP.Sealed, pendingTOTPAD(*sess.UserID, sess.ID)); err != nil {
		return "", false, fmt.Errorf("mfa: open pending totp: %w", err)
	}
	return secret, true, nil
}

func (h *Handler) renderTOTPSetup(c *fiber.Ctx, status int, errs components.Errors) error {
	user := stepUser(c)
	secret, ok, err := h.pendingTOTPSecret(c)
	if err != nil || !ok {
		return h.totpExpired(c, err)
	}
	key, err := totp.FromSecret(h.opt.Brand.OrgName, user.Email, secret)
	if err != nil {
		return err
	}
	return h.render(c, status, components.TOTPSetupPage(components.TOTPSetupView{
		QR: key.QR, URL: key.URL, Secret: totp.Group(secret), Issuer: h.opt.Brand.OrgName, Account: user.Email,
		FirstTime: firstSetup(c), Errors: errs,
	}))
}

// totpSetupSubmit confirms the app by one current code and stores the
// method, with that code's time step already used.
func (h *Handler) totpSetupSubmit(c *fiber.Ctx) error {
	user := stepUser(c)
	secret, ok, err := h.pendingTOTPSecret(c)
	if err != nil || !ok {
		return h.totpExpired(c, err)
	}
	step, ok := totp.Verify(secret, formValue(c, components.FieldCode), h.store.Now())
	if !ok {
		return h.renderTOTPSetup(c, fiber.StatusUnprocessableEntity, components.Errors{{Field: components.FieldCode, Message: "mfa.totp.error.wrong"}})
	}
	method := &store.MFAMethod{ID: uuid.New(), UserID: user.ID, Kind: factor.TOTP, TOTPLastStep: step}
	if method.Secret, err = h.sealer.Seal(secret, totp.MethodAD(user.ID.String(), method.ID.String())); err != nil {
		return err
	}
	pendingOf(c).TOTP = nil
	return h.methodAdded(c, user, method)
}

// totpExpired returns err, or sends the customer back to the choice when
// the pending secret expired.
func (h *Handler) totpExpired(c *fiber.Ctx, err error) error {
	if err != nil {
		return err
	}
	return redirect(c, withNotice(paths.MFAChoose, noticeSetupExpired))
}

// verifyTOTP checks a code against the customer's authenticator apps and
// uses up its time step, so the same code cannot log in twice.
func (h *Handler) verifyTOTP(ctx context.Context, tx *store.Store, user *store.User, code string) (bool, error) {
	methods, err := tx.MethodsOf(ctx, user.ID)
	if err != nil {
		return false, err
	}
	for _, m := range methods {
		if m.Kind != factor.TOTP {
			continue
		}
		secret, err := h.openMethodSecret(ctx, tx, &m)
		if err != nil {
			return false, err
		}
		step, ok := totp.Verify(secret, code, tx.Now())
		if !ok {
			continue
		}
		return tx.UseTOTPStep(ctx, m.ID, step)
	}
	return false, nil
}

// pendingTOTPAD binds a TOTP secret waiting for its first code to the
// session it was made in.
func pendingTOTPAD(userID, sessionID uuid.UUID) string {
	return "totp-pending\x00" + userID.String() + "\x00" + sessionID.String()
}

// openMethodSecret opens a method's sealed secret; one sealed the old way
// (the secret key itself, no binding to the row) is sealed again with the
// derived key and bound to the row, so existing rows move over on use.
func (h *Handler) openMethodSecret(ctx context.Context, tx *store.Store, m *store.MFAMethod) (string, error) {
	ad := totp.MethodAD(m.UserID.String(), m.ID.String())
	secret, legacy, err := h.sealer.Open(m.Secret, ad)
	if err != nil {
		return "", fmt.Errorf("mfa: open totp secret: %w", err)
	}
	if legacy {
		resealed, err := h.sealer.Seal(secret, ad)
		if err != nil {
			return "", err
		}
		if err := tx.UpdateMethodSecret(ctx, m.ID, resealed); err != nil {
			return "", fmt.Errorf("mfa: reseal totp secret: %w", err)
		}
	}
	return secret, nil
}
