package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
)

// Device cookies, after OWASP's scheme against lockout by strangers: a
// browser that completed a login to an account keeps a signed cookie
// naming the account and a random value. Wrong passwords from such a
// known browser are throttled for that browser alone; wrong passwords
// from anywhere else share the account's counter, which never holds back
// a known browser.

// deviceLifetime is how long a browser stays known after its last login.
const deviceLifetime = 180 * 24 * time.Hour

// scopeLoginDevice counts the failures of one known browser for its
// account (key: user id and the browser's value).
const scopeLoginDevice = "login.device"

func (h *Handler) deviceCookieName() string {
	if h.opt.Dev {
		return "device"
	}
	return "__Host-device"
}

// device is a verified device cookie.
type device struct {
	userID uuid.UUID
	nonce  string
}

// key is the device's counter key.
func (d device) key() string { return d.userID.String() + ":" + d.nonce }

// deviceOf reads the request's device cookie; ok is false unless it is
// well formed and signed with the portal's device key.
func (h *Handler) deviceOf(c *fiber.Ctx) (device, bool) {
	v := c.Cookies(h.deviceCookieName())
	payload, sig, found := strings.Cut(v, ".")
	if !found {
		return device{}, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, h.deviceMAC(payload)) {
		return device{}, false
	}
	id, nonce, _ := strings.Cut(payload, ":")
	userID, err := uuid.Parse(id)
	if err != nil || nonce == "" {
		return device{}, false
	}
	return device{userID: userID, nonce: nonce}, true
}

// knownDevice reports whether the request comes from a browser that has
// completed a login to the account userID.
func (h *Handler) knownDevice(c *fiber.Ctx, userID uuid.UUID) bool {
	d, ok := h.deviceOf(c)
	return ok && d.userID == userID
}

// rememberDevice marks the browser as known for userID after a completed
// login, keeping its value when it was known for that account already.
func (h *Handler) rememberDevice(c *fiber.Ctx, userID uuid.UUID) {
	d, ok := h.deviceOf(c)
	if !ok || d.userID != userID {
		b := make([]byte, 16)
		rand.Read(b) // never fails (crypto/rand)
		d = device{userID: userID, nonce: base64.RawURLEncoding.EncodeToString(b)}
	}
	payload := d.key()
	c.Cookie(&fiber.Cookie{
		Name:     h.deviceCookieName(),
		Value:    payload + "." + base64.RawURLEncoding.EncodeToString(h.deviceMAC(payload)),
		Path:     "/",
		MaxAge:   int(deviceLifetime.Seconds()),
		Secure:   !h.opt.Dev,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (h *Handler) deviceMAC(payload string) []byte {
	m := hmac.New(sha256.New, h.deviceKey)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// passwordScope is the counter a password attempt for userID (nil for an
// unknown address) counts against: the known browser's own, or the
// account's shared one.
func (h *Handler) passwordScope(c *fiber.Ctx, userID *uuid.UUID, account string) (scope, key string) {
	if userID != nil {
		if d, ok := h.deviceOf(c); ok && d.userID == *userID {
			return scopeLoginDevice, d.key()
		}
	}
	return scopeLoginAccount, account
}

// UnblockAccount forgets every failure counted against the account: from
// unknown browsers, from its known browsers and at the second step. The
// operator's "portal accounts unblock" runs it.
func UnblockAccount(ctx context.Context, s *store.Store, u *store.User) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.ClearThrottle(ctx, scopeLoginAccount, store.NormalizeEmail(u.Email)); err != nil {
			return fmt.Errorf("unblock: %w", err)
		}
		if err := tx.ClearThrottle(ctx, scopeMFAAccount, u.ID.String()); err != nil {
			return fmt.Errorf("unblock: %w", err)
		}
		if err := tx.ClearThrottlesWithPrefix(ctx, scopeLoginDevice, u.ID.String()+":"); err != nil {
			return fmt.Errorf("unblock: %w", err)
		}
		return tx.Audit(ctx, store.AuditEvent{Event: eventAccountUnblocked, UserID: &u.ID, Email: u.Email, Detail: "by=cli"})
	})
}

// eventAccountUnblocked is the audit event of an operator's unblock.
const eventAccountUnblocked = "account.unblocked"

// passwordAttempt counts a password attempt for user (nil for an unknown
// address) before it is checked: from a known browser against that
// browser alone, else against the account and the client address.
func (h *Handler) passwordAttempt(c *fiber.Ctx, user *store.User, account string) (time.Duration, error) {
	var id *uuid.UUID
	if user != nil {
		id = &user.ID
	}
	scope, key := h.passwordScope(c, id, account)
	if scope == scopeLoginDevice {
		return h.attempt(c.UserContext(), scope, key, "", "")
	}
	return h.attempt(c.UserContext(), scope, key, scopeLoginAddress, c.IP())
}

// passwordSucceeded takes back what passwordAttempt counted.
func (h *Handler) passwordSucceeded(c *fiber.Ctx, tx *store.Store, user *store.User) error {
	scope, key := h.passwordScope(c, &user.ID, store.NormalizeEmail(user.Email))
	if scope == scopeLoginDevice {
		return succeeded(c.UserContext(), tx, scope, key, "", "")
	}
	return succeeded(c.UserContext(), tx, scope, key, scopeLoginAddress, c.IP())
}

// passwordNotTried takes back what passwordAttempt counted for an attempt
// whose password was not checked (the hasher was busy).
func (h *Handler) passwordNotTried(c *fiber.Ctx, user *store.User, account string) error {
	var id *uuid.UUID
	if user != nil {
		id = &user.ID
	}
	ctx := c.UserContext()
	scope, key := h.passwordScope(c, id, account)
	if err := h.store.Refund(ctx, scope, key); err != nil {
		return fmt.Errorf("login: refund attempt: %w", err)
	}
	if scope == scopeLoginDevice {
		return nil
	}
	if err := h.store.Refund(ctx, scopeLoginAddress, c.IP()); err != nil {
		return fmt.Errorf("login: refund attempt: %w", err)
	}
	return nil
}
