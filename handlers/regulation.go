package handlers

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/hwk/kundenportal/store"
)

// Regulation of failed attempts, after authelia's: failures are counted per
// account and per client address in the database, so every instance sees
// them. An account with too many recent failures must wait a growing delay
// (never a permanent lock a stranger could cause); an address with very
// many failures is refused for a while.
const (
	failureWindow     = 15 * time.Minute
	accountFreeTries  = 5
	accountFirstDelay = 30 * time.Second
	accountMaxDelay   = 15 * time.Minute
	addressMaxTries   = 30
	addressBlock      = 15 * time.Minute
)

// Failure scopes.
const (
	scopeLoginAccount = "login.account"
	scopeLoginAddress = "login.ip"
)

// blockedFor tells how long the account key and the client address must
// still wait before another attempt; zero when they may try now.
func (h *Handler) blockedFor(ctx context.Context, accountScope, account, addressScope, address string) (time.Duration, error) {
	now := h.store.Now()
	since := now.Add(-failureWindow)
	n, last, err := h.store.Failures(ctx, addressScope, address, since)
	if err != nil {
		return 0, fmt.Errorf("regulation: address failures: %w", err)
	}
	if n >= addressMaxTries {
		if wait := last.Add(addressBlock).Sub(now); wait > 0 {
			return wait, nil
		}
	}
	n, last, err = h.store.Failures(ctx, accountScope, account, since)
	if err != nil {
		return 0, fmt.Errorf("regulation: account failures: %w", err)
	}
	if n < accountFreeTries {
		return 0, nil
	}
	delay := time.Duration(float64(accountFirstDelay) * math.Pow(2, float64(n-accountFreeTries)))
	if delay > accountMaxDelay || delay <= 0 {
		delay = accountMaxDelay
	}
	return max(last.Add(delay).Sub(now), 0), nil
}

// recordFailure counts one failure for the account key and the address.
func (h *Handler) recordFailure(ctx context.Context, tx *store.Store, accountScope, account, addressScope, address string) error {
	if err := tx.RecordFailure(ctx, accountScope, account); err != nil {
		return fmt.Errorf("regulation: record: %w", err)
	}
	if err := tx.RecordFailure(ctx, addressScope, address); err != nil {
		return fmt.Errorf("regulation: record: %w", err)
	}
	return nil
}

// retryMinutes rounds a wait up to whole minutes for the message.
func retryMinutes(d time.Duration) int {
	return int(math.Ceil(d.Minutes()))
}

// rateLimit limits requests per client address and route, counted in the
// database so several instances share the count. Past the limit the
// localized 429 page says to wait.
func (h *Handler) rateLimit(name string, max int, per time.Duration) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        max,
		Expiration: per,
		Storage:    h.store.KV(),
		KeyGenerator: func(c *fiber.Ctx) string {
			return "rl:" + name + ":" + c.IP()
		},
		LimitReached: func(c *fiber.Ctx) error {
			h.log.InfoContext(c.UserContext(), "rate limit reached", "limit", name, "ip", c.IP())
			return fiber.ErrTooManyRequests
		},
	})
}
