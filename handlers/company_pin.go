package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/codes"
	"github.com/hwk/kundenportal/handlers/letter"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// Audit events of businesses and PINs.
const (
	eventPINRequested  = "company.pin_requested"
	eventPINIssued     = "company.pin_issued"
	eventCompanyLinked = "company.linked"
	eventPINFailed     = "company.pin_failed"
	eventPINLocked     = "company.pin_locked"
	eventCompanyUnlink = "company.unlinked"
)

// pinTTL is how long a PIN letter's PIN stays valid.
const pinTTL = 60 * 24 * time.Hour

// pinMaxAttempts wrong PINs lock the PIN of a business.
const pinMaxAttempts = 5

// pinPurpose binds the keyed PIN hash to PINs (see codes.Hasher).
const pinPurpose = "company-pin"

// ErrUnknownCompany is returned by IssuePIN for a number not in the register.
var ErrUnknownCompany = errors.New("no business with this number")

// ErrUnknownAccount is returned by IssuePIN for a --for address without account.
var ErrUnknownAccount = errors.New("no account with this e-mail address")

// IssuedPIN is what IssuePIN made: the letter to print and the facts
// staff see on the terminal.
type IssuedPIN struct {
	Letter   letter.Letter
	PIN      string // grouped, "ABCD-EFGH"
	Expires  time.Time
	Answered int // pending requests marked answered
}

// IssuePIN makes a new PIN for the business with the given number (only
// for the account forEmail when it is not empty), voids its older PINs,
// marks the matching requests answered and returns the letter, in German.
func (h *Handler) IssuePIN(ctx context.Context, number, forEmail string) (*IssuedPIN, error) {
	raw, err := codes.PIN()
	if err != nil {
		return nil, err
	}
	out := &IssuedPIN{PIN: codes.FormatPIN(raw)}
	var company *store.Company
	err = h.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if company, err = tx.CompanyByNumber(ctx, number); errors.Is(err, store.ErrNotFound) {
			return ErrUnknownCompany
		} else if err != nil {
			return err
		}
		var userID *uuid.UUID
		if forEmail != "" {
			u, err := tx.UserByEmail(ctx, forEmail)
			if errors.Is(err, store.ErrNotFound) {
				return ErrUnknownAccount
			} else if err != nil {
				return err
			}
			userID = &u.ID
		}
		flow, err := tx.IssuePIN(ctx, company.ID, userID, h.pinHash(company.ID.String(), raw), pinTTL)
		if err != nil {
			return err
		}
		out.Expires = flow.ExpiresAt
		if out.Answered, err = tx.AnswerPINRequests(ctx, company.ID, userID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Event: eventPINIssued, UserID: userID, Email: forEmail,
			Detail: fmt.Sprintf("number=%s by=cli", company.Number)})
	})
	if err != nil {
		return nil, fmt.Errorf("companies pin: %w", err)
	}
	out.Letter = h.pinLetter(ctx, company, out)
	return out, nil
}

// pinHash is the keyed hash a PIN of the business is stored under.
func (h *Handler) pinHash(companyID, normalizedPIN string) []byte {
	return h.codes.Hash(pinPurpose, companyID, normalizedPIN)
}

// pinLetter translates the PIN letter (German: it goes to the business's
// postal address).
func (h *Handler) pinLetter(ctx context.Context, c *store.Company, p *IssuedPIN) letter.Letter {
	lctx := h.mailContext(ctx, "de")
	data := map[string]any{
		"Name": c.Name, "Number": c.Number, "PIN": p.PIN, "Date": p.Expires.In(h.loc).Format("02.01.2006"),
		"URL": h.opt.BaseURL + paths.Companies, "Contact": h.opt.Contact,
		"Today": h.store.Now().In(h.loc).Format("02.01.2006"),
	}
	t := func(id string) string { return components.T(lctx, id, data) }
	return letter.Letter{
		ReturnAddress: t("company.letter.return_address"),
		Recipient:     []string{c.Name, c.Street, c.Postcode + " " + c.City},
		Date:          t("company.letter.date"),
		Subject:       t("company.letter.subject"),
		Salutation:    t("company.letter.salutation"),
		Paragraphs: []string{
			t("company.letter.intro"), t("company.letter.pin"), t("company.letter.expiry"),
			t("company.letter.steps"), t("company.letter.not_requested"),
		},
		Closing:   t("company.letter.closing"),
		Signature: t("company.letter.signature"),
	}
}
