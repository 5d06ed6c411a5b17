package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/store"
)

// Limits of the provider's back-channel endpoints (token, introspection,
// revocation), each counted per client address and, for calls that carry
// a confidential client's secret, per client id, over one minute. A
// service's backend calls from one address as one client, so both limits
// bound it; the defaults leave a busy service ten calls a second.
// Options.OIDCEndpointLimit changes them (tests).
const (
	oidcEndpointLimit  = 600
	oidcEndpointWindow = time.Minute
)

// oidcEndpointLimit counts one call of the endpoint name per client
// address and then, when the call carries the secret of the client it
// names, per client id, atomically in the throttles table, before the
// provider looks at the request. A call that only names a client counts
// against its address alone: otherwise anyone could use up a service's
// allowance by naming it, and lock the service out. Over a limit, or when
// the count fails, the answer is the OAuth error format (RFC 6749 section
// 5.2) with status 429 and Retry-After, never an HTML page.
func (h *Handler) oidcEndpointLimit(name string) fiber.Handler {
	policy := store.Throttle{Free: h.opt.OIDCEndpointLimit, Window: oidcEndpointWindow}
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		keys := [][2]string{{"address", c.IP()}}
		if id, ok := h.oidcAuthenticatedClient(c); ok {
			keys = append(keys, [2]string{"client", limitKey(id)})
		}
		for _, k := range keys {
			ok, wait, err := h.store.Attempt(ctx, policy, rateLimitPrefix+name+"."+k[0], k[1])
			if err != nil {
				h.log.WarnContext(ctx, "rate limit failed", "limit", name, "err", err)
				return oauthError(c, fiber.StatusServiceUnavailable, "temporarily_unavailable", "the request could not be counted; try again later", time.Second)
			}
			if !ok {
				h.log.InfoContext(ctx, "rate limit reached", "limit", name, "scope", k[0])
				return oauthError(c, fiber.StatusTooManyRequests, "temporarily_unavailable", "too many requests; try again after Retry-After seconds", wait)
			}
		}
		return c.Next()
	}
}

// oauthError answers like the token endpoint: a JSON error object.
func oauthError(c *fiber.Ctx, status int, code, description string, wait time.Duration) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(max(wait, time.Second).Seconds())))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(fiber.Map{"error": code, "error_description": description})
}

// oidcAuthenticatedClient is the confidential client the request proves to
// be: the client it names (the user name of HTTP Basic authentication,
// client_secret_basic, form-encoded as RFC 6749 section 2.3.1 says, or the
// client_id form field) when it carries that client's current secret (the
// Basic password or the client_secret form field). The provider checks
// the client again; this only decides which counters a call counts
// against.
func (h *Handler) oidcAuthenticatedClient(c *fiber.Ctx) (string, bool) {
	id, secret, ok := basicCredentials(c.Get(fiber.HeaderAuthorization))
	if !ok {
		id, secret = formValue(c, fieldClientID), formValue(c, fieldClientSecret)
	}
	if id == "" || secret == "" {
		return "", false
	}
	client, err := h.store.OIDCClientByID(c.UserContext(), id)
	if err != nil || client.Public || !client.SecretMatches(secret) {
		return "", false
	}
	return id, true
}

// basicCredentials are the user name and password of an HTTP Basic
// Authorization header, each form-decoded.
func basicCredentials(header string) (user, password string, ok bool) {
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	if u, err := url.QueryUnescape(user); err == nil {
		user = u
	}
	if p, err := url.QueryUnescape(password); err == nil {
		password = p
	}
	return user, password, true
}

// limitKey keeps a request-chosen key short: a long one (which would not
// fit the counters' index) is counted by its hash.
func limitKey(s string) string {
	if len(s) <= 128 {
		return "id:" + s
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}
