package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/passkey"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// Purposes of a pending ceremony kept in the session.
const (
	ceremonyRegister = "register"
	ceremonyLogin    = "login"
)

// passkeyNameMax bounds the customer's name for a passkey (in characters).
const passkeyNameMax = 60

// passkeyRoutes registers the passkey ceremonies. setup and verify wrap
// handlers like the other second-factor routes (see mfaRoutes).
func (h *Handler) passkeyRoutes(app *fiber.App, with, setup, verify func(...fiber.Handler) []fiber.Handler) {
	ceremonyLimit := h.rateLimit("passkey", 60, 10*time.Minute)
	setupJSON := func(hs ...fiber.Handler) []fiber.Handler {
		return with(append([]fiber.Handler{h.requireStep(store.SessionMFASetup, store.SessionAuthenticated), h.requireFreshJSON, ceremonyLimit}, hs...)...)
	}
	app.Get(paths.MFAPasskey, setup(h.passkeySetupPage)...)
	app.Post(paths.MFAPasskey, setup(h.passkeySetupSubmit)...)
	app.Post(paths.PasskeyRegisterBegin, setupJSON(h.passkeyRegisterBegin)...)
	app.Post(paths.PasskeyRegisterFinish, setupJSON(h.passkeyRegisterFinish)...)
	app.Post(paths.PasskeyVerifyBegin, verify(ceremonyLimit, h.passkeyVerifyBegin)...)
	app.Post(paths.PasskeyVerifyFinish, verify(ceremonyLimit, h.passkeyVerifyFinish)...)
	// Every view of the login page begins a ceremony for passkey autofill.
	app.Post(paths.PasskeyLoginBegin, with(h.rateLimit("passkey_login_begin", 300, 10*time.Minute), h.passkeyLoginBegin)...)
	app.Post(paths.PasskeyLoginFinish, with(h.rateLimit("passkey_login", 60, 10*time.Minute), h.passkeyLoginFinish)...)
}

// passkeySetupPage shows the name field and the button that creates a
// passkey; without JavaScript it says that passkeys need it.
func (h *Handler) passkeySetupPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.PasskeySetupPage(components.PasskeySetupView{}))
}

// passkeySetupSubmit answers the setup form when it was sent without the
// script (which creates the passkey by itself): back to the page.
func (h *Handler) passkeySetupSubmit(c *fiber.Ctx) error {
	return redirect(c, paths.MFAPasskey)
}

// passkeyRegisterBegin checks the passkey's name and starts the
// registration: the options go to the browser, the ceremony's data stays
// in the session.
func (h *Handler) passkeyRegisterBegin(c *fiber.Ctx) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return passkeyError(c, fiber.StatusBadRequest, "passkey.error.failed")
	}
	name, problem := passkeyName(req.Name)
	if problem != "" {
		return jsonAnswer(c, fiber.StatusUnprocessableEntity, fiber.Map{
			"error": components.T(c.UserContext(), problem, map[string]any{"Max": passkeyNameMax}), "field": components.FieldName,
		})
	}
	pu, err := h.passkeyUserOf(c.UserContext(), stepUser(c), true)
	if err != nil {
		return err
	}
	creation, sd, err := h.webauthn.BeginRegistration(pu,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementPreferred),
		webauthn.WithExclusions(webauthn.Credentials(pu.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return fmt.Errorf("passkey: begin registration: %w", err)
	}
	if err := h.saveCeremony(c, ceremonyRegister, sd, name); err != nil {
		return err
	}
	return jsonAnswer(c, fiber.StatusOK, creation)
}

// passkeyRegisterFinish verifies the new credential against the pending
// ceremony (used up first, whatever follows) and stores the passkey.
func (h *Handler) passkeyRegisterFinish(c *fiber.Ctx) error {
	user := stepUser(c)
	p, err := h.takeCeremony(c, ceremonyRegister)
	if err != nil {
		return err
	}
	if p == nil {
		return passkeyError(c, fiber.StatusConflict, "passkey.error.expired")
	}
	var req struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(c.Body(), &req); err != nil || len(req.Credential) == 0 {
		return passkeyError(c, fiber.StatusBadRequest, "passkey.error.register_failed")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(req.Credential)
	if err != nil {
		h.logCeremony(c, "register", err)
		return passkeyError(c, fiber.StatusBadRequest, "passkey.error.register_failed")
	}
	sd, err := p.sessionData()
	if err != nil {
		return err
	}
	pu, err := h.passkeyUserOf(c.UserContext(), user, false)
	if err != nil {
		return err
	}
	cred, err := h.webauthn.CreateCredential(pu, sd, parsed)
	if err != nil {
		h.logCeremony(c, "register", err)
		return passkeyError(c, fiber.StatusUnprocessableEntity, "passkey.error.register_failed")
	}
	if _, err := h.store.MethodByCredentialID(c.UserContext(), cred.ID); err == nil {
		return passkeyError(c, fiber.StatusConflict, "passkey.error.exists")
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("passkey: find credential: %w", err)
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("passkey: encode credential: %w", err)
	}
	to, err := h.addMethod(c, user, &store.MFAMethod{
		UserID: user.ID, Kind: factor.WebAuthn, Name: p.Name, CredentialID: cred.ID, Credential: string(raw),
	})
	if err != nil {
		return err
	}
	return jsonAnswer(c, fiber.StatusOK, fiber.Map{"redirect": to})
}

// passkeyName trims the customer's name for a passkey and checks it; it
// returns the message id of the problem, if any.
func passkeyName(name string) (string, string) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", "passkey.error.name_missing"
	case utf8.RuneCountInString(name) > passkeyNameMax:
		return "", "passkey.error.name_too_long"
	}
	return name, ""
}

// passkeyUserOf loads the customer's passkeys for go-webauthn. makeHandle
// gives the customer a user handle if they have none yet (registration).
func (h *Handler) passkeyUserOf(ctx context.Context, user *store.User, makeHandle bool) (*passkey.User, error) {
	handle := user.WebAuthnHandle
	if len(handle) == 0 && makeHandle {
		var err error
		if handle, err = h.store.WebAuthnHandle(ctx, user.ID); err != nil {
			return nil, fmt.Errorf("passkey: user handle: %w", err)
		}
	}
	methods, err := h.store.MethodsOf(ctx, user.ID)
	if err != nil {
		return nil, fmt.Errorf("passkey: methods: %w", err)
	}
	return passkey.UserOf(user, handle, methods)
}

// saveCeremony keeps a begun ceremony's data in the session, replacing
// any earlier one.
func (h *Handler) saveCeremony(c *fiber.Ctx, purpose string, sd *webauthn.SessionData, name string) error {
	raw, err := json.Marshal(sd)
	if err != nil {
		return fmt.Errorf("passkey: encode ceremony: %w", err)
	}
	pendingOf(c).WebAuthn = &pendingWebAuthn{Purpose: purpose, Session: raw, Name: name}
	if err := h.savePending(c.UserContext(), h.store, c); err != nil {
		return fmt.Errorf("passkey: save ceremony: %w", err)
	}
	return nil
}

// takeCeremony removes the session's pending ceremony and returns it when
// it has the given purpose (nil otherwise). The session row is locked
// first and read again, so of two concurrent requests only one gets the
// ceremony: it is used once. The fresh row becomes the request's session.
func (h *Handler) takeCeremony(c *fiber.Ctx, purpose string) (*pendingWebAuthn, error) {
	sess := currentSession(c)
	var taken *pendingWebAuthn
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := tx.TouchSession(ctx, sess.ID, tx.Now()); err != nil {
			return err
		}
		fresh, err := tx.SessionByToken(ctx, c.Cookies(h.sessionCookieName()))
		if err != nil {
			return err // ErrNotFound: a concurrent request renewed the session
		}
		p, err := parsePending(fresh)
		if err != nil {
			return err
		}
		useSession(c, fresh, p)
		if taken, p.WebAuthn = p.WebAuthn, nil; taken == nil {
			return nil
		}
		return h.savePending(ctx, tx, c)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("passkey: take ceremony: %w", err)
	}
	if taken == nil || taken.Purpose != purpose {
		return nil, nil
	}
	return taken, nil
}

func (p *pendingWebAuthn) sessionData() (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	if err := json.Unmarshal(p.Session, &sd); err != nil {
		return sd, fmt.Errorf("passkey: decode ceremony: %w", err)
	}
	return sd, nil
}

// jsonAnswer sends v as JSON, never cached.
func jsonAnswer(c *fiber.Ctx, status int, v any) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(v)
}

// passkeyError answers a failed step with the localized message, which the
// script shows; nothing internal reaches the browser.
func passkeyError(c *fiber.Ctx, status int, id string, data ...map[string]any) error {
	return jsonAnswer(c, status, fiber.Map{"error": components.T(c.UserContext(), id, data...)})
}

// logCeremony logs why a ceremony failed, with go-webauthn's developer
// information, which customers never see.
func (h *Handler) logCeremony(c *fiber.Ctx, step string, err error) {
	attrs := []any{"step", step, "request_id", requestID(c), "ip", c.IP(), "err", err}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		attrs = append(attrs, "type", pe.Type, "details", pe.Details, "dev_info", pe.DevInfo)
	}
	h.log.InfoContext(c.UserContext(), "passkey ceremony failed", attrs...)
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
func amrMethod(method factor.Kind, synced bool) string {
	if synced {
		return string(method) + provider.SyncedSuffix
	}
	return string(method)
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
