package handlers

// The login state machine. A session is created when the password (or a
// passkey) was accepted, and it is in one of the states of
// store.SessionState. Every change of state happens in this file, one
// function per arrow of the README's login diagram:
//
//	Password      --> MFASetup       passwordAccepted (no second factor yet)
//	Password      --> MFAVerify      passwordAccepted (has second factors)
//	SetPassword   --> MFASetup       registrationCompleted (a new account)
//	MFASetup      --> RecoveryCodes  firstFactorEnrolled (renewed, authenticated)
//	MFAVerify     --> Authenticated  factorPassed (renewed; mails a new browser)
//	RecoveryCodes --> Authenticated  codesKept
//	[*]           --> Authenticated  passkeyAccepted (passwordless; mails a new browser)
//	Authenticated --> Authenticated  reauthenticated (fresh for changes)
//	Authenticated --> [*]            loggedOut; the idle and absolute limits in loadSession
//
// RecoveryCodes is an authenticated session whose pending state still
// holds the new codes to show once.
//
// The guards that decide what a state lets through sit beside them:
// requireUser, requireStep, requireFreshForChanges and requireFreshJSON.
//
// What a session carries between steps is its pending state (type
// pending): read once per request by loadSession, changed in place by the
// handlers, and written back with savePending, which is a compare-and-swap
// on the session's version (two tabs cannot undo each other).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// freshAuth is how recent a password or second factor check must be for a
// change to the account's security.
const freshAuth = 5 * time.Minute

// pending is what a session carries between the steps of the login and of
// changes: pending second-factor secrets (which expire with the session or
// their own deadline), the page to return to, new recovery codes to show
// once and a change waiting for the password.
type pending struct {
	Next     string           `json:"next,omitempty"`
	TOTP     *pendingTOTP     `json:"totp,omitempty"`
	Email    *pendingEmail    `json:"email,omitempty"`
	WebAuthn *pendingWebAuthn `json:"webauthn,omitempty"`
	// Codes are new recovery codes, sealed, until the customer saw them.
	Codes string `json:"codes,omitempty"`
	// Change waits for the password confirmation (see pendingChange).
	Change *pendingChange `json:"change,omitempty"`
}

// pendingTOTP is an authenticator app's secret, sealed, until its first
// code confirms it.
type pendingTOTP struct {
	Sealed  string    `json:"sealed"`
	Expires time.Time `json:"expires"`
}

// pendingEmail is the keyed hash of the e-mail code last sent.
type pendingEmail struct {
	Hash     []byte    `json:"hash"`
	Nonce    string    `json:"nonce"`
	Purpose  string    `json:"purpose"` // codeForSetup or codeForLogin
	Expires  time.Time `json:"expires"`
	SentAt   time.Time `json:"sent_at"`
	Attempts int       `json:"attempts"`
}

// pendingWebAuthn is a begun passkey ceremony.
type pendingWebAuthn struct {
	Purpose string          `json:"purpose"` // "register" or "login"
	Session json.RawMessage `json:"session"` // webauthn.SessionData
	Name    string          `json:"name,omitempty"`
}

const localPending = "pending"

// parsePending reads a session's pending state.
func parsePending(sess *store.Session) (*pending, error) {
	p := new(pending)
	if sess.Data == "" || sess.Data == "{}" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(sess.Data), p); err != nil {
		return nil, fmt.Errorf("session: pending state: %w", err)
	}
	return p, nil
}

// useSession makes sess, with its pending state p, the request's session.
func useSession(c *fiber.Ctx, sess *store.Session, p *pending) {
	c.Locals(localSession, sess)
	c.Locals(localPending, p)
}

// pendingOf is the pending state of the request's session, as loaded at
// the start of the request and changed since.
func pendingOf(c *fiber.Ctx) *pending {
	if p, ok := c.Locals(localPending).(*pending); ok {
		return p
	}
	p := new(pending)
	c.Locals(localPending, p)
	return p
}

// savePending writes the request's session (state, times, pending state)
// through tx. It is store.ErrConflict when another request of the session
// wrote first.
func (h *Handler) savePending(ctx context.Context, tx *store.Store, c *fiber.Ctx) error {
	sess := currentSession(c)
	raw, err := json.Marshal(pendingOf(c))
	if err != nil {
		return fmt.Errorf("session: pending state: %w", err)
	}
	sess.Data = string(raw)
	return tx.UpdateSession(ctx, sess)
}

// startSession ends the request's previous session, if any, and creates a
// new one with a new id for userID in the given state (renewal at login),
// which becomes the request's session.
func (h *Handler) startSession(c *fiber.Ctx, tx *store.Store, userID uuid.UUID, state store.SessionState, p *pending) (string, error) {
	ctx := c.UserContext()
	if old := currentSession(c); old != nil {
		if err := tx.DeleteSession(ctx, old.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("session: end previous: %w", err)
		}
	}
	data, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("session: pending state: %w", err)
	}
	now := h.store.Now()
	sess := &store.Session{
		UserID:    &userID,
		State:     state,
		Data:      string(data),
		IP:        c.IP(),
		UserAgent: truncate(c.Get(fiber.HeaderUserAgent), 300),
		ExpiresAt: now.Add(AbsoluteSessionLimit),
	}
	if state == store.SessionAuthenticated {
		sess.AuthenticatedAt, sess.VerifiedAt = &now, &now
	}
	raw, err := tx.CreateSession(ctx, sess)
	if err != nil {
		return "", fmt.Errorf("session: create: %w", err)
	}
	useSession(c, sess, p)
	return raw, nil
}

// passwordAccepted: Password --> MFASetup or MFAVerify. A new session (a
// new id: no fixation) that grants nothing but the second-factor step,
// remembering the page to return to.
func (h *Handler) passwordAccepted(c *fiber.Ctx, tx *store.Store, user *store.User, hasFactors bool, next string) (string, error) {
	state := store.SessionMFASetup
	if hasFactors {
		state = store.SessionMFAVerify
	}
	raw, err := h.startSession(c, tx, user.ID, state, &pending{Next: nextParam(next)})
	if err != nil {
		return "", err
	}
	if err := h.passwordSucceeded(c, tx, user); err != nil {
		return "", err
	}
	// The login counts (users.last_login_at, the retention purge) only once
	// the second factor completes it: see authenticate.
	return raw, tx.Audit(c.UserContext(), store.AuditEvent{Event: eventLoginOK, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "step=password"})
}

// registrationCompleted: SetPassword --> MFASetup for a new account: the
// customer chooses a second factor next.
func (h *Handler) registrationCompleted(c *fiber.Ctx, tx *store.Store, user *store.User) (string, error) {
	raw, err := h.startSession(c, tx, user.ID, store.SessionMFASetup, &pending{})
	if err != nil {
		return "", err
	}
	return raw, tx.TouchLogin(c.UserContext(), user.ID, tx.Now())
}

// firstFactorEnrolled: MFASetup --> RecoveryCodes. The first second factor
// ends the login; the new recovery codes (sealed) wait in the session to
// be shown once.
func (h *Handler) firstFactorEnrolled(c *fiber.Ctx, tx *store.Store, user *store.User, kind factor.Kind, sealedCodes string) (string, error) {
	pendingOf(c).Codes = sealedCodes
	return h.authenticate(c, tx, user, kind)
}

// factorPassed: MFAVerify --> Authenticated.
func (h *Handler) factorPassed(c *fiber.Ctx, tx *store.Store, user *store.User, method factor.Kind) (string, error) {
	if err := h.newBrowserNotice(c, tx, user, method); err != nil {
		return "", err
	}
	return h.authenticate(c, tx, user, method)
}

// authenticate ends a login at a second factor: the session gets a new id
// and is authenticated; the method is recorded as used. Only the page to
// return to and the codes to show stay pending.
func (h *Handler) authenticate(c *fiber.Ctx, tx *store.Store, user *store.User, method factor.Kind) (string, error) {
	ctx, sess := c.UserContext(), currentSession(c)
	now := tx.Now()
	raw, err := tx.RotateSession(ctx, sess.ID)
	if err != nil {
		return "", err
	}
	p := pendingOf(c)
	*p = pending{Next: p.Next, Codes: p.Codes}
	sess.State, sess.AuthenticatedAt, sess.VerifiedAt = store.SessionAuthenticated, &now, &now
	if err := h.savePending(ctx, tx, c); err != nil {
		return "", err
	}
	if err := succeeded(ctx, tx, scopeMFAAccount, user.ID.String(), scopeMFAAddress, c.IP()); err != nil {
		return "", err
	}
	if err := touchKind(ctx, tx, user.ID, method); err != nil {
		return "", err
	}
	synced, _ := c.Locals(localSyncedPasskey).(bool)
	if err := tx.RecordSessionAuth(ctx, sess.ID, amrMethod(method, synced && method == factor.WebAuthn)); err != nil { // for the OIDC amr claim
		return "", err
	}
	if err := tx.TouchLogin(ctx, user.ID, now); err != nil {
		return "", err
	}
	return raw, tx.Audit(ctx, store.AuditEvent{Event: eventMFAPassed, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "method=" + string(method)})
}

// codesKept: RecoveryCodes --> Authenticated. The shown codes are
// forgotten; it returns where the customer goes next.
func (h *Handler) codesKept(c *fiber.Ctx) (string, error) {
	p := pendingOf(c)
	next := p.Next
	p.Codes, p.Next = "", ""
	if err := h.savePending(c.UserContext(), h.store, c); err != nil {
		return "", fmt.Errorf("mfa: forget codes: %w", err)
	}
	return h.afterLogin(next), nil
}

// passkeyAccepted: [*] --> Authenticated. A passkey with user verification
// stands for both factors; synced tells whether it is backup-eligible (for
// the amr claim: swk rather than hwk).
func (h *Handler) passkeyAccepted(c *fiber.Ctx, tx *store.Store, user *store.User, synced bool) (string, error) {
	ctx := c.UserContext()
	raw, err := h.startSession(c, tx, user.ID, store.SessionAuthenticated, &pending{})
	if err != nil {
		return "", err
	}
	if err := tx.RecordSessionAuth(ctx, currentSession(c).ID, amrMethod(provider.MethodPasskey, synced)); err != nil { // for the OIDC amr claim
		return "", err
	}
	if err := tx.ClearThrottle(ctx, scopeLoginAccount, user.Email); err != nil {
		return "", err
	}
	if err := tx.TouchLogin(ctx, user.ID, tx.Now()); err != nil {
		return "", err
	}
	if err := h.newBrowserNotice(c, tx, user, provider.MethodPasskey); err != nil {
		return "", err
	}
	return raw, tx.Audit(ctx, store.AuditEvent{Event: eventLoginOK, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "method=passkey"})
}

// reauthenticated: Authenticated --> Authenticated, fresh for changes for
// freshAuth. It returns the change that waited for the confirmation, if
// the confirmation was for it.
func (h *Handler) reauthenticated(c *fiber.Ctx, tx *store.Store, forChange bool) (pendingChange, changeFunc, error) {
	pc, carryOut := h.takeChange(pendingOf(c), forChange)
	now := tx.Now()
	currentSession(c).VerifiedAt = &now
	return pc, carryOut, h.savePending(c.UserContext(), tx, c)
}

// loggedOut: Authenticated (or any step) --> [*]. The session ends, and
// the OIDC tokens issued in it with it.
func (h *Handler) loggedOut(c *fiber.Ctx, tx *store.Store) error {
	ctx, sess := c.UserContext(), currentSession(c)
	if err := tx.DeleteSession(ctx, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := tx.RevokeOIDCTokensOfSessions(ctx, sess.ID); err != nil {
		return err
	}
	return tx.Audit(ctx, store.AuditEvent{Event: eventLogout, UserID: sess.UserID, IP: c.IP()})
}

// isFresh reports whether the customer proved themselves within freshAuth:
// a second factor or the password.
func (h *Handler) isFresh(sess *store.Session) bool {
	return sess.VerifiedAt != nil && h.store.Now().Sub(*sess.VerifiedAt) < freshAuth
}

// firstSetup reports whether the customer sets up the first second factor
// at login (rather than adding one from the account).
func firstSetup(c *fiber.Ctx) bool {
	sess := currentSession(c)
	return sess != nil && sess.State == store.SessionMFASetup
}

// requireUser lets only logged-in customers through; a customer half-way
// through the login goes on to their step, others go to the login page,
// which returns them here afterwards.
func (h *Handler) requireUser(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Next()
	}
	if sess := currentSession(c); sess != nil && sess.UserID != nil && sess.State != store.SessionAuthenticated {
		return h.continueLogin(c, sess)
	}
	q := url.Values{string(components.FieldNext): {c.OriginalURL()}}
	if expired, _ := c.Locals(localExpired).(bool); expired {
		q.Set(string(components.FieldNotice), string(noticeSessionExpired))
	}
	if c.Method() != fiber.MethodGet {
		q.Del(string(components.FieldNext)) // a POST cannot be repeated by a redirect
	}
	if len(q) == 0 {
		return redirect(c, paths.Login)
	}
	return redirect(c, paths.Login+"?"+q.Encode())
}

// requireStep lets through sessions in one of the given states and loads
// their customer. Others go to the step they are at, or to the login page.
func (h *Handler) requireStep(states ...store.SessionState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sess := currentSession(c)
		if sess == nil || sess.UserID == nil {
			return h.requireUser(c)
		}
		for _, st := range states {
			if sess.State != st {
				continue
			}
			u := currentUser(c)
			if u == nil {
				var err error
				if u, err = h.store.UserByID(c.UserContext(), *sess.UserID); err != nil {
					return fmt.Errorf("session: load user: %w", err)
				}
			}
			c.Locals(localStepUser, u)
			return c.Next()
		}
		if sess.State == store.SessionAuthenticated {
			return redirect(c, paths.Account)
		}
		return h.continueLogin(c, sess)
	}
}

// continueLogin sends a half-logged-in customer to the step they are at.
func (h *Handler) continueLogin(c *fiber.Ctx, sess *store.Session) error {
	switch sess.State {
	case store.SessionMFASetup:
		return redirect(c, paths.MFAChoose)
	case store.SessionMFAVerify:
		return redirect(c, paths.MFAVerify)
	}
	return redirect(c, paths.Login)
}

// requireFreshForChanges lets an authenticated customer change second
// factors only within freshAuth of a password or second-factor check;
// otherwise they confirm their password first. The first setup at login
// follows the password directly and needs nothing more.
func (h *Handler) requireFreshForChanges(c *fiber.Ctx) error {
	sess := currentSession(c)
	if sess.State != store.SessionAuthenticated || h.isFresh(sess) {
		return c.Next()
	}
	if c.Method() == fiber.MethodGet {
		return redirect(c, components.WithQuery(paths.Reauth, components.FieldNext, c.OriginalURL()))
	}
	if h.change(c.Path()) != nil {
		return h.deferChange(c) // carried out once the password is confirmed
	}
	// Another form POST cannot be repeated; return to the page it came from.
	return redirect(c, components.WithQuery(paths.Reauth, components.FieldNext, paths.Security))
}

// requireFreshJSON is requireFreshForChanges for the JSON endpoints: the
// script is told to go to the password confirmation instead of being
// redirected there itself.
func (h *Handler) requireFreshJSON(c *fiber.Ctx) error {
	sess := currentSession(c)
	if sess.State != store.SessionAuthenticated || h.isFresh(sess) {
		return c.Next()
	}
	return jsonAnswer(c, fiber.StatusUnauthorized, fiber.Map{"redirect": components.WithQuery(paths.Reauth, components.FieldNext, paths.MFAPasskey)})
}
