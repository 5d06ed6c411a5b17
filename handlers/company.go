package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

const localCompany = "company"

// numberRe is the form of a Betriebsnummer: 4 to 12 digits.
var numberRe = regexp.MustCompile(`^[0-9]{4,12}$`)

// NormalizeCompanyNumber removes the spaces people type in a number.
func NormalizeCompanyNumber(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// ValidCompanyNumber reports whether s (normalised) is a Betriebsnummer.
func ValidCompanyNumber(s string) bool { return numberRe.MatchString(s) }

// companyRoutes registers the business pages; user wraps handlers with the
// logged-in check.
func (h *Handler) companyRoutes(app *fiber.App, user func(...fiber.Handler) []fiber.Handler) {
	requestLimit := []fiber.Handler{h.rateLimit("pin_request", 20, time.Hour), h.accountLimit("pin_request", 10, time.Hour)}
	linkLimit := []fiber.Handler{h.rateLimit("pin_link", 30, 10*time.Minute), h.accountLimit("pin_link", 20, 10*time.Minute)}
	app.Get(paths.EndSession, user(h.endSessionPage)...)
	app.Post(paths.EndSession, user(h.endSessionSubmit)...)
	app.Get(paths.Companies, user(h.companiesPage)...)
	app.Post(paths.CompanyRequest, user(append(requestLimit, h.pinRequestSubmit)...)...)
	app.Post(paths.CompanyLink, user(append(linkLimit, h.linkCompanySubmit)...)...)
	app.Get(paths.CompanyUnlink, user(h.companyService(h.unlinkCompanyPage)...)...)
	app.Post(paths.CompanyUnlink, user(h.companyService(h.unlinkCompanySubmit)...)...)
	app.Get(paths.CompanyData, user(h.companyService(h.companyDataPage)...)...)
}

// accountLimit counts requests per logged-in account (rateLimit counts per
// client address) in the throttles table: counted and decided in one
// statement, shared by every instance, refused when the count fails.
func (h *Handler) accountLimit(name string, max int, per time.Duration) fiber.Handler {
	policy := store.Throttle{Free: max, Window: per}
	return func(c *fiber.Ctx) error {
		ok, wait, err := h.store.Attempt(c.UserContext(), policy, rateLimitPrefix+name+".account", currentUser(c).ID.String())
		if err != nil {
			return fmt.Errorf("rate limit %s: %w", name, err)
		}
		if !ok {
			h.log.InfoContext(c.UserContext(), "rate limit reached", "limit", name, "scope", "account")
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())))
			return fiber.ErrTooManyRequests
		}
		return c.Next()
	}
}

// companyService is the one gate of every business service: the path's
// :number must name a business the account is linked to, or the answer is
// the 403 page that explains how to link one. The business is in
// c.Locals(localCompany) for the handlers behind it.
func (h *Handler) companyService(hs ...fiber.Handler) []fiber.Handler {
	gate := func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		company, err := h.store.CompanyByNumber(ctx, c.Params("number"))
		if errors.Is(err, store.ErrNotFound) {
			return h.render(c, fiber.StatusForbidden, components.CompanyForbiddenPage())
		} else if err != nil {
			return fmt.Errorf("company: load: %w", err)
		}
		linked, err := h.store.IsLinked(ctx, currentUser(c).ID, company.ID)
		if err != nil {
			return fmt.Errorf("company: check link: %w", err)
		}
		if !linked {
			return h.render(c, fiber.StatusForbidden, components.CompanyForbiddenPage())
		}
		c.Locals(localCompany, company)
		return c.Next()
	}
	return append([]fiber.Handler{gate}, hs...)
}

func currentCompany(c *fiber.Ctx) *store.Company {
	co, _ := c.Locals(localCompany).(*store.Company)
	return co
}

func companyView(co *store.Company) components.CompanyView {
	return components.CompanyView{Number: co.Number, Name: co.Name, Street: co.Street, Postcode: co.Postcode, City: co.City}
}

// companyDataPage is the "Betriebsdaten" service.
func (h *Handler) companyDataPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.CompanyDataPage(companyView(currentCompany(c))))
}

// companiesPage is "Betrieb verknüpfen".
func (h *Handler) companiesPage(c *fiber.Ctx) error {
	v := components.CompanyLinkView{}
	v.Notice = noticeOf(c)
	return h.renderCompanies(c, fiber.StatusOK, v)
}

func (h *Handler) renderCompanies(c *fiber.Ctx, status int, v components.CompanyLinkView, fragments ...any) error {
	pending, err := h.store.PendingPINRequestsOf(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return fmt.Errorf("company: pending requests: %w", err)
	}
	v.Pending = h.pendingItems(c.UserContext(), pending)
	return h.render(c, status, components.CompanyLinkPage(v), fragments...)
}

func (h *Handler) pendingItems(ctx context.Context, rs []store.PendingPINRequest) []components.PendingRequestItem {
	items := make([]components.PendingRequestItem, 0, len(rs))
	for _, r := range rs {
		items = append(items, components.PendingRequestItem{Number: r.Number, Name: r.Name, Date: h.day(ctx, r.CreatedAt)})
	}
	return items
}

// pinRequestSubmit is "PIN anfordern": the same answer whether or not the
// number is in the register; only requests for known numbers are stored.
func (h *Handler) pinRequestSubmit(c *fiber.Ctx) error {
	user := currentUser(c)
	number := NormalizeCompanyNumber(formValue(c, components.FieldRequestNumber))
	if !ValidCompanyNumber(number) {
		v := components.CompanyLinkView{RequestNumber: formValue(c, components.FieldRequestNumber),
			RequestErrors: components.Errors{{Field: components.FieldRequestNumber, Message: numberError(number)}}}
		return h.renderCompanies(c, fiber.StatusUnprocessableEntity, v, "company-request-form")
	}
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		company, err := tx.CompanyByNumber(ctx, number)
		if errors.Is(err, store.ErrNotFound) {
			return tx.Audit(ctx, h.auditEvent(c, eventPINRequested, user, "number="+number+" known=false"))
		} else if err != nil {
			return err
		}
		if _, err := tx.RequestPIN(ctx, user.ID, company.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, h.auditEvent(c, eventPINRequested, user, "number="+number+" known=true"))
	})
	if err != nil {
		return fmt.Errorf("company: request pin: %w", err)
	}
	return redirect(c, withNotice(paths.Companies, noticeCompanyRequest))
}

func numberError(number string) string {
	if number == "" {
		return "company.number.error.missing"
	}
	return "company.number.error.invalid"
}

// auditEvent is an audit row about the logged-in user of c.
func (h *Handler) auditEvent(c *fiber.Ctx, event string, user *store.User, detail string) store.AuditEvent {
	return store.AuditEvent{Event: event, UserID: &user.ID, Email: user.Email, IP: c.IP(),
		UserAgent: truncate(c.Get(fiber.HeaderUserAgent), 300), Detail: detail}
}
