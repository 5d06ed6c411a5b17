package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/codes"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// pinOutcome is what an entered PIN did.
type pinOutcome int

const (
	pinLinked  pinOutcome = iota
	pinWrong              // unknown number, no PIN or a wrong PIN (counted)
	pinLocked             // this try or an earlier one locked the PIN
	pinInvalid            // the PIN was used, replaced or expired
)

// linkCompanySubmit takes Betriebsnummer and PIN and links the account:
// the PIN flow is loaded, checked and moved on (used, or one more wrong
// try, locked at pinMaxAttempts) in one transaction with its audit row.
func (h *Handler) linkCompanySubmit(c *fiber.Ctx) error {
	user := currentUser(c)
	typed := formValue(c, components.FieldLinkNumber)
	number, pin := NormalizeCompanyNumber(typed), codes.NormalizePIN(formValue(c, components.FieldLinkPIN))
	var errs components.Errors
	if !ValidCompanyNumber(number) {
		errs = append(errs, components.FieldError{Field: components.FieldLinkNumber, Message: numberError(number)})
	}
	switch {
	case pin == "":
		errs = append(errs, components.FieldError{Field: components.FieldLinkPIN, Message: "company.pin.error.missing"})
	case len(pin) != codes.PINLength:
		errs = append(errs, components.FieldError{Field: components.FieldLinkPIN, Message: "company.pin.error.format"})
	}
	if len(errs) == 0 {
		outcome, err := h.tryPIN(c, user, number, pin)
		if err != nil {
			return fmt.Errorf("company: link: %w", err)
		}
		if outcome == pinLinked {
			h.opt.MailNotify()
			return redirect(c, withNotice(paths.Account, noticeCompanyLinked))
		}
		errs = components.Errors{{Field: components.FieldLinkPIN, Message: map[pinOutcome]string{
			pinWrong: "company.pin.error.wrong", pinLocked: "company.pin.error.locked", pinInvalid: "company.pin.error.expired",
		}[outcome]}}
	}
	v := components.CompanyLinkView{LinkNumber: typed, LinkErrors: errs}
	return h.renderCompanies(c, fiber.StatusUnprocessableEntity, v, "company-pin-form")
}

// tryPIN checks pin against the newest PIN flow of the business number.
func (h *Handler) tryPIN(c *fiber.Ctx, user *store.User, number, pin string) (pinOutcome, error) {
	outcome := pinWrong
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		fail := func(event, why string) error {
			return tx.Audit(ctx, h.auditEvent(c, event, user, "number="+number+" reason="+why))
		}
		company, err := tx.CompanyByNumber(ctx, number)
		if errors.Is(err, store.ErrNotFound) {
			return fail(eventPINFailed, "unknown_number")
		} else if err != nil {
			return err
		}
		flow, err := tx.LatestPIN(ctx, company.ID)
		if errors.Is(err, store.ErrNotFound) {
			return fail(eventPINFailed, "no_pin")
		} else if err != nil {
			return err
		}
		switch {
		case flow.State == store.FlowLocked:
			outcome = pinLocked
			return fail(eventPINFailed, "locked")
		case !flow.Valid(tx.Now()):
			outcome = pinInvalid
			return fail(eventPINFailed, "not_valid")
		}
		forOther := flow.UserID != nil && *flow.UserID != user.ID
		if forOther || !codes.Equal(flow.SecretHash, h.pinHash(company.ID.String(), pin)) {
			n, err := tx.FailFlow(ctx, flow.ID, pinMaxAttempts)
			if err != nil {
				return err
			}
			if n >= pinMaxAttempts {
				outcome = pinLocked
				return fail(eventPINLocked, "attempts="+strconv.Itoa(n))
			}
			return fail(eventPINFailed, "wrong_pin attempts="+strconv.Itoa(n))
		}
		outcome = pinLinked
		return h.link(ctx, tx, c, user, company, flow)
	})
	return outcome, err
}

// link finishes the PIN flow, links the account, answers its requests for
// the business, audits and mails the notice.
func (h *Handler) link(ctx context.Context, tx *store.Store, c *fiber.Ctx, user *store.User, company *store.Company, flow *store.Flow) error {
	if err := tx.FinishFlow(ctx, flow.ID, &user.ID); err != nil {
		return err
	}
	if _, err := tx.LinkCompany(ctx, user.ID, company.ID); err != nil {
		return err
	}
	if _, err := tx.AnswerPINRequests(ctx, company.ID, &user.ID); err != nil {
		return err
	}
	if err := tx.Audit(ctx, h.auditEvent(c, eventCompanyLinked, user, "number="+company.Number)); err != nil {
		return err
	}
	return h.companyMail(ctx, tx, user, company, "mail.company.linked.body")
}

// companyMail tells the customer that a business was linked or unlinked.
func (h *Handler) companyMail(ctx context.Context, tx *store.Store, user *store.User, company *store.Company, body string) error {
	return h.queueSecurityMail(ctx, tx, user, securityMail{
		subject: "mail.company.subject", what: []string{body},
		data: map[string]any{"Company": company.Name, "Number": company.Number},
	})
}

// unlinkCompanyPage asks before unlinking (works without JavaScript).
func (h *Handler) unlinkCompanyPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.CompanyUnlinkPage(companyView(currentCompany(c))))
}

// unlinkCompanySubmit removes the link, audited, with a notice mail.
func (h *Handler) unlinkCompanySubmit(c *fiber.Ctx) error {
	user, company := currentUser(c), currentCompany(c)
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := tx.UnlinkCompany(ctx, user.ID, company.ID); err != nil {
			return err
		}
		if err := tx.Audit(ctx, h.auditEvent(c, eventCompanyUnlink, user, "number="+company.Number)); err != nil {
			return err
		}
		return h.companyMail(ctx, tx, user, company, "mail.company.unlinked.body")
	})
	if errors.Is(err, store.ErrNotFound) {
		return redirect(c, paths.Account)
	} else if err != nil {
		return fmt.Errorf("company: unlink: %w", err)
	}
	h.opt.MailNotify()
	return redirect(c, withNotice(paths.Account, noticeCompanyUnlinked))
}
