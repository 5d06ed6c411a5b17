package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// Audit events of the own account.
const (
	eventEmailChangeRequested = "email.change_requested"
	eventEmailChanged         = "email.changed"
	eventAccountDeleted       = "account.deleted"
)

// emailChangeTTL is how long the link to the new address works.
const emailChangeTTL = time.Hour

// emailChangeLink is the link to the new address: its confirmation page
// and where to start again.
var emailChangeLink = linkKind{
	token: store.TokenEmailChange, path: paths.EmailConfirm,
	title: "email_change.confirm.title", body: "email_change.confirm.body",
	restartURL: paths.AccountEmail, restartText: "email_change.restart",
}

// ownAccountRoutes registers the pages of the own account.
func (h *Handler) ownAccountRoutes(app *fiber.App, with, user func(...fiber.Handler) []fiber.Handler) {
	mailLimit := h.rateLimit("mail", 10, 10*time.Minute)
	app.Get(paths.AccountEmail, user(h.emailChangePage)...)
	app.Post(paths.AccountEmail, user(mailLimit, h.emailChangeSubmit)...)
	app.Get(paths.EmailConfirm, with(h.emailConfirmPage)...)
	app.Post(paths.EmailConfirm, with(h.rateLimit("confirm", 30, 10*time.Minute), h.emailConfirmSubmit)...)
	app.Get(paths.AccountDelete, user(h.accountDeletePage)...)
	app.Post(paths.AccountDelete, user(h.accountDeleteSubmit)...)
}

// confirmCurrentPassword checks the current password typed for a change to
// the own account, regulated like a login: the attempt is counted first,
// and the caller takes it back with passwordSucceeded in the transaction of
// the change. It returns the form errors and status to answer with, or no
// errors when the password is right.
func (h *Handler) confirmCurrentPassword(c *fiber.Ctx, user *store.User, pw, what string) (components.Errors, int, error) {
	if pw == "" {
		return components.Errors{{Field: components.FieldCurrentPassword, Message: "password_change.error.current_missing"}}, fiber.StatusUnprocessableEntity, nil
	}
	wait, ok, err := h.checkCurrentPassword(c, user, pw, what)
	switch {
	case err != nil:
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	case wait > 0:
		return throttled(c, wait), fiber.StatusTooManyRequests, nil
	case ok:
		return nil, 0, nil
	}
	return components.Errors{{Field: components.FieldCurrentPassword, Message: "password_change.error.current_wrong"}}, fiber.StatusUnprocessableEntity, nil
}

// emailChangePage shows the form "E-Mail-Adresse ändern".
func (h *Handler) emailChangePage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.EmailChangePage(components.EmailChangeView{Email: currentUser(c).Email}))
}

// emailChangeSubmit checks the new address and the current password, then
// sends a link to the new address; the address changes only when the link
// is followed. An address another account has gets a notice instead of a
// link, and the customer the same answer, so the form tells nobody which
// addresses are registered.
func (h *Handler) emailChangeSubmit(c *fiber.Ctx) error {
	user := currentUser(c)
	view := components.EmailChangeView{Email: user.Email, NewEmail: formValue(c, components.FieldNewEmail)}
	newEmail, errs := parseEmail(view.NewEmail)
	for i := range errs {
		errs[i].Field = components.FieldNewEmail
	}
	if errs == nil && store.NormalizeEmail(newEmail) == store.NormalizeEmail(user.Email) {
		errs = components.Errors{{Field: components.FieldNewEmail, Message: "email_change.error.same"}}
	}
	pw := formValue(c, components.FieldCurrentPassword)
	if pw == "" {
		errs = append(errs, components.FieldError{Field: components.FieldCurrentPassword, Message: "password_change.error.current_missing"})
	}
	if len(errs) > 0 {
		view.Errors = errs
		return h.render(c, fiber.StatusUnprocessableEntity, components.EmailChangePage(view), "email-change-form")
	}
	pwErrs, status, err := h.confirmCurrentPassword(c, user, pw, "email change")
	if err != nil {
		return err
	}
	if pwErrs != nil {
		view.Errors = pwErrs
		return h.render(c, status, components.EmailChangePage(view), "email-change-form")
	}
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := h.passwordSucceeded(c, tx, user); err != nil {
			return err
		}
		if err := tx.Audit(ctx, h.auditEvent(c, eventEmailChangeRequested, user, "")); err != nil {
			return err
		}
		return h.sendEmailChange(ctx, tx, user, newEmail)
	})
	if err != nil {
		return fmt.Errorf("email change: request: %w", err)
	}
	h.opt.MailNotify()
	return redirect(c, withNotice(paths.Account, noticeEmailChangeSent))
}

// sendEmailChange mails the link to the new address, or, when another
// account has that address, a notice to its owner (no link). Nothing is
// sent past the mail limit of the address.
func (h *Handler) sendEmailChange(ctx context.Context, tx *store.Store, user *store.User, newEmail string) error {
	if limited, err := h.mailLimited(ctx, tx, newEmail); err != nil || limited {
		return err
	}
	owner, err := tx.UserByEmail(ctx, newEmail)
	if err == nil {
		return h.queueMail(ctx, tx, owner.Email, owner.Lang, components.Mail{
			Subject: "mail.email_change_taken.subject", Paragraphs: []string{"mail.email_change_taken.body"},
			After: []string{"mail.email_change_taken.ignore"}, Data: map[string]any{"Name": owner.Name},
		})
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	raw, err := tx.IssueToken(ctx, store.TokenEmailChange, &user.ID, newEmail, emailChangeTTL)
	if err != nil {
		return err
	}
	return h.queueSecretMail(ctx, tx, newEmail, user.Lang, components.Mail{
		Subject: "mail.email_change.subject", Paragraphs: []string{"mail.email_change.body"},
		Action: "mail.email_change.action", ActionURL: h.opt.BaseURL + components.WithQuery(paths.EmailConfirm, components.FieldToken, raw),
		After: []string{"mail.email_change.expiry", "mail.email_change.ignore"},
		Data:  map[string]any{"Name": user.Name, "Email": store.NormalizeEmail(newEmail), "Minutes": int(emailChangeTTL.Minutes())},
	}, tx.Now().Add(emailChangeTTL))
}

// emailConfirmPage is the page the link opens: it shows the new address
// and a button; a GET never uses the link up (mail scanners open links).
func (h *Handler) emailConfirmPage(c *fiber.Ctx) error {
	return h.confirmPage(emailChangeLink)(c)
}

// emailConfirmSubmit uses the link up and changes the address, in one
// transaction: audited, the old address notified, sessions kept. The
// OpenID Connect claims follow, as they are read from the account.
func (h *Handler) emailConfirmSubmit(c *fiber.Ctx) error {
	taken := false
	var changed *store.User
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		tok, err := tx.ConsumeToken(ctx, store.TokenEmailChange, formValue(c, components.FieldToken))
		if err != nil {
			return err
		}
		if tok.UserID == nil {
			return store.ErrNotFound
		}
		old, err := tx.UserByID(ctx, *tok.UserID)
		if err != nil {
			return err
		}
		if err := tx.ChangeEmail(ctx, old.ID, tok.Email); errors.Is(err, store.ErrDuplicate) {
			taken = true // registered meanwhile; the link is used up all the same
			return nil
		} else if err != nil {
			return err
		}
		if changed, err = tx.UserByID(ctx, old.ID); err != nil {
			return err
		}
		ev := h.auditEvent(c, eventEmailChanged, changed, "")
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return h.emailChangedNotice(c, tx, old, changed.Email)
	})
	if err != nil {
		return h.linkProblem(c, emailChangeLink, err)
	}
	if taken {
		return h.render(c, fiber.StatusConflict, components.ProblemPage(components.ProblemView{
			Title: "email_change.taken.title", Body: "email_change.taken.body",
			ActionURL: paths.AccountEmail, ActionText: "email_change.restart",
		}))
	}
	h.opt.MailNotify()
	if u := currentUser(c); u != nil && u.ID == changed.ID {
		return redirect(c, withNotice(paths.Account, noticeEmailChanged))
	}
	return redirect(c, withNotice(paths.Login, noticeEmailChanged))
}

// emailChangedNotice mails the old address that the account's address
// changed: to which, when, from which browser, and whom to tell if it was
// not the customer (recovery would go to the new address).
func (h *Handler) emailChangedNotice(c *fiber.Ctx, tx *store.Store, old *store.User, newEmail string) error {
	date, clock := h.mailTime(tx.Now(), old.Lang)
	return h.queueMail(c.UserContext(), tx, old.Email, old.Lang, components.Mail{
		Subject: "mail.security.subject", Paragraphs: []string{"mail.security.email_changed", "mail.security.browser"},
		After: []string{"mail.security.email_changed_not_you"},
		Data: map[string]any{
			"Name": old.Name, "Date": date, "Clock": clock, "Browser": DeviceName(c.Get(fiber.HeaderUserAgent)), "NewEmail": newEmail,
		},
	})
}

// accountDeleteView is the step "Sind Sie sicher?" before the account is
// deleted, with the current password.
func accountDeleteView(errs components.Errors) components.ConfirmStepView {
	return components.ConfirmStepView{
		Title: "confirmstep.title", Body: []string{"account_delete.confirm.body", "account_delete.confirm.final"},
		Action: paths.AccountDelete, Confirm: "account_delete.confirm.submit", CancelURL: paths.Account,
		Password: true, Errors: errs,
	}
}

// accountDeletePage asks "Sind Sie sicher?" and for the password.
func (h *Handler) accountDeletePage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.ConfirmStepPage(accountDeleteView(nil)))
}

// accountDeleteSubmit checks the password, then deletes the account with
// everything that belongs to it (the purge of the retention rule: sessions,
// methods, codes, links, OpenID Connect grants and tokens, business links;
// the audit keeps only the account id) and queues a final mail, in one
// transaction. The customer lands on the login page, logged out.
func (h *Handler) accountDeleteSubmit(c *fiber.Ctx) error {
	user := currentUser(c)
	errs, status, err := h.confirmCurrentPassword(c, user, formValue(c, components.FieldCurrentPassword), "account deletion")
	if err != nil {
		return err
	}
	if errs != nil {
		return h.render(c, status, components.ConfirmStepPage(accountDeleteView(errs)))
	}
	err = h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := h.passwordSucceeded(c, tx, user); err != nil {
			return err
		}
		if err := tx.PurgeUser(ctx, user, store.AuditEvent{Event: eventAccountDeleted, Detail: "by=customer"}); err != nil {
			return err
		}
		date, clock := h.mailTime(tx.Now(), user.Lang)
		// After the purge, which drops unsent mails to the address.
		return h.queueMail(ctx, tx, user.Email, user.Lang, components.Mail{
			Subject: "mail.account_deleted.subject", Paragraphs: []string{"mail.account_deleted.body", "mail.account_deleted.register"},
			After: []string{"mail.account_deleted.not_you"},
			Data:  map[string]any{"Name": user.Name, "Email": user.Email, "Date": date, "Clock": clock},
		})
	})
	if err != nil {
		return fmt.Errorf("account: delete: %w", err)
	}
	h.opt.MailNotify()
	h.clearSessionCookie(c)
	return redirect(c, withNotice(paths.Login, noticeAccountDeleted))
}
