package handlers

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
)

// AbsoluteSessionLimit ends every session this long after login, however
// active it is.
const AbsoluteSessionLimit = 12 * time.Hour

// touchInterval bounds how often a session's last activity is written.
const touchInterval = 15 * time.Second

const (
	localSession = "session"
	localUser    = "user"
	localExpired = "session_expired"
)

func (h *Handler) sessionCookieName() string {
	if h.opt.Dev {
		return "session"
	}
	return "__Host-session"
}

// loadSession finds the session of the request's cookie. A session idle for
// longer than the configured limit is ended here, and the request goes on
// as anonymous with a note that its session expired.
func (h *Handler) loadSession(c *fiber.Ctx) error {
	raw := c.Cookies(h.sessionCookieName())
	if raw == "" {
		return c.Next()
	}
	ctx := c.UserContext()
	sess, err := h.store.SessionByToken(ctx, raw)
	if errors.Is(err, store.ErrNotFound) {
		h.clearSessionCookie(c)
		c.Locals(localExpired, true)
		return c.Next()
	}
	if err != nil {
		return fmt.Errorf("session: load: %w", err)
	}
	now := h.store.Now()
	if now.Sub(sess.LastSeenAt) >= h.opt.SessionIdle {
		if err := h.store.DeleteSession(ctx, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("session: end idle: %w", err)
		}
		h.clearSessionCookie(c)
		c.Locals(localExpired, true)
		return c.Next()
	}
	if now.Sub(sess.LastSeenAt) >= touchInterval {
		if err := h.store.TouchSession(ctx, sess.ID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("session: touch: %w", err)
		}
		sess.LastSeenAt = now
	}
	p, err := parsePending(sess)
	if err != nil {
		return err
	}
	useSession(c, sess, p)
	if sess.State == store.SessionAuthenticated && sess.UserID != nil {
		u, err := h.store.UserByID(ctx, *sess.UserID)
		if err != nil {
			return fmt.Errorf("session: load user: %w", err)
		}
		c.Locals(localUser, u)
	}
	return c.Next()
}

// currentUser is the logged-in customer, or nil.
func currentUser(c *fiber.Ctx) *store.User {
	u, _ := c.Locals(localUser).(*store.User)
	return u
}

// currentSession is the request's session, authenticated or not, or nil.
func currentSession(c *fiber.Ctx) *store.Session {
	s, _ := c.Locals(localSession).(*store.Session)
	return s
}

// setSessionCookie hands the browser its session token: HttpOnly,
// SameSite=Lax, Secure outside --dev, no Max-Age (the server decides when
// the session ends).
func (h *Handler) setSessionCookie(c *fiber.Ctx, raw string) {
	h.sessionChanged(c, raw)
	c.Cookie(&fiber.Cookie{
		Name:     h.sessionCookieName(),
		Value:    raw,
		Path:     "/",
		Secure:   !h.opt.Dev,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// loginCompleted hands the browser the token raw of its new authenticated
// session, remembers it as a known browser of the account (see
// passwordScope) and wakes the mailer for the notices the login queued
// (a new browser's). Every completed login ends here.
func (h *Handler) loginCompleted(c *fiber.Ctx, raw string, userID uuid.UUID) {
	h.opt.MailNotify()
	h.setSessionCookie(c, raw)
	h.rememberDevice(c, userID)
}

func (h *Handler) clearSessionCookie(c *fiber.Ctx) {
	h.sessionChanged(c, "")
	c.Cookie(&fiber.Cookie{
		Name:     h.sessionCookieName(),
		Value:    "",
		Path:     "/",
		Secure:   !h.opt.Dev,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
		Expires:  time.Unix(0, 0),
		MaxAge:   -1,
	})
}

// sessionEnds is when the current session ends if the customer does
// nothing more.
func (h *Handler) sessionEnds(sess *store.Session) time.Time {
	end := sess.LastSeenAt.Add(h.opt.SessionIdle)
	if sess.ExpiresAt.Before(end) {
		end = sess.ExpiresAt
	}
	return end
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
