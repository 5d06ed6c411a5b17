package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
)

// Audit events of the portal's OIDC steps.
const (
	eventOIDCConsent       = "openid.consent.given"
	eventOIDCConsentDenied = "openid.consent.denied"
	eventOIDCConsentRevoke = "openid.consent.revoked"
	eventOIDCReauth        = "openid.reauth"
)

// oidcRequest loads the authorization request id, or shows the error
// page for an unknown, expired or used one (then the request is nil).
func (h *Handler) oidcRequest(c *fiber.Ctx, id string) (*provider.Request, error) {
	req, err := h.oidc.Request(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, h.oidcError(c, "request")
	}
	if err != nil {
		return nil, fmt.Errorf("oidc: load request: %w", err)
	}
	return req, nil
}

// oidcLoginPage is where op sends an authorization request. A customer
// logged in recently enough goes straight back to the service (after
// consent, for services that need it); anyone else logs in through the
// portal's usual pages and comes back through the continue page.
func (h *Handler) oidcLoginPage(c *fiber.Ctx) error {
	req, err := h.oidcRequest(c, queryValue(c, components.FieldID))
	if req == nil {
		return err
	}
	if queryValue(c, components.FieldDenied) == "1" {
		return h.oidcDeny(c, req, oidc.ErrAccessDenied().WithDescription("the customer declined"))
	}
	user, sess := currentUser(c), currentSession(c)
	if user == nil || h.oidcNeedsFreshLogin(req, sess) {
		if slices.Contains(req.Prompt, oidc.PromptNone) {
			return h.oidcDeny(c, req, oidc.ErrLoginRequired())
		}
		if user != nil {
			if err := h.oidcEndForReauth(c, sess); err != nil {
				return err
			}
		}
		next := components.WithQuery(paths.OIDCContinue, components.FieldID, req.ID.String())
		return c.Redirect(components.WithQuery(paths.Login, components.FieldNext, next), fiber.StatusSeeOther)
	}
	ok, err := h.oidcHasConsent(c.UserContext(), req, user.ID)
	if err != nil {
		return err
	}
	if !ok {
		if slices.Contains(req.Prompt, oidc.PromptNone) {
			return h.oidcDeny(c, req, &oidc.Error{ErrorType: "consent_required"})
		}
		return c.Redirect(components.WithQuery(paths.OIDCConsent, components.FieldID, req.ID.String()), fiber.StatusSeeOther)
	}
	return h.oidcComplete(c, req, sess)
}

// oidcNeedsFreshLogin: prompt=login wants a login after the request was
// made, max_age one within that many seconds.
func (h *Handler) oidcNeedsFreshLogin(req *provider.Request, sess *store.Session) bool {
	if sess.AuthenticatedAt == nil {
		return true
	}
	at := *sess.AuthenticatedAt
	if slices.Contains(req.Prompt, oidc.PromptLogin) && at.Before(req.CreatedAt) {
		return true
	}
	return req.MaxAge != nil && h.store.Now().Sub(at) > time.Duration(*req.MaxAge)*time.Second
}

// oidcEndForReauth ends the current session (and the tokens issued in it)
// so that the customer logs in again.
func (h *Handler) oidcEndForReauth(c *fiber.Ctx, sess *store.Session) error {
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := provider.EndSession(ctx, tx, sess.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: eventOIDCReauth, UserID: sess.UserID, IP: c.IP()})
	})
	if err != nil {
		return fmt.Errorf("oidc: end session for a fresh login: %w", err)
	}
	h.clearSessionCookie(c)
	return nil
}

// oidcComplete binds the request to the session and lets op send the code.
func (h *Handler) oidcComplete(c *fiber.Ctx, req *provider.Request, sess *store.Session) error {
	ctx := c.UserContext()
	method, err := h.store.SessionAuthMethod(ctx, sess.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("oidc: session method: %w", err)
	}
	if err := h.oidc.Complete(ctx, req.ID, *sess.UserID, sess.ID, *sess.AuthenticatedAt, method); errors.Is(err, store.ErrNotFound) {
		return h.oidcError(c, "request")
	} else if err != nil {
		return fmt.Errorf("oidc: complete request: %w", err)
	}
	return c.Redirect(h.oidc.CallbackURL(req.ID), fiber.StatusFound)
}

// oidcDeny answers the service with an OAuth error at its redirect URI.
func (h *Handler) oidcDeny(c *fiber.Ctx, req *provider.Request, reason *oidc.Error) error {
	return adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.oidc.Deny(w, r, req.ID, reason)
	})(c)
}

// oidcContinuePage ends the login's chain of form posts and redirects: the
// browser loads this page and only then goes on to the service. Chromium
// applies the CSP's form-action to every redirect after a form POST, so
// a redirect straight to the service's origin would be blocked. The page
// goes on by itself (Refresh header, no script) and has a link as well.
func (h *Handler) oidcContinuePage(c *fiber.Ctx) error {
	req, err := h.oidcRequest(c, queryValue(c, components.FieldID))
	if req == nil {
		return err
	}
	to := components.WithQuery(paths.OIDCLogin, components.FieldID, req.ID.String())
	if queryValue(c, components.FieldDenied) == "1" {
		to = components.WithQuery(to, components.FieldDenied, "1")
	}
	c.Set("Refresh", "0; url="+to)
	return h.render(c, fiber.StatusOK, components.OIDCContinuePage(components.OIDCContinueView{
		Service: req.Client.Name, URL: to,
	}))
}
