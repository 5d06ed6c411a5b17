package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
)

// passkeyVerifyBegin starts the passkey check at the second step of login,
// for the customer's own passkeys.
func (h *Handler) passkeyVerifyBegin(c *fiber.Ctx) error {
	pu, err := h.passkeyUserOf(c.UserContext(), stepUser(c), false)
	if err != nil {
		return err
	}
	if len(pu.creds) == 0 {
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
	to, err := h.passSecondFactor(c, store.MethodWebAuthn)
	if err != nil {
		return err
	}
	return jsonAnswer(c, fiber.StatusOK, fiber.Map{"redirect": to})
}

// passkeyVerifyFailed counts a failed passkey check like a wrong code and
// answers with the message.
func (h *Handler) passkeyVerifyFailed(c *fiber.Ctx, message string) error {
	user := stepUser(c)
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		return tx.Audit(ctx, store.AuditEvent{Event: eventMFAFailed, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "method=" + store.MethodWebAuthn})
	})
	if err != nil {
		return fmt.Errorf("passkey: record failure: %w", err)
	}
	return passkeyError(c, fiber.StatusUnprocessableEntity, message)
}

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
		ExpiresAt: h.store.Now().Add(ceremonyTimeout),
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
	h.setSessionCookie(c, raw)
	h.rememberDevice(c, user.ID)
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
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if _, _, err := tx.Attempt(ctx, addressThrottle, scopeLoginAddress, c.IP()); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return fmt.Errorf("passkey: record failure: %w", err)
	}
	return passkeyError(c, fiber.StatusUnprocessableEntity, message)
}

// validator checks a parsed assertion against a ceremony's data.
type validator func(webauthn.SessionData, *protocol.ParsedCredentialAssertionData) (*webauthn.Credential, error)

// validateAssertion parses body and validates it with the pending
// ceremony. A refused assertion (also one from a possibly cloned
// authenticator, whose sign counter went back) is logged and gives a nil
// credential; only internal failures are errors.
func (h *Handler) validateAssertion(c *fiber.Ctx, p *pendingWebAuthn, body []byte, validate validator) (*webauthn.Credential, error) {
	sd, err := p.sessionData()
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		h.logCeremony(c, "parse assertion", err)
		return nil, nil
	}
	cred, err := validate(sd, parsed)
	if err != nil {
		h.logCeremony(c, "validate assertion", err)
		return nil, nil
	}
	if cred.Authenticator.CloneWarning {
		h.logCeremony(c, "validate assertion", errors.New("sign counter did not increase: possibly a cloned authenticator"))
		return nil, nil
	}
	return cred, nil
}

// localSyncedPasskey holds whether the passkey that just passed the second
// factor is backup eligible (synced), for authenticate.
const localSyncedPasskey = "synced_passkey"

// amrMethod is the method recorded for the amr claim: a passkey that is
// backup eligible (synced through a password manager or a cloud keychain,
// its key not bound to one device) gets SyncedSuffix, so the claim says
// "swk"; one bound to its device says "hwk". The flag is that of the
// credential of this very ceremony.
func amrMethod(method string, synced bool) string {
	if synced {
		return method + provider.SyncedSuffix
	}
	return method
}

// saveUsedCredential stores the credential's new sign counter and flags
// and marks the passkey used.
func (h *Handler) saveUsedCredential(ctx context.Context, user *store.User, cred *webauthn.Credential) error {
	m, err := h.store.MethodByCredentialID(ctx, cred.ID)
	if err != nil {
		return fmt.Errorf("passkey: find credential: %w", err)
	}
	if m.UserID != user.ID {
		return fmt.Errorf("passkey: credential %s belongs to another customer", m.ID)
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("passkey: encode credential: %w", err)
	}
	if err := h.store.UpdateCredential(ctx, m.ID, string(raw)); err != nil {
		return fmt.Errorf("passkey: update credential: %w", err)
	}
	return nil
}
