package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/handlers/passkey"
	"github.com/hwk/kundenportal/store"
)

// passkeyLoginBegin starts a passwordless login (by button or autofill):
// any of the portal's passkeys may answer, with user verification, since
// the passkey alone stands for both factors. The ceremony waits in a flow
// whose secret the script sends back with the answer.
func (h *Handler) passkeyLoginBegin(c *fiber.Ctx) error {
	assertion, sd, err := h.webauthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return fmt.Errorf("passkey: begin discoverable login: %w", err)
	}
	raw, err := json.Marshal(sd)
	if err != nil {
		return fmt.Errorf("passkey: encode ceremony: %w", err)
	}
	secret, err := h.store.CreateFlow(c.UserContext(), &store.Flow{
		Kind: store.FlowPasskeyLogin, Data: string(raw), // the browser has no session yet
		ExpiresAt: h.store.Now().Add(passkey.CeremonyTimeout),
	})
	if err != nil {
		return fmt.Errorf("passkey: save ceremony: %w", err)
	}
	return jsonAnswer(c, fiber.StatusOK, fiber.Map{"publicKey": assertion.Response, "flow": secret})
}

// passkeyLoginFinish ends the flow first (so its ceremony serves one
// answer only), checks the assertion and logs the passkey's owner in.
func (h *Handler) passkeyLoginFinish(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var req struct {
		Flow       string          `json:"flow"`
		Credential json.RawMessage `json:"credential"`
		Next       string          `json:"next"`
	}
	if err := json.Unmarshal(c.Body(), &req); err != nil || req.Flow == "" {
		return passkeyError(c, fiber.StatusBadRequest, "passkey.error.login_failed")
	}
	f, err := h.store.FlowBySecret(ctx, req.Flow, store.FlowPasskeyLogin)
	if err == nil {
		err = h.store.FinishFlow(ctx, f.ID, nil)
	}
	if isFlowGone(err) {
		return h.passkeyLoginFailed(c, nil, "passkey.error.expired")
	}
	if err != nil {
		return fmt.Errorf("passkey: finish flow: %w", err)
	}
	p := &pendingWebAuthn{Purpose: ceremonyLogin, Session: json.RawMessage(f.Data)}
	var owner *store.User
	cred, err := h.validateAssertion(c, p, req.Credential, func(sd webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData) (*webauthn.Credential, error) {
		_, cred, err := h.webauthn.ValidatePasskeyLogin(func(_, handle []byte) (webauthn.User, error) {
			u, err := h.store.UserByWebAuthnHandle(ctx, handle)
			if err != nil {
				return nil, err
			}
			owner = u
			return h.passkeyUserOf(ctx, u, false)
		}, sd, parsed)
		return cred, err
	})
	if err != nil {
		return err
	}
	if cred == nil {
		return h.passkeyLoginFailed(c, owner, "passkey.error.login_failed")
	}
	if err := h.saveUsedCredential(ctx, owner, cred); err != nil {
		return err
	}
	if err := h.passkeyLoginSucceeded(c, owner, cred); err != nil {
		return err
	}
	return jsonAnswer(c, fiber.StatusOK, fiber.Map{"redirect": h.afterLogin(req.Next)})
}

// passkeyLoginSucceeded starts an authenticated session: the passkey with
// user verification stood for both factors.
func (h *Handler) passkeyLoginSucceeded(c *fiber.Ctx, user *store.User, cred *webauthn.Credential) error {
	var raw string
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		var err error
		raw, err = h.passkeyAccepted(c, tx, user, cred.Flags.BackupEligible)
		return err
	})
	if err != nil {
		return fmt.Errorf("passkey: start session: %w", err)
	}
	h.loginCompleted(c, raw, user.ID)
	return nil
}

// passkeyLoginFailed counts a failed passwordless login against the client
// address (the account may be unknown), audits it and answers with the
// message.
func (h *Handler) passkeyLoginFailed(c *fiber.Ctx, owner *store.User, message string) error {
	ev := store.AuditEvent{Event: eventLoginFailed, IP: c.IP(), Detail: "method=passkey"}
	if owner != nil {
		ev.UserID, ev.Email = &owner.ID, owner.Email
	}
	// The address's attempt is counted now: the ceremony's begin did not
	// know whose passkey would answer.
	if _, _, err := h.store.Attempt(c.UserContext(), addressThrottle, scopeLoginAddress, c.IP()); err != nil {
		return fmt.Errorf("passkey: count failure: %w", err)
	}
	if err := h.recordFailure(c, ev); err != nil {
		return fmt.Errorf("passkey: %w", err)
	}
	return passkeyError(c, fiber.StatusUnprocessableEntity, message)
}
