package handlers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// Audit events of login and logout.
const (
	eventLoginOK     = "login.ok"
	eventLoginFailed = "login.failed"
	eventLoginLegacy = "login.legacy"
	eventLogout      = "logout"
)

// loginPage shows the login form, with a notice after a redirect.
func (h *Handler) loginPage(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(h.afterLogin(queryValue(c, components.FieldNext)), fiber.StatusSeeOther)
	}
	// Both come from the query: without one, the page is kept.
	return h.renderKept(c, "login", components.LoginPage(components.LoginView{
		Next:   nextParam(queryValue(c, components.FieldNext)),
		Notice: noticeOf(c),
	}), "login-form")
}

// loginSubmit checks e-mail and password. Every failure gets the same
// message and takes as long (an unknown address is verified against a dummy
// hash), so the answer never tells whether an address is registered.
func (h *Handler) loginSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := strings.TrimSpace(formValue(c, components.FieldEmail))
	pw := formValue(c, components.FieldPassword)
	view := components.LoginView{Email: email, Next: nextParam(formValue(c, components.FieldNext))}
	if email == "" {
		view.Errors = append(view.Errors, components.FieldError{Field: components.FieldEmail, Message: "login.error.email_missing"})
	}
	if pw == "" {
		view.Errors = append(view.Errors, components.FieldError{Field: components.FieldPassword, Message: "login.error.password_missing"})
	}
	if len(view.Errors) > 0 {
		return h.render(c, fiber.StatusUnprocessableEntity, components.LoginPage(view), "login-form")
	}
	if _, errs := parseEmail(email); errs != nil {
		return h.loginMalformed(c, view, pw)
	}
	account := store.NormalizeEmail(email)
	user, err := h.store.UserByEmail(ctx, account)
	if errors.Is(err, store.ErrNotFound) {
		user, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("login: find user: %w", err)
	}
	wait, err := h.passwordAttempt(c, user, account)
	if err != nil {
		return err
	}
	if wait > 0 {
		return h.loginThrottled(c, view, wait)
	}
	ok, err := h.checkPassword(ctx, user, pw)
	if errors.Is(err, password.ErrBusy) {
		// No password was checked: the attempt is taken back, so waiting
		// out a busy portal never throttles a customer.
		if err := h.passwordNotTried(c, user, account); err != nil {
			return err
		}
		return h.loginBusy(c, view)
	}
	if err != nil {
		return err
	}
	if !ok {
		return h.loginFailed(c, view, account, user)
	}
	return h.loginSucceeded(c, user, view.Next)
}

// loginThrottled shows the login form with the wait.
func (h *Handler) loginThrottled(c *fiber.Ctx, view components.LoginView, wait time.Duration) error {
	view.Errors = throttled(c, wait)
	return h.render(c, fiber.StatusTooManyRequests, components.LoginPage(view), "login-form")
}

// loginMalformed answers a login whose address cannot be an account's
// (too long, a NUL byte, no domain) like a wrong password: the same
// message after the same hash work. It counts against the client address
// only; such a key never reaches the account counters or the database.
func (h *Handler) loginMalformed(c *fiber.Ctx, view components.LoginView, pw string) error {
	ctx := c.UserContext()
	ok, wait, err := h.store.Attempt(ctx, addressThrottle, scopeLoginAddress, c.IP())
	if err != nil {
		return fmt.Errorf("login: count attempt: %w", err)
	}
	view.Email = strings.ToValidUTF8(strings.ReplaceAll(truncate(view.Email, 254), "\x00", ""), "")
	if !ok {
		return h.loginThrottled(c, view, wait)
	}
	if err := h.opt.Hasher.VerifyDummy(ctx, pw); errors.Is(err, password.ErrBusy) {
		if err := h.store.Refund(ctx, scopeLoginAddress, c.IP()); err != nil {
			return fmt.Errorf("login: refund attempt: %w", err)
		}
		return h.loginBusy(c, view)
	} else if err != nil {
		return fmt.Errorf("login: verify: %w", err)
	}
	view.Errors = components.Errors{{Message: "login.error.invalid"}}
	view.ShowHints = true
	return h.render(c, fiber.StatusUnprocessableEntity, components.LoginPage(view), "login-form")
}

// checkPassword verifies pw for user (nil for an unregistered address,
// checked against a dummy hash so it takes as long).
func (h *Handler) checkPassword(ctx context.Context, user *store.User, pw string) (bool, error) {
	// Imported legacy accounts never log in with an old password: they are
	// sent to recovery, whatever they type.
	if user == nil || user.PasswordHash == "" || user.Legacy {
		if err := h.opt.Hasher.VerifyDummy(ctx, pw); err != nil {
			return false, fmt.Errorf("login: verify: %w", err)
		}
		return false, nil
	}
	ok, rehash, err := h.opt.Hasher.Verify(ctx, pw, user.PasswordHash)
	if err != nil {
		return false, fmt.Errorf("login: verify: %w", err)
	}
	if ok && rehash {
		if phc, err := h.opt.Hasher.Hash(ctx, pw); err == nil {
			if err := h.store.SetPassword(ctx, user.ID, phc); err != nil {
				return false, fmt.Errorf("login: rehash: %w", err)
			}
		}
	}
	return ok, nil
}

// loginBusy answers 503 when more logins wait for their password check
// than the portal can do in a few seconds: the form comes back at once with
// the address kept and says when to try again (known and unknown addresses
// alike), instead of a long spinner.
func (h *Handler) loginBusy(c *fiber.Ctx, view components.LoginView) error {
	seconds := setHashRetryAfter(c, h.opt.Hasher)
	view.Errors = components.Errors{{Message: "login.error.busy", Data: map[string]any{"Count": seconds}, Uncorrectable: true}}
	return h.render(c, fiber.StatusServiceUnavailable, components.LoginPage(view), "login-form")
}

// setHashRetryAfter sets Retry-After to the work queued for the hasher, in
// whole seconds, and returns them.
func setHashRetryAfter(c *fiber.Ctx, hasher Hasher) int {
	seconds := int(math.Ceil(hasher.RetryAfter().Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
	return seconds
}

// loginFailed audits the failure (counted before the check) and shows the one generic
// message together with what to do when the password does not work (the
// policy changed; old passwords of imported accounts no longer work).
func (h *Handler) loginFailed(c *fiber.Ctx, view components.LoginView, account string, user *store.User) error {
	ev := store.AuditEvent{Event: eventLoginFailed, Email: account}
	if user != nil {
		ev.UserID = &user.ID
		if user.Legacy {
			ev.Event = eventLoginLegacy
		}
	}
	if err := h.recordFailure(c, ev); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	view.Errors = components.Errors{{Message: "login.error.invalid"}}
	view.ShowHints = true
	return h.render(c, fiber.StatusUnprocessableEntity, components.LoginPage(view), "login-form")
}

// loginSucceeded starts the second-factor step (passwordAccepted): the
// customer sets up a second factor (first login) or passes one. An e-mail
// code is sent at once when that is the method used last.
func (h *Handler) loginSucceeded(c *fiber.Ctx, user *store.User, next string) error {
	ctx := c.UserContext()
	methods, err := h.store.MethodsOf(ctx, user.ID)
	if err != nil {
		return fmt.Errorf("login: methods: %w", err)
	}
	to := paths.MFAChoose
	if len(methods) > 0 {
		to = paths.MFAVerify
	}
	var raw string
	err = h.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		raw, err = h.passwordAccepted(c, tx, user, len(methods) > 0, next)
		return err
	})
	if err != nil {
		return fmt.Errorf("login: start session: %w", err)
	}
	h.setSessionCookie(c, raw)
	if len(methods) > 0 && methods[0].Kind == factor.Email {
		if _, err := h.sendEmailCodeTo(c, user, codeForLogin); err != nil {
			return err
		}
	}
	return redirect(c, to)
}

// afterLogin is where a logged-in customer goes: the local page they came
// from, or their account.
func (h *Handler) afterLogin(next string) string {
	if p := nextParam(next); p != "" {
		return p
	}
	return paths.Account
}

// logoutSubmit ends the session.
func (h *Handler) logoutSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if currentSession(c) != nil {
		err := h.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			return h.loggedOut(c, tx)
		})
		if err != nil {
			return fmt.Errorf("logout: %w", err)
		}
	}
	h.clearSessionCookie(c)
	return redirect(c, withNotice(paths.Login, noticeLoggedOut))
}

// nextParam keeps a return path only when it is local.
func nextParam(next string) string {
	if p := localPath(next); p != paths.Home {
		return p
	}
	return ""
}
