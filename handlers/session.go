package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
)

// Session states. A session is created at login; until every required
// factor is passed it is not authenticated and grants nothing else.
const (
	SessionAuthenticated = "authenticated"
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
	c.Locals(localSession, sess)
	if sess.State == SessionAuthenticated && sess.UserID != nil {
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

// requireUser lets only logged-in customers through; others go to the login
// page, which returns them here afterwards.
func (h *Handler) requireUser(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Next()
	}
	if sess := currentSession(c); sess != nil && (sess.State == SessionMFASetup || sess.State == SessionMFAVerify) {
		return h.continueLogin(c, sess)
	}
	q := url.Values{"next": {c.OriginalURL()}}
	if expired, _ := c.Locals(localExpired).(bool); expired {
		q.Set("notice", noticeSessionExpired)
	}
	if c.Method() != fiber.MethodGet {
		q.Del("next") // a POST cannot be repeated by a redirect
	}
	if len(q) == 0 {
		return redirect(c, PathLogin)
	}
	return redirect(c, PathLogin+"?"+q.Encode())
}

// startSession ends the request's previous session, if any, and creates a
// new one with a new id for userID in the given state (renewal at login).
func (h *Handler) startSession(c *fiber.Ctx, tx *store.Store, userID uuid.UUID, state string) (*store.Session, string, error) {
	ctx := c.UserContext()
	if old := currentSession(c); old != nil {
		if err := tx.DeleteSession(ctx, old.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, "", fmt.Errorf("session: end previous: %w", err)
		}
	}
	now := h.store.Now()
	sess := &store.Session{
		UserID:    &userID,
		State:     state,
		IP:        c.IP(),
		UserAgent: truncate(c.Get(fiber.HeaderUserAgent), 300),
		ExpiresAt: now.Add(AbsoluteSessionLimit),
	}
	if state == SessionAuthenticated {
		sess.AuthenticatedAt = &now
	}
	raw, err := tx.CreateSession(ctx, sess)
	if err != nil {
		return nil, "", fmt.Errorf("session: create: %w", err)
	}
	return sess, raw, nil
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
