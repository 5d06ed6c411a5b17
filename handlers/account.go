package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/store"
)

const eventSessionsEnded = "sessions.ended"

// accountPage shows who is logged in, active sessions and recent logins.
func (h *Handler) accountPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user, sess := currentUser(c), currentSession(c)
	sessions, err := h.store.SessionsOfUser(ctx, user.ID)
	if err != nil {
		return fmt.Errorf("account: sessions: %w", err)
	}
	events, err := h.store.AuditEvents(ctx, store.AuditFilter{
		UserID: &user.ID, Events: []string{eventLoginOK, eventLoginFailed}, Limit: 10,
	})
	if err != nil {
		return fmt.Errorf("account: logins: %w", err)
	}
	view := components.AccountView{Email: user.Email, Name: user.Name, Notice: accountNotice(c.Query("notice"))}
	for _, s := range sessions {
		view.Sessions = append(view.Sessions, components.SessionItem{
			ID: s.ID.String(), Device: deviceName(s.UserAgent), IP: s.IP,
			Started: h.clock(s.CreatedAt), LastSeen: h.clock(s.LastSeenAt), Current: s.ID == sess.ID,
		})
	}
	for _, e := range events {
		view.Logins = append(view.Logins, components.LoginItem{At: h.clock(e.At), IP: e.IP, Success: e.Event == eventLoginOK})
	}
	return h.render(c, fiber.StatusOK, components.AccountPage(view))
}

func accountNotice(q string) string {
	if q == "sessions_ended" {
		return "account.sessions.ended"
	}
	return ""
}

// endOtherSessionsSubmit logs the customer out everywhere else.
func (h *Handler) endOtherSessionsSubmit(c *fiber.Ctx) error {
	user, sess := currentUser(c), currentSession(c)
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		n, err := tx.DeleteUserSessionsExcept(ctx, user.ID, sess.ID)
		if err != nil {
			return err
		}
		if _, err := tx.RevokeOIDCTokensOfOtherSessions(ctx, user.ID, sess.ID); err != nil { // OIDC tokens of those sessions
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: eventSessionsEnded, UserID: &user.ID, IP: c.IP(), Detail: fmt.Sprintf("count=%d", n)})
	})
	if err != nil {
		return fmt.Errorf("account: end sessions: %w", err)
	}
	return redirect(c, PathAccount+"?notice=sessions_ended")
}

// sessionExtendSubmit is "Angemeldet bleiben": the request itself renewed
// the session's activity; htmx and fetch get 204, a plain form goes back.
func (h *Handler) sessionExtendSubmit(c *fiber.Ctx) error {
	if sess := currentSession(c); sess != nil && h.store.Now().Sub(sess.LastSeenAt) > 0 {
		if err := h.store.TouchSession(c.UserContext(), sess.ID, h.store.Now()); err != nil {
			return fmt.Errorf("session: extend: %w", err)
		}
	}
	if c.Get("HX-Request") == "true" || c.Get("X-Requested-With") == "fetch" {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(h.afterLogin(c.FormValue("next")), fiber.StatusSeeOther)
}

// clock formats a time for customers: local time of the chamber.
func (h *Handler) clock(t time.Time) string {
	return t.In(h.loc).Format("02.01.2006 15:04")
}

// deviceName shortens a user agent to the browser and system a customer
// recognises.
func deviceName(ua string) string {
	browser := "Browser"
	for _, b := range []string{"Edg/", "Firefox/", "Chrome/", "Safari/"} {
		if strings.Contains(ua, b) {
			browser = map[string]string{"Edg/": "Edge", "Firefox/": "Firefox", "Chrome/": "Chrome", "Safari/": "Safari"}[b]
			break
		}
	}
	for _, s := range []string{"Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"} {
		if strings.Contains(ua, s) {
			return browser + " (" + strings.TrimSpace(strings.Replace(s, "Mac OS", "macOS", 1)) + ")"
		}
	}
	return browser
}
