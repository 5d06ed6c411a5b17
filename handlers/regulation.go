package handlers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/factor"
)

// Regulation of failed attempts, after authelia's: attempts are counted
// per account and per client address in the database, so every instance
// sees them, and each attempt is counted before the password or code is
// checked, in one statement that also decides (so parallel guesses cannot
// all pass a check). A success takes its attempt back. An account with too
// many recent failures must wait a growing delay (never a permanent lock a
// stranger could cause); an address with very many failures is refused
// for a while. An attempt whose password was not checked (the hasher was
// busy) is taken back too.
const (
	failureWindow    = 15 * time.Minute
	accountFreeTries = 5
	addressMaxTries  = 30
	addressBlock     = 15 * time.Minute
)

var (
	accountThrottle = store.Throttle{Free: accountFreeTries, Window: failureWindow, Sliding: true, Delays: []time.Duration{
		30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute,
	}}
	addressThrottle = store.Throttle{Free: addressMaxTries, Window: failureWindow, Sliding: true, Delays: []time.Duration{addressBlock}}
)

// Failure scopes.
const (
	scopeLoginAccount = "login.account"
	scopeLoginAddress = "login.ip"
)

// attempt counts one attempt for the account key and the client address
// and tells how long they must still wait; zero when this attempt may go
// on. It fails closed: an error refuses the attempt.
// An empty addressScope counts no address (a known browser's password).
func (h *Handler) attempt(ctx context.Context, accountScope, account, addressScope, address string) (time.Duration, error) {
	if addressScope != "" {
		ok, wait, err := h.store.Attempt(ctx, addressThrottle, addressScope, address)
		if err != nil {
			return 0, fmt.Errorf("regulation: address: %w", err)
		}
		if !ok {
			return wait, nil
		}
	}
	ok, wait, err := h.store.Attempt(ctx, accountThrottle, accountScope, account)
	if err != nil {
		return 0, fmt.Errorf("regulation: account: %w", err)
	}
	if !ok && addressScope != "" {
		// Nothing was tried: the address keeps its attempt for a real one.
		if err := h.store.Refund(ctx, addressScope, address); err != nil {
			return 0, fmt.Errorf("regulation: refund address: %w", err)
		}
	}
	return wait, nil
}

// succeeded forgets the account's attempts and takes back the address's
// one: a success is no failure.
func succeeded(ctx context.Context, tx *store.Store, accountScope, account, addressScope, address string) error {
	if err := tx.ClearThrottle(ctx, accountScope, account); err != nil {
		return fmt.Errorf("regulation: clear: %w", err)
	}
	if addressScope == "" {
		return nil
	}
	if err := tx.Refund(ctx, addressScope, address); err != nil {
		return fmt.Errorf("regulation: refund: %w", err)
	}
	return nil
}

// recordFailure audits a failed password, code or passkey (ev, from the
// client's address). The attempt itself was counted before the check
// (attempt, passwordAttempt), so the event is all a failure adds.
func (h *Handler) recordFailure(c *fiber.Ctx, ev store.AuditEvent) error {
	ev.IP = c.IP()
	if err := h.store.Audit(c.UserContext(), ev); err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	return nil
}

// recordMFAFailure audits a wrong second factor of kind for the step's
// customer.
func (h *Handler) recordMFAFailure(c *fiber.Ctx, kind factor.Kind) error {
	user := stepUser(c)
	return h.recordFailure(c, store.AuditEvent{Event: eventMFAFailed, UserID: &user.ID, Email: user.Email, Detail: "method=" + string(kind)})
}

// checkCurrentPassword checks the logged-in customer's password before a
// change, regulated like a login: the attempt is counted first (a wait
// above zero: nothing was checked, the customer must wait), and a wrong
// password is audited as a failed login, detail naming the step. A right
// one stays counted until the caller's transaction takes it back with
// passwordSucceeded. When the portal is too busy to check (password.ErrBusy)
// the attempt is given back and the error returned, for the 503 page.
func (h *Handler) checkCurrentPassword(c *fiber.Ctx, user *store.User, pw, detail string) (wait time.Duration, ok bool, err error) {
	wait, err = h.passwordAttempt(c, user, store.NormalizeEmail(user.Email))
	if err != nil || wait > 0 {
		return wait, false, err
	}
	ok, err = h.checkPassword(c.UserContext(), user, pw)
	if errors.Is(err, password.ErrBusy) {
		// No password was checked: the attempt is taken back, as a busy
		// login's is, and the busy page answers.
		if err := h.passwordNotTried(c, user, store.NormalizeEmail(user.Email)); err != nil {
			return 0, false, err
		}
		return 0, false, err
	}
	if err != nil || ok {
		return 0, ok, err
	}
	return 0, false, h.recordFailure(c, store.AuditEvent{Event: eventLoginFailed, UserID: &user.ID, Email: user.Email, Detail: detail})
}

// retryMinutes rounds a wait up to whole minutes for the message.
func retryMinutes(d time.Duration) int {
	return int(math.Ceil(d.Minutes()))
}

// rateLimitPrefix starts every rate-limit scope: a fixed name of the
// code's choosing, so no request can name or touch another counter.
const rateLimitPrefix = "rl."

// rateLimit limits requests per client address and route, counted in the
// database so several instances share the count, and decided on the
// count one statement returns. Past the limit the localized 429 page says
// how long to wait. When the count cannot be stored the request is refused.
func (h *Handler) rateLimit(name string, max int, per time.Duration) fiber.Handler {
	return h.rateLimitForm(name, max, per, nil)
}

// rateLimitForm is rateLimit for a form the customer typed into: past the
// limit, again shows the form once more with what was typed and the error
// that says how long to wait (status 429), instead of the error page.
func (h *Handler) rateLimitForm(name string, max int, per time.Duration, again func(c *fiber.Ctx, errs components.Errors) error) fiber.Handler {
	policy := store.Throttle{Free: max, Window: per}
	return func(c *fiber.Ctx) error {
		ok, wait, err := h.store.Attempt(c.UserContext(), policy, rateLimitPrefix+name, c.IP())
		if err != nil {
			return fmt.Errorf("rate limit %s: %w", name, err)
		}
		if !ok {
			h.log.InfoContext(c.UserContext(), "rate limit reached", "limit", name, "ip", c.IP())
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
			if again != nil {
				return again(c, components.Errors{{Message: "request.error.throttled", Data: map[string]any{"Count": retryMinutes(wait)}, Uncorrectable: true}})
			}
			return fiber.ErrTooManyRequests
		}
		return c.Next()
	}
}

// throttled sets Retry-After for wait and returns the form error that says
// how long to wait, the one answer of every throttled password or code.
func throttled(c *fiber.Ctx, wait time.Duration) components.Errors {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
	return components.Errors{{Message: "login.error.throttled", Data: map[string]any{"Count": retryMinutes(wait)}, Uncorrectable: true}}
}
