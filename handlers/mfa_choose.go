package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/store/factor"
)

// choosePage offers the methods the customer does not have yet: at first
// login (the session waits in store.SessionMFASetup) or from the account.
func (h *Handler) choosePage(c *fiber.Ctx) error {
	user := stepUser(c)
	have, err := h.methodKinds(c.UserContext(), user)
	if err != nil {
		return err
	}
	view := components.ChooseView{FirstTime: firstSetup(c), Have: have}
	view.Notice = noticeOf(c)
	return h.render(c, fiber.StatusOK, components.ChoosePage(view))
}

// chooseSubmit starts setting up the chosen method.
func (h *Handler) chooseSubmit(c *fiber.Ctx) error {
	switch factor.Kind(formValue(c, components.FieldMethod)) {
	case factor.TOTP:
		return h.startTOTP(c)
	case factor.Email:
		return h.startEmailSetup(c)
	case factor.WebAuthn:
		return redirect(c, paths.MFAPasskey)
	}
	return redirect(c, paths.MFAChoose)
}

// startTOTP makes a new secret, keeps it sealed in the session until the
// customer confirms a code, and shows the setup page.
func (h *Handler) startTOTP(c *fiber.Ctx) error {
	user, sess := stepUser(c), currentSession(c)
	key, err := totp.Generate(h.opt.Brand.OrgName, user.Email)
	if err != nil {
		return err
	}
	sealed, err := h.sealer.Seal(key.Secret, pendingTOTPAD(user.ID, sess.ID))
	if err != nil {
		return err
	}
	pendingOf(c).TOTP = &pendingTOTP{Sealed: sealed, Expires: h.store.Now().Add(pendingTTL)}
	if err := h.savePending(c.UserContext(), h.store, c); err != nil {
		return fmt.Errorf("mfa: save pending totp: %w", err)
	}
	return redirect(c, paths.MFATOTP)
}
