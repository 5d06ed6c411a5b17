package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
)

// Session states on the way to the portal: after the password, a customer
// without a second factor must set one up (SessionMFASetup); one with
// factors must pass one (SessionMFAVerify). Only then is the session
// authenticated, with a new id.
const (
	SessionMFASetup  = "mfa_setup"
	SessionMFAVerify = "mfa_verify"
)

// freshAuth is how recent a password or second factor check must be for a
// change to the account's security.
const freshAuth = 5 * time.Minute

// pendingTTL bounds how long a pending enrolment or code stays usable.
const pendingTTL = 10 * time.Minute

// Audit events of second factors.
const (
	eventMFAAdded     = "mfa.added"
	eventMFARemoved   = "mfa.removed"
	eventMFARenamed   = "mfa.renamed"
	eventMFAPassed    = "mfa.passed"
	eventMFAFailed    = "mfa.failed"
	eventRecoveryUsed = "mfa.recovery_code_used"
	eventCodesRenewed = "mfa.recovery_codes_renewed"
)

// Failure scopes of second-factor codes.
const (
	scopeMFAAccount = "mfa.account"
	scopeMFAAddress = "mfa.ip"
)

// sessionData is the JSON a session carries while a customer is between
// steps: pending second-factor secrets (which expire with the session or
// their own deadline), the page to return to, and recovery codes to show
// once.
type sessionData struct {
	Next     string           `json:"next,omitempty"`
	TOTP     *pendingTOTP     `json:"totp,omitempty"`
	Email    *pendingEmail    `json:"email,omitempty"`
	WebAuthn *pendingWebAuthn `json:"webauthn,omitempty"`
	// Codes are new recovery codes, sealed, until the customer saw them.
	Codes string `json:"codes,omitempty"`
	// ReauthAt is when the customer last confirmed the password.
	ReauthAt *time.Time `json:"reauth_at,omitempty"`
	// Change waits for the password confirmation (see pendingChange).
	Change *pendingChange `json:"change,omitempty"`
}

type pendingTOTP struct {
	Sealed  string    `json:"sealed"`
	Expires time.Time `json:"expires"`
}

type pendingEmail struct {
	Hash     []byte    `json:"hash"`
	Nonce    string    `json:"nonce"`
	Purpose  string    `json:"purpose"` // "setup" or "login"
	Expires  time.Time `json:"expires"`
	SentAt   time.Time `json:"sent_at"`
	Attempts int       `json:"attempts"`
}

type pendingWebAuthn struct {
	Purpose string          `json:"purpose"` // "register" or "login"
	Session json.RawMessage `json:"session"` // webauthn.SessionData
	Name    string          `json:"name,omitempty"`
}

func readSessionData(sess *store.Session) (sessionData, error) {
	var d sessionData
	if sess.Data == "" || sess.Data == "{}" {
		return d, nil
	}
	if err := json.Unmarshal([]byte(sess.Data), &d); err != nil {
		return d, fmt.Errorf("session: data: %w", err)
	}
	return d, nil
}

// saveSessionData writes d into the session through tx.
func saveSessionData(ctx context.Context, tx *store.Store, sess *store.Session, d sessionData) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("session: data: %w", err)
	}
	sess.Data = string(raw)
	return tx.UpdateSession(ctx, sess)
}

// stepUser is the customer of a session that passed the password but not
// yet the second factor (or an authenticated one managing factors).
func stepUser(c *fiber.Ctx) *store.User {
	u, _ := c.Locals(localStepUser).(*store.User)
	return u
}

const localStepUser = "step_user"

// requireStep lets through sessions in one of the given states and loads
// their customer. Others go to the login page.
func (h *Handler) requireStep(states ...string) fiber.Handler {
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
		if sess.State == SessionAuthenticated {
			return redirect(c, PathAccount)
		}
		return h.continueLogin(c, sess)
	}
}

// continueLogin sends a half-logged-in customer to the step they are at.
func (h *Handler) continueLogin(c *fiber.Ctx, sess *store.Session) error {
	switch sess.State {
	case SessionMFASetup:
		return redirect(c, PathMFAChoose)
	case SessionMFAVerify:
		return redirect(c, PathMFAVerify)
	}
	return h.requireUser(c)
}

// completeSecondFactor ends the login: the session gets a new id and is
// authenticated; the method is recorded as used.
func (h *Handler) completeSecondFactor(c *fiber.Ctx, tx *store.Store, sess *store.Session, userID uuid.UUID, method string) (string, error) {
	email := ""
	if u, _ := c.Locals(localStepUser).(*store.User); u != nil {
		email = u.Email
	}
	ctx := c.UserContext()
	now := tx.Now()
	raw, err := tx.RotateSession(ctx, sess.ID)
	if err != nil {
		return "", err
	}
	d, _ := readSessionData(sess)
	sess.State, sess.AuthenticatedAt, sess.MFAAt = SessionAuthenticated, &now, &now
	if err := saveSessionData(ctx, tx, sess, sessionData{Next: d.Next, Codes: d.Codes}); err != nil {
		return "", err
	}
	if err := succeeded(ctx, tx, scopeMFAAccount, userID.String(), scopeMFAAddress, c.IP()); err != nil {
		return "", err
	}
	if err := touchKind(ctx, tx, userID, method); err != nil {
		return "", err
	}
	synced, _ := c.Locals(localSyncedPasskey).(bool)
	if err := tx.RecordSessionAuth(ctx, sess.ID, amrMethod(method, synced && method == store.MethodWebAuthn)); err != nil { // for the OIDC amr claim
		return "", err
	}
	if err := tx.TouchLogin(ctx, userID, now); err != nil {
		return "", err
	}
	return raw, tx.Audit(ctx, store.AuditEvent{Event: eventMFAPassed, UserID: &userID, Email: email, IP: c.IP(), Detail: "method=" + method})
}

// isFresh reports whether the customer proved themselves within freshAuth:
// a second factor or the password.
func (h *Handler) isFresh(sess *store.Session) bool {
	now := h.store.Now()
	if sess.MFAAt != nil && now.Sub(*sess.MFAAt) < freshAuth {
		return true
	}
	d, err := readSessionData(sess)
	return err == nil && d.ReauthAt != nil && now.Sub(*d.ReauthAt) < freshAuth
}

// touchKind records the use of the customer's method of kind (TOTP and
// passkeys record their own use when checked).
func touchKind(ctx context.Context, tx *store.Store, userID uuid.UUID, kind string) error {
	if kind != store.MethodEmail {
		return nil
	}
	methods, err := tx.MethodsOf(ctx, userID)
	if err != nil {
		return err
	}
	for _, m := range methods {
		if m.Kind == kind {
			return tx.TouchMethod(ctx, m.ID)
		}
	}
	return nil
}

// requireFreshForChanges lets an authenticated customer change second
// factors only within freshAuth of a password or second-factor check;
// otherwise they confirm their password first. The first setup at login
// follows the password directly and needs nothing more.
func (h *Handler) requireFreshForChanges(c *fiber.Ctx) error {
	sess := currentSession(c)
	if sess.State != SessionAuthenticated || h.isFresh(sess) {
		return c.Next()
	}
	if c.Method() == fiber.MethodGet {
		return redirect(c, PathReauth+"?next="+url.QueryEscape(c.OriginalURL()))
	}
	if h.change(c.Path()) != nil {
		return h.deferChange(c) // carried out once the password is confirmed
	}
	// Another form POST cannot be repeated; return to the page it came from.
	return redirect(c, PathReauth+"?next="+url.QueryEscape(PathSecurity))
}

// firstSetup reports whether the customer sets up the first second factor
// at login (rather than adding one from the account).
func firstSetup(c *fiber.Ctx) bool {
	sess := currentSession(c)
	return sess != nil && sess.State == SessionMFASetup
}
