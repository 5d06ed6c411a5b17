package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// Audit events of registration.
const (
	eventRegisterRequested = "register.requested"
	eventRegisterExisting  = "register.existing_address"
)

// registerTTL is how long a verification link of a registration works.
const registerTTL = 24 * time.Hour

func registerRequestView(email string, errs components.Errors) components.EmailRequestView {
	return components.EmailRequestView{
		Title: "register.title", Intro: "register.intro", Action: paths.Register,
		Submit: "register.submit", Hint: "register.email_hint", Email: email, Errors: errs,
	}
}

// registerPage asks for the e-mail address of a new account.
func (h *Handler) registerPage(c *fiber.Ctx) error {
	return h.renderKept(c, "register", components.EmailRequestPage(registerRequestView("", nil)), "email-form")
}

// registerSubmit sends a verification link to a new address; the owner of
// an address that already has an account gets a mail saying so instead.
// Both answers are the same page after the same time.
func (h *Handler) registerSubmit(c *fiber.Ctx) error {
	return h.mailRequestSubmit(c, registerRequestView, func(ctx context.Context, tx *store.Store, email string) error {
		return h.requestRegistration(ctx, tx, email, c.IP(), h.langOf(c))
	}, paths.RegisterSent)
}

// registerAgain shows the registration form again with the typed address
// and errs (a throttled request).
func (h *Handler) registerAgain(c *fiber.Ctx, errs components.Errors) error {
	return h.mailRequestAgain(c, registerRequestView, errs)
}

func (h *Handler) requestRegistration(ctx context.Context, tx *store.Store, email, ip, lang string) error {
	if limited, err := h.mailLimited(ctx, tx, email); err != nil || limited {
		return err
	}
	user, err := tx.UserByEmail(ctx, email)
	if err == nil {
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventRegisterExisting, UserID: &user.ID, Email: user.Email, IP: ip}); err != nil {
			return err
		}
		return h.queueMail(ctx, tx, user.Email, user.Lang, components.Mail{
			Subject: "mail.register_exists.subject", Paragraphs: []string{"mail.register_exists.body"},
			Action: "mail.register_exists.action", ActionURL: h.opt.BaseURL + paths.Login,
			After: []string{"mail.register_exists.forgot", "mail.register_exists.ignore"},
			Links: map[string]string{"mail.register_exists.forgot": h.opt.BaseURL + paths.Recovery},
			Data:  map[string]any{"Name": user.Name},
		})
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	raw, err := tx.IssueToken(ctx, store.TokenRegister, nil, email, registerTTL)
	if err != nil {
		return err
	}
	if err := tx.Audit(ctx, store.AuditEvent{Event: eventRegisterRequested, Email: store.NormalizeEmail(email), IP: ip}); err != nil {
		return err
	}
	return h.queueSecretMail(ctx, tx, email, lang, components.Mail{
		Subject: "mail.register.subject", Paragraphs: []string{"mail.register.body"},
		Action: "mail.register.action", ActionURL: h.opt.BaseURL + components.WithQuery(paths.RegisterConfirm, components.FieldToken, raw),
		After: []string{"mail.register.expiry", "mail.register.ignore"},
		Data:  map[string]any{"Hours": int(registerTTL.Hours())},
	}, tx.Now().Add(registerTTL))
}

// registerSentPage tells the customer to open the verification mail.
func (h *Handler) registerSentPage(c *fiber.Ctx) error {
	withoutScript(c)
	return h.render(c, fiber.StatusOK, components.SentPage(components.SentView{Title: "register.sent.title", Body: "register.sent.body"}))
}

// createRegisteredUser creates the account at the end of registration,
// with its address verified, and starts the login: the customer chooses a
// second factor next. If the address got
// an account meanwhile, the registration cannot finish.
func (h *Handler) createRegisteredUser(c *fiber.Ctx, tx *store.Store, email, hash string) (*store.User, string, error) {
	ctx := c.UserContext()
	now := tx.Now()
	u := &store.User{Email: email, PasswordHash: hash, Lang: h.langOf(c), EmailVerifiedAt: &now}
	if err := tx.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, "", store.ErrNotFound // the flow is void: an account exists
		}
		return nil, "", err
	}
	raw, err := h.registrationCompleted(c, tx, u)
	if err != nil {
		return nil, "", err
	}
	return u, raw, nil
}

// langOf is the language of the current request.
func (h *Handler) langOf(c *fiber.Ctx) string {
	lang, _ := c.Locals("lang").(string)
	return lang
}
