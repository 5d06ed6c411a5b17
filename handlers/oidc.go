package handlers

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/handlers/provider"
	"github.com/hwk/kundenportal/store"
)

// oidcRoutes mounts the provider. Its endpoints carry no CSRF token (they
// are called by services and by redirects from them); the steps a person
// sees are portal pages with the usual middleware.
func (h *Handler) oidcRoutes(app *fiber.App, with func(...fiber.Handler) []fiber.Handler) {
	op := adaptor.HTTPHandler(h.oidc.Handler())
	app.Get(provider.PathDiscovery, op)
	for _, p := range []string{provider.PathKeys, provider.PathUserinfo} {
		app.All(p, op)
	}
	app.All(provider.PathToken, h.oidcEndpointLimit("oidc_token"), op)
	app.All(provider.PathIntrospect, h.oidcEndpointLimit("oidc_introspect"), op)
	app.All(provider.PathRevoke, h.oidcEndpointLimit("oidc_revoke"), op)
	app.All(provider.PathAuthorize, h.loadSession, h.language, h.oidcCheckClient, h.oidcBrowser, op)
	app.Get(provider.PathCallback, h.loadSession, h.language, h.oidcCheckCallback, op)
	app.All(provider.PathLogout, h.loadSession, h.language, h.oidcConfirmLogout, h.oidcCheckLogout, h.oidcBrowser, h.oidcLogout(op))
	app.Get(paths.OIDCLogoutConfirm, with(h.requireUser, h.oidcLogoutConfirmPage)...)
	app.Get(paths.OIDCLogin, with(h.oidcLoginPage)...)
	app.Get(paths.OIDCContinue, with(h.oidcContinuePage)...)
	app.Get(paths.OIDCConsent, with(h.requireUser, h.oidcConsentPage)...)
	app.Post(paths.OIDCConsent, with(h.requireUser, h.oidcConsentSubmit)...)
	app.Get(paths.Services, with(h.requireUser, h.servicesPage)...)
	app.Post(paths.ServicesRevoke, with(h.requireUser, h.servicesRevokeSubmit)...)
}

// oidcErrors are the message ids (title, body) of the error pages of
// requests to the provider that cannot be answered to the service.
var oidcErrors = map[string][2]string{
	"client":   {"oidc.error.client.title", "oidc.error.client.body"},
	"redirect": {"oidc.error.redirect.title", "oidc.error.redirect.body"},
	"request":  {"oidc.error.request.title", "oidc.error.request.body"},
	"logout":   {"oidc.error.logout.title", "oidc.error.logout.body"},
}

// oidcError shows one of the portal's error pages for such a request.
func (h *Handler) oidcError(c *fiber.Ctx, kind string) error {
	m := oidcErrors[kind]
	return h.render(c, fiber.StatusBadRequest, components.ErrorPage(components.ErrorView{Title: m[0], Body: m[1]}))
}

// oidcCheckClient refuses an unknown client or a redirect URI that is not
// registered for it with an error page: such a request must never be
// redirected anywhere. Everything else op checks and answers to the
// (now trusted) redirect URI.
func (h *Handler) oidcCheckClient(c *fiber.Ctx) error {
	client, err := h.store.OIDCClientByID(c.UserContext(), formOrQuery(c, fieldClientID))
	if errors.Is(err, store.ErrNotFound) {
		return h.oidcError(c, "client")
	}
	if err != nil {
		return err
	}
	if !slices.Contains(client.RedirectList(), formOrQuery(c, fieldRedirectURI)) {
		return h.oidcError(c, "redirect")
	}
	return c.Next()
}

// Parameters of OpenID Connect requests that the portal reads itself (the
// provider reads the rest).
const (
	fieldClientID              components.Field = "client_id"
	fieldClientSecret          components.Field = "client_secret"
	fieldRedirectURI           components.Field = "redirect_uri"
	fieldIDTokenHint           components.Field = "id_token_hint"
	fieldPostLogoutRedirectURI components.Field = "post_logout_redirect_uri"
)

// formOrQuery is the parameter key of a POST's form or a GET's query.
func formOrQuery(c *fiber.Ctx, key components.Field) string {
	if c.Method() == fiber.MethodPost {
		return formValue(c, key)
	}
	return queryValue(c, key)
}

// oidcBrowser hands the provider the request's portal session.
func (h *Handler) oidcBrowser(c *fiber.Ctx) error {
	if user, sess := currentUser(c), currentSession(c); user != nil && sess.AuthenticatedAt != nil {
		c.Locals(provider.BrowserKey, &provider.Browser{
			SessionID: sess.ID, UserID: user.ID, AuthenticatedAt: *sess.AuthenticatedAt, IP: c.IP(),
		})
	}
	return c.Next()
}

// oidcCheckCallback lets only the browser that completed the login fetch
// the code for it.
func (h *Handler) oidcCheckCallback(c *fiber.Ctx) error {
	req, err := h.oidc.Request(c.UserContext(), queryValue(c, components.FieldID))
	if errors.Is(err, store.ErrNotFound) {
		return h.oidcError(c, "request")
	}
	if err != nil {
		return err
	}
	sess := currentSession(c)
	if !req.Done || sess == nil || req.SessionID == nil || *req.SessionID != sess.ID {
		return h.oidcError(c, "request")
	}
	return c.Next()
}

// oidcConfirmLogout lets a logout request without an ID token hint end
// nothing by itself: any site can send a browser to the end-session
// endpoint (a link, an image), so the customer is asked first, and the
// "Abmelden" button is the portal's own CSRF-protected logout. A request
// with a hint comes from a service that logged the customer in; op checks
// the hint.
func (h *Handler) oidcConfirmLogout(c *fiber.Ctx) error {
	if formOrQuery(c, fieldIDTokenHint) != "" || currentUser(c) == nil {
		return c.Next()
	}
	return redirect(c, paths.OIDCLogoutConfirm)
}

// oidcLogoutConfirmPage is "Vom Kundenportal abmelden?".
func (h *Handler) oidcLogoutConfirmPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.ConfirmStepPage(components.ConfirmStepView{
		Title: "oidc.logout_confirm.title", Body: []string{"oidc.logout_confirm.body"},
		Action: paths.Logout, Confirm: "oidc.logout_confirm.submit", CancelURL: paths.Account,
	}))
}

// oidcCheckLogout shows an error page for a post_logout_redirect_uri the
// service did not register, instead of op's plain-text answer.
func (h *Handler) oidcCheckLogout(c *fiber.Ctx) error {
	uri := formOrQuery(c, fieldPostLogoutRedirectURI)
	if uri == "" {
		return c.Next()
	}
	id := formOrQuery(c, fieldClientID)
	if id == "" {
		id = audienceOf(formOrQuery(c, fieldIDTokenHint))
	}
	client, err := h.store.OIDCClientByID(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !slices.Contains(client.PostLogoutList(), uri) {
		return h.oidcError(c, "logout")
	}
	if err != nil {
		return err
	}
	return c.Next()
}

// audienceOf reads the first audience of an ID token without verifying it:
// only to pick the client whose logout URIs to check; op verifies the token.
func audienceOf(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	var one string
	if json.Unmarshal(claims.Aud, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(claims.Aud, &many) == nil && len(many) > 0 {
		return many[0]
	}
	return ""
}

// oidcLogout runs op's end-session endpoint and clears the cookie of a
// session it ended.
func (h *Handler) oidcLogout(op fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := op(c); err != nil {
			return err
		}
		if b, _ := c.Locals(provider.BrowserKey).(*provider.Browser); b != nil && b.Ended {
			h.clearSessionCookie(c)
		}
		return nil
	}
}
