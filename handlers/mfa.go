package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

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

// stepUser is the customer of a session that passed the password but not
// yet the second factor (or an authenticated one managing factors).
func stepUser(c *fiber.Ctx) *store.User {
	u, _ := c.Locals(localStepUser).(*store.User)
	return u
}

const localStepUser = "step_user"

// touchKind records the use of the customer's method of kind (TOTP and
// passkeys record their own use when checked).
func touchKind(ctx context.Context, tx *store.Store, userID uuid.UUID, kind factor.Kind) error {
	if kind != factor.Email {
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

// methodKinds lists the kinds of the customer's second factors, each once,
// in the order of MethodsOf (the one used last first).
func (h *Handler) methodKinds(ctx context.Context, user *store.User) ([]factor.Kind, error) {
	methods, err := h.store.MethodsOf(ctx, user.ID)
	if err != nil {
		return nil, fmt.Errorf("mfa: methods: %w", err)
	}
	var kinds []factor.Kind
	seen := map[factor.Kind]bool{}
	for _, m := range methods {
		if !seen[m.Kind] {
			kinds, seen[m.Kind] = append(kinds, m.Kind), true
		}
	}
	return kinds, nil
}
