package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
)

// claimMessages are the message ids of what each scope lets a service see.
var claimMessages = []struct{ scope, message string }{
	{oidc.ScopeOpenID, "oidc.consent.claim.id"},
	{oidc.ScopeEmail, "oidc.consent.claim.email"},
	{oidc.ScopeProfile, "oidc.consent.claim.profile"},
	{provider.ScopeBusinesses, "oidc.consent.claim.businesses"},
	{oidc.ScopeOfflineAccess, "oidc.consent.claim.offline"},
}

// oidcHasConsent: first-party services need none; others need a stored
// consent that covers every scope asked for.
func (h *Handler) oidcHasConsent(ctx context.Context, req *provider.Request, userID uuid.UUID) (bool, error) {
	if req.Client.FirstParty {
		return true, nil
	}
	consent, err := h.store.OIDCConsentOf(ctx, userID, req.Client.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("oidc: consent: %w", err)
	}
	given := strings.Fields(consent.Scopes)
	for _, s := range req.Scopes {
		if !slices.Contains(given, s) {
			return false, nil
		}
	}
	return true, nil
}

// oidcConsentPage asks the customer whether the service may see their data.
func (h *Handler) oidcConsentPage(c *fiber.Ctx) error {
	req, err := h.oidcRequest(c, queryValue(c, components.FieldID))
	if req == nil {
		return err
	}
	view := components.OIDCConsentView{ID: req.ID.String(), Service: req.Client.Name}
	for _, sc := range claimMessages {
		if slices.Contains(req.Scopes, sc.scope) {
			view.Claims = append(view.Claims, sc.message)
		}
	}
	return h.render(c, fiber.StatusOK, components.OIDCConsentPage(view))
}

// oidcConsentSubmit records the answer and goes on through the continue
// page (a redirect to the service right after this POST would be blocked
// by the CSP's form-action).
func (h *Handler) oidcConsentSubmit(c *fiber.Ctx) error {
	req, err := h.oidcRequest(c, formValue(c, components.FieldID))
	if req == nil {
		return err
	}
	user := currentUser(c)
	allow := formValue(c, components.FieldDecision) == "allow"
	event := eventOIDCConsentDenied
	if allow {
		event = eventOIDCConsent
	}
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if allow {
			if err := tx.SaveOIDCConsent(ctx, user.ID, req.Client.ID, req.Scopes); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, store.AuditEvent{Event: event, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "client=" + req.Client.ID})
	})
	if err != nil {
		return fmt.Errorf("oidc: consent: %w", err)
	}
	to := components.WithQuery(paths.OIDCContinue, components.FieldID, req.ID.String())
	if !allow {
		to = components.WithQuery(to, components.FieldDenied, "1")
	}
	return redirect(c, to)
}

// servicesPage lists the services the customer allowed.
func (h *Handler) servicesPage(c *fiber.Ctx) error {
	user := currentUser(c)
	consents, err := h.store.OIDCConsentsOf(c.UserContext(), user.ID)
	if err != nil {
		return fmt.Errorf("services: list: %w", err)
	}
	view := components.OIDCServicesView{Notice: noticeOf(c)}
	for _, cs := range consents {
		view.Services = append(view.Services, components.OIDCService{ID: cs.ClientID, Name: cs.ClientName, Since: h.clock(c.UserContext(), cs.CreatedAt)})
	}
	return h.render(c, fiber.StatusOK, components.OIDCServicesPage(view))
}

// servicesRevokeSubmit withdraws a consent; the service's tokens end too.
func (h *Handler) servicesRevokeSubmit(c *fiber.Ctx) error {
	user := currentUser(c)
	clientID := formValue(c, components.FieldClient)
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := tx.RevokeOIDCConsent(ctx, user.ID, clientID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: eventOIDCConsentRevoke, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "client=" + clientID})
	})
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("services: revoke: %w", err)
	}
	return redirect(c, withNotice(paths.Services, noticeServiceRevoked))
}
