package handlers

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/store/factor"
)

// passkeyVerifyBegin starts the passkey check at the second step of login,
// for the customer's own passkeys.
func (h *Handler) passkeyVerifyBegin(c *fiber.Ctx) error {
	pu, err := h.passkeyUserOf(c.UserContext(), stepUser(c), false)
	if err != nil {
		return err
	}
	if len(pu.WebAuthnCredentials()) == 0 {
		return passkeyError(c, fiber.StatusConflict, "passkey.error.failed")
	}
	assertion, sd, err := h.webauthn.BeginLogin(pu, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return fmt.Errorf("passkey: begin login: %w", err)
	}
	if err := h.saveCeremony(c, ceremonyLogin, sd, ""); err != nil {
		return err
	}
	return jsonAnswer(c, fiber.StatusOK, assertion)
}

// passkeyVerifyFinish checks the assertion against the pending ceremony
// (used up first) and ends the login. A failure counts like a wrong code.
func (h *Handler) passkeyVerifyFinish(c *fiber.Ctx) error {
	user := stepUser(c)
	wait, err := h.attempt(c.UserContext(), scopeMFAAccount, user.ID.String(), scopeMFAAddress, c.IP())
	if err != nil {
		return err
	}
	if wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
		return passkeyError(c, fiber.StatusTooManyRequests, "login.error.throttled", map[string]any{"Count": retryMinutes(wait)})
	}
	p, err := h.takeCeremony(c, ceremonyLogin)
	if err != nil {
		return err
	}
	if p == nil {
		return h.passkeyVerifyFailed(c, "passkey.error.expired")
	}
	var req struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return h.passkeyVerifyFailed(c, "passkey.error.failed")
	}
	pu, err := h.passkeyUserOf(c.UserContext(), user, false)
	if err != nil {
		return err
	}
	cred, err := h.validateAssertion(c, p, req.Credential, func(sd webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData) (*webauthn.Credential, error) {
		return h.webauthn.ValidateLogin(pu, sd, parsed)
	})
	if err != nil {
		return err
	}
	if cred == nil {
		return h.passkeyVerifyFailed(c, "passkey.error.failed")
	}
	if err := h.saveUsedCredential(c.UserContext(), user, cred); err != nil {
		return err
	}
	c.Locals(localSyncedPasskey, cred.Flags.BackupEligible) // for the amr claim: swk, not hwk
	to, err := h.passSecondFactor(c, factor.WebAuthn)
	if err != nil {
		return err
	}
	return jsonAnswer(c, fiber.StatusOK, fiber.Map{"redirect": to})
}

// passkeyVerifyFailed counts a failed passkey check like a wrong code and
// answers with the message.
func (h *Handler) passkeyVerifyFailed(c *fiber.Ctx, message string) error {
	if err := h.recordMFAFailure(c, factor.WebAuthn); err != nil {
		return fmt.Errorf("passkey: %w", err)
	}
	return passkeyError(c, fiber.StatusUnprocessableEntity, message)
}
