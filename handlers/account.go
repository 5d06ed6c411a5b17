package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

const (
	eventSessionsEnded = "sessions.ended"
	eventSessionEnded  = "session.ended"
)

// recentLogins is how many logins the overview shows.
const recentLogins = 10

// accountPage is the account overview.
func (h *Handler) accountPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	view := components.AccountView{Email: user.Email, Name: user.Name, Notice: noticeOf(c)}
	companies, err := h.store.LinkedCompanies(ctx, user.ID)
	if err != nil {
		return fmt.Errorf("account: companies: %w", err)
	}
	for i := range companies {
		view.Companies = append(view.Companies, companyView(&companies[i]))
	}
	pending, err := h.store.PendingPINRequestsOf(ctx, user.ID)
	if err != nil {
		return fmt.Errorf("account: pin requests: %w", err)
	}
	view.Pending = h.pendingItems(ctx, pending)
	if err := h.securitySummary(ctx, user, &view); err != nil {
		return err
	}
	if view.Sessions, err = h.sessionItems(c); err != nil {
		return err
	}
	if view.Logins, err = h.loginItems(ctx, user.ID); err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, components.AccountPage(view))
}

// securitySummary lists the second factors and the recovery codes left.
func (h *Handler) securitySummary(ctx context.Context, user *store.User, v *components.AccountView) error {
	methods, err := h.store.MethodsOf(ctx, user.ID)
	if err != nil {
		return fmt.Errorf("account: methods: %w", err)
	}
	for _, m := range methods {
		if id := components.MethodName(m.Kind); !slices.Contains(v.Methods, id) {
			v.Methods = append(v.Methods, id)
		}
	}
	if v.CodesLeft, err = h.store.RecoveryCodesLeft(ctx, user.ID); err != nil {
		return fmt.Errorf("account: recovery codes: %w", err)
	}
	return nil
}

func (h *Handler) sessionItems(c *fiber.Ctx) ([]components.SessionItem, error) {
	sessions, err := h.store.SessionsOfUser(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return nil, fmt.Errorf("account: sessions: %w", err)
	}
	items := make([]components.SessionItem, 0, len(sessions))
	for _, s := range sessions {
		items = append(items, h.sessionItem(c.UserContext(), s, currentSession(c).ID))
	}
	return items, nil
}

func (h *Handler) sessionItem(ctx context.Context, s store.Session, current uuid.UUID) components.SessionItem {
	return components.SessionItem{
		ID: s.ID.String(), Device: DeviceName(s.UserAgent), IP: s.IP,
		Started: h.clock(ctx, s.CreatedAt), LastSeen: h.clock(ctx, s.LastSeenAt), Current: s.ID == current,
	}
}

// loginItems are the recent logins. A login counts as successful only when
// it completed: a second factor passed, or a passkey (which is both
// factors). A correct password alone is not a login and is not listed;
// wrong passwords and wrong second factors are failed attempts.
func (h *Handler) loginItems(ctx context.Context, userID uuid.UUID) ([]components.LoginItem, error) {
	events, err := h.store.AuditEvents(ctx, store.AuditFilter{
		UserID: &userID, Events: []string{eventLoginOK, eventLoginFailed, eventMFAPassed, eventMFAFailed}, Limit: 4 * recentLogins,
	})
	if err != nil {
		return nil, fmt.Errorf("account: logins: %w", err)
	}
	var items []components.LoginItem
	for _, e := range events {
		ok := e.Event == eventMFAPassed || e.Event == eventLoginOK && strings.Contains(e.Detail, "method=passkey")
		if e.Event == eventLoginOK && !ok {
			continue // the password step of a login; the second factor decides
		}
		items = append(items, components.LoginItem{At: h.clock(ctx, e.At), IP: e.IP, Success: ok})
		if len(items) == recentLogins {
			break
		}
	}
	return items, nil
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
		return tx.Audit(ctx, h.auditEvent(c, eventSessionsEnded, user, fmt.Sprintf("count=%d", n)))
	})
	if err != nil {
		return fmt.Errorf("account: end sessions: %w", err)
	}
	return redirect(c, withNotice(paths.Account, noticeSessionsEnded))
}

// otherSession finds the session named by :id among the customer's other
// sessions; ErrNotFound for the current one, another account's or none.
func (h *Handler) otherSession(c *fiber.Ctx) (*store.Session, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return nil, store.ErrNotFound
	}
	sessions, err := h.store.SessionsOfUser(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return nil, fmt.Errorf("account: sessions: %w", err)
	}
	for i := range sessions {
		if sessions[i].ID == id && id != currentSession(c).ID {
			return &sessions[i], nil
		}
	}
	return nil, store.ErrNotFound
}

// endSessionPage asks before one other session is ended.
func (h *Handler) endSessionPage(c *fiber.Ctx) error {
	s, err := h.otherSession(c)
	if errors.Is(err, store.ErrNotFound) {
		return c.Redirect(paths.Account, fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, components.SessionEndPage(h.sessionItem(c.UserContext(), *s, currentSession(c).ID)))
}

// endSessionSubmit ends one other session of the customer.
func (h *Handler) endSessionSubmit(c *fiber.Ctx) error {
	s, err := h.otherSession(c)
	if errors.Is(err, store.ErrNotFound) {
		return redirect(c, paths.Account)
	} else if err != nil {
		return err
	}
	user := currentUser(c)
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if _, err := tx.RevokeOIDCTokensOfSessions(ctx, s.ID); err != nil { // OIDC tokens of that session
			return err
		}
		if err := tx.DeleteSession(ctx, s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.Audit(ctx, h.auditEvent(c, eventSessionEnded, user, "device="+DeviceName(s.UserAgent)))
	})
	if err != nil {
		return fmt.Errorf("account: end session: %w", err)
	}
	return redirect(c, withNotice(paths.Account, noticeSessionEnded))
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
	return c.Redirect(h.afterLogin(formValue(c, components.FieldNext)), fiber.StatusSeeOther)
}

// clock formats a time for customers: the chamber's local time, in the
// page's language ("01.12.2026 19:10", "1 December 2026, 19:10").
func (h *Handler) clock(ctx context.Context, t time.Time) string {
	t = t.In(h.loc)
	if components.PageOf(ctx).Lang == "en" {
		return t.Format("2 January 2006, 15:04")
	}
	return t.Format("02.01.2006 15:04")
}

// day is t's date in the chamber's time zone, in the page's language
// ("01.12.2026", "1 December 2026").
func (h *Handler) day(ctx context.Context, t time.Time) string {
	t = t.In(h.loc)
	if components.PageOf(ctx).Lang == "en" {
		return t.Format("2 January 2006")
	}
	return t.Format("02.01.2006")
}

// DeviceName shortens a user agent to the browser and system a customer
// recognises.
func DeviceName(ua string) string {
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
