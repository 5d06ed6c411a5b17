package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/input"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// Audit events of recovery.
const (
	eventRecoveryRequested = "recovery.requested"
	eventRecoveryUnknown   = "recovery.unknown_address"
)

// Requests that send mail to one address are limited, silently (the page
// must look the same), to this many within failureWindow.
const (
	scopeMailAddress = "mail.address"
	mailsPerAddress  = 5
)

var mailThrottle = store.Throttle{Free: mailsPerAddress, Window: failureWindow}

// evenResponse is the least time a request that could reveal whether an
// address is registered takes, so both answers take equally long.
const evenResponse = 400 * time.Millisecond

// recoveryPage asks for the e-mail address ("Benutzername oder Passwort
// vergessen?").
func (h *Handler) recoveryPage(c *fiber.Ctx) error {
	// The address comes from the query: without one, the page is kept.
	return h.renderKept(c, "recovery", components.EmailRequestPage(recoveryRequestView(queryValue(c, components.FieldEmail), nil)), "email-form")
}

func recoveryRequestView(email string, errs components.Errors) components.EmailRequestView {
	return components.EmailRequestView{
		Title: "recovery.title", Intro: "recovery.intro", Action: paths.Recovery,
		Submit: "recovery.submit", Email: email, Errors: errs,
	}
}

// recoverySubmit sends the reset mail when the address is registered and a
// mail saying there is no account otherwise; the answer is the same page,
// after the same time, either way.
func (h *Handler) recoverySubmit(c *fiber.Ctx) error {
	return h.mailRequestSubmit(c, recoveryRequestView, func(ctx context.Context, tx *store.Store, email string) error {
		return h.requestRecovery(ctx, tx, email, c.IP())
	}, paths.RecoverySent)
}

// recoveryAgain shows the request form again with the typed address and
// errs (a throttled request).
func (h *Handler) recoveryAgain(c *fiber.Ctx, errs components.Errors) error {
	return h.mailRequestAgain(c, recoveryRequestView, errs)
}

// requestRecovery issues a reset token (voiding older ones) and queues the
// mail, or queues the "no account" mail for an unknown address.
func (h *Handler) requestRecovery(ctx context.Context, tx *store.Store, email, ip string) error {
	if limited, err := h.mailLimited(ctx, tx, email); err != nil || limited {
		return err
	}
	user, err := tx.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventRecoveryUnknown, Email: store.NormalizeEmail(email), IP: ip}); err != nil {
			return err
		}
		return h.queueMail(ctx, tx, email, "", components.Mail{
			Subject: "mail.recovery_unknown.subject", Paragraphs: []string{"mail.recovery_unknown.body"},
			Action: "mail.recovery_unknown.action", ActionURL: h.opt.BaseURL + paths.Register,
			After: []string{"mail.recovery_unknown.ignore"},
		})
	}
	if err != nil {
		return err
	}
	raw, err := tx.IssueToken(ctx, store.TokenRecovery, &user.ID, user.Email, h.opt.RecoveryTTL)
	if err != nil {
		return err
	}
	if err := tx.Audit(ctx, store.AuditEvent{Event: eventRecoveryRequested, UserID: &user.ID, Email: user.Email, IP: ip}); err != nil {
		return err
	}
	return h.queueSecretMail(ctx, tx, user.Email, user.Lang, components.Mail{
		Subject: "mail.recovery.subject", Paragraphs: []string{"mail.recovery.body"},
		Action: "mail.recovery.action", ActionURL: h.opt.BaseURL + components.WithQuery(paths.RecoveryConfirm, components.FieldToken, raw),
		After: []string{"mail.recovery.expiry", "mail.recovery.ignore"},
		Data:  map[string]any{"Name": user.Name, "Minutes": int(h.opt.RecoveryTTL.Minutes())},
	}, tx.Now().Add(h.opt.RecoveryTTL))
}

// mailLimited counts one mail request for the address and reports whether
// it is over the limit (then nothing is sent, and nobody is told).
func (h *Handler) mailLimited(ctx context.Context, tx *store.Store, email string) (bool, error) {
	key := store.NormalizeEmail(email)
	ok, _, err := tx.Attempt(ctx, mailThrottle, scopeMailAddress, key)
	if err != nil {
		return false, err
	}
	if !ok {
		h.log.InfoContext(ctx, "mail limit reached for an address", "limit", mailsPerAddress)
	}
	return !ok, nil
}

// recoverySentPage says a mail is on its way if the address is registered.
func (h *Handler) recoverySentPage(c *fiber.Ctx) error {
	withoutScript(c)
	return h.render(c, fiber.StatusOK, components.SentPage(components.SentView{Title: "recovery.sent.title", Body: "recovery.sent.body"}))
}

// readEmail reads and checks the e-mail field of a request form.
func readEmail(c *fiber.Ctx) (string, components.Errors) {
	return parseEmail(formValue(c, components.FieldEmail))
}

// parseEmail checks that s is a plain e-mail address (input.Email) and
// turns a refusal into the field error of the forms.
func parseEmail(s string) (string, components.Errors) {
	email, problem := input.Email(s)
	switch problem {
	case input.Missing:
		return email, components.Errors{{Field: components.FieldEmail, Message: "email.error.missing"}}
	case input.Invalid:
		return email, components.Errors{{Field: components.FieldEmail, Message: "email.error.invalid"}}
	}
	return email, nil
}

// mailRequestSubmit answers a form that mails the typed address whether
// or not it has an account (recovery, registration), so the answer tells
// nobody which addresses are registered: request queues the right mail,
// and the customer is sent to sent after the same time either way. An
// address that is no address comes back in the form of view.
func (h *Handler) mailRequestSubmit(c *fiber.Ctx, view func(string, components.Errors) components.EmailRequestView, request func(ctx context.Context, tx *store.Store, email string) error, sent string) error {
	start := time.Now()
	email, errs := readEmail(c)
	if errs != nil {
		return h.render(c, fiber.StatusUnprocessableEntity, components.EmailRequestPage(view(email, errs)), "email-form")
	}
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		return request(ctx, tx, email)
	})
	if err != nil {
		return fmt.Errorf("mail request %s: %w", sent, err)
	}
	h.opt.MailNotify()
	evenOut(start)
	return redirect(c, sent)
}

// mailRequestAgain shows the form of view again with the typed address and
// errs (a throttled request).
func (h *Handler) mailRequestAgain(c *fiber.Ctx, view func(string, components.Errors) components.EmailRequestView, errs components.Errors) error {
	email, _ := readEmail(c)
	return h.render(c, fiber.StatusTooManyRequests, components.EmailRequestPage(view(email, errs)), "email-form")
}

// evenOut waits until evenResponse has passed since start.
func evenOut(start time.Time) {
	time.Sleep(time.Until(start.Add(evenResponse)))
}
