package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/policy"
	"github.com/hwk/kundenportal/store"
)

// Audit events of setting a password.
const (
	eventPasswordReset = "password.reset"
	eventInviteDone    = "invite.accepted"
	eventRegisterDone  = "register.done"
)

// passwordView builds the set-password screen for a flow's kind.
func passwordView(kind store.FlowKind, email string, result policy.Result, typed bool, confirmTyped bool) components.SetPasswordView {
	v := components.SetPasswordView{
		Title: "password.set.title", Intro: "password.set.intro", Email: email,
		Action: paths.Password, Submit: "password.set.submit",
	}
	if kind == store.FlowPasswordRecovery {
		v.Title, v.Intro, v.Submit = "password.reset.title", "password.reset.intro", "password.reset.submit"
	}
	for _, r := range result {
		checked := typed
		if r.ID == policy.RuleMatch {
			checked = typed && confirmTyped
		}
		v.Rules = append(v.Rules, components.RuleView{ID: r.ID, Checked: checked, OK: r.OK, Reason: r.Reason})
	}
	return v
}

// setPasswordPage shows the form with the rule list before anything is typed.
func (h *Handler) setPasswordPage(c *fiber.Ctx) error {
	f, err := h.passwordFlow(c)
	if isFlowGone(err) {
		return h.flowProblem(c)
	}
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, components.SetPasswordPage(passwordView(f.Kind, f.Email, policy.Check("", "", f.Email), false, false)))
}

// passwordCheck is the live rule check while typing: it answers the rule
// list fragment of the same page. It never logs or stores what was typed.
func (h *Handler) passwordCheck(c *fiber.Ctx) error {
	email := ""
	var kind store.FlowKind
	if f, err := h.passwordFlow(c); err == nil {
		email, kind = f.Email, f.Kind
	} else if u := currentUser(c); u != nil {
		email = u.Email // "Passwort ändern" on the security page
	}
	pw, confirm := formValue(c, components.FieldNewPassword), formValue(c, components.FieldConfirm)
	view := passwordView(kind, email, policy.Check(pw, confirm, email), pw != "", confirm != "")
	return h.render(c, fiber.StatusOK, components.SetPasswordPage(view), "password-rules")
}

// setPasswordSubmit checks both fields against the policy, showing every
// failing rule at once, then sets the password and ends the flow.
func (h *Handler) setPasswordSubmit(c *fiber.Ctx) error {
	f, err := h.passwordFlow(c)
	if isFlowGone(err) {
		return h.flowProblem(c)
	}
	if err != nil {
		return err
	}
	pw, confirm := formValue(c, components.FieldNewPassword), formValue(c, components.FieldConfirm)
	result := policy.Check(pw, confirm, f.Email)
	if !result.OK() {
		view := passwordView(f.Kind, f.Email, result, true, true)
		view.Errors = passwordErrors(result, pw == "")
		return h.render(c, fiber.StatusUnprocessableEntity, components.SetPasswordPage(view), "password-form")
	}
	hash, err := h.opt.Hasher.Hash(c.UserContext(), pw)
	if err != nil {
		return fmt.Errorf("password: hash: %w", err)
	}
	return h.finishPasswordFlow(c, f, hash)
}

// passwordRuleErrors are the error messages of the password rules.
var passwordRuleErrors = map[string]string{
	policy.RuleMinLength: "password.error.min_length",
	policy.RuleUpper:     "password.error.upper",
	policy.RuleLower:     "password.error.lower",
	policy.RuleDigit:     "password.error.digit",
	policy.RuleSpecial:   "password.error.special",
	policy.RuleNotEmail:  "password.error.not_email",
	policy.RuleMatch:     "password.error.match",
}

// passwordErrors lists every failed rule, tied to the field to correct;
// a password too easy to guess says why (a common password, or one common
// word dressed up). For an empty password only the composition rules are
// reasons: "contains your e-mail address" or "does not match" would be
// untrue.
func passwordErrors(result policy.Result, empty bool) components.Errors {
	var errs components.Errors
	for _, rr := range result {
		id := rr.ID
		if rr.OK || empty && (id == policy.RuleNotCommon || id == policy.RuleNotEmail || id == policy.RuleMatch) {
			continue
		}
		field := components.FieldNewPassword
		if id == policy.RuleMatch {
			field = components.FieldConfirm
		}
		msg := passwordRuleErrors[id]
		if rr.Reason != "" {
			msg = rr.Reason
		}
		errs = append(errs, components.FieldError{Field: field, Message: msg})
	}
	return errs
}

// finishPasswordFlow sets the password and finishes the flow in one
// transaction: recovery also ends every session of the account, an
// invitation marks the address verified, a registration creates the account
// and logs the customer in.
func (h *Handler) finishPasswordFlow(c *fiber.Ctx, f *store.Flow, hash string) error {
	var sessionToken string
	next := withNotice(paths.Login, noticePasswordChanged)
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := tx.FinishFlow(ctx, f.ID, nil); err != nil {
			return err
		}
		switch f.Kind {
		case store.FlowPasswordRegistration:
			u, token, err := h.createRegisteredUser(c, tx, f.Email, hash)
			if err != nil {
				return err
			}
			sessionToken, next = token, paths.MFAChoose
			return tx.Audit(ctx, store.AuditEvent{Event: eventRegisterDone, UserID: &u.ID, Email: u.Email, IP: c.IP()})
		case store.FlowPasswordInvitation, store.FlowPasswordRecovery:
			if f.UserID == nil {
				return errors.New("password: flow without user")
			}
			if err := h.setUserPassword(ctx, tx, *f.UserID, hash); err != nil {
				return err
			}
			event := eventPasswordReset
			if f.Kind == store.FlowPasswordInvitation {
				event, next = eventInviteDone, withNotice(paths.Login, noticePasswordSet)
			}
			if err := tx.Audit(ctx, store.AuditEvent{Event: event, UserID: f.UserID, Email: f.Email, IP: c.IP()}); err != nil {
				return err
			}
			if f.Kind != store.FlowPasswordRecovery {
				return nil
			}
			u, err := tx.UserByID(ctx, *f.UserID)
			if err != nil {
				return err
			}
			return h.passwordNotice(c, tx, u, "mail.security.password_reset")
		}
		return fmt.Errorf("password: not a set-password flow: %q", f.Kind)
	})
	if isFlowGone(err) {
		return h.flowProblem(c)
	}
	if err != nil {
		return fmt.Errorf("password: finish: %w", err)
	}
	h.clearFlowCookie(c)
	h.opt.MailNotify()
	if sessionToken != "" {
		h.setSessionCookie(c, sessionToken)
	}
	return redirect(c, next)
}

// setUserPassword stores the hash, marks the address verified (the
// customer proved it by the link), ends every session of the account and
// clears the failures of unknown browsers against it (a stranger's
// guesses no longer hold the customer back).
func (h *Handler) setUserPassword(ctx context.Context, tx *store.Store, userID uuid.UUID, hash string) error {
	if err := tx.SetPassword(ctx, userID, hash); err != nil {
		return err
	}
	u, err := tx.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := tx.ClearThrottle(ctx, scopeLoginAccount, store.NormalizeEmail(u.Email)); err != nil {
		return err
	}
	if err := tx.MarkEmailVerified(ctx, userID); err != nil {
		return err
	}
	if _, err := tx.RevokeOIDCTokensOfUser(ctx, userID, ""); err != nil { // OIDC tokens end with the sessions
		return err
	}
	_, err = tx.DeleteUserSessionsExcept(ctx, userID, uuid.Nil)
	return err
}

// flowProblem explains that the set-password step is no longer open.
func (h *Handler) flowProblem(c *fiber.Ctx) error {
	h.clearFlowCookie(c)
	return h.render(c, fiber.StatusGone, components.ProblemPage(components.ProblemView{
		Title: "flow.expired.title", Body: "flow.expired.body",
		ActionURL: paths.Recovery, ActionText: "link.restart.recovery",
	}))
}
