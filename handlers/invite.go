package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

const eventInviteSent = "invite.sent"

// Invitation is what an operator's `portal invite` asks for.
type Invitation struct {
	Email string
	Name  string
	Lang  string // language of the mail: "de" (default) or "en"
}

// Invite finds or creates the account for inv.Email and sends the
// invitation mail, whose link lets the customer set the first password. A
// new invitation voids the link of an earlier one. It reports whether the
// account was created.
func (h *Handler) Invite(ctx context.Context, inv Invitation) (created bool, err error) {
	if _, errs := parseEmail(inv.Email); errs != nil {
		return false, fmt.Errorf("invite: %q is not an e-mail address", inv.Email)
	}
	if inv.Lang == "" {
		inv.Lang = "de"
	}
	err = h.store.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
		user, err := tx.UserByEmail(ctx, inv.Email)
		if errors.Is(err, store.ErrNotFound) {
			user = &store.User{Email: inv.Email, Name: strings.TrimSpace(inv.Name), Lang: inv.Lang}
			if err := tx.CreateUser(ctx, user); err != nil {
				return err
			}
			created = true
		} else if err != nil {
			return err
		}
		raw, err := tx.IssueToken(ctx, store.TokenInvite, &user.ID, user.Email, h.opt.InviteTTL)
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventInviteSent, UserID: &user.ID, Email: user.Email, Detail: "by=cli"}); err != nil {
			return err
		}
		name := user.Name
		if name == "" {
			name = strings.TrimSpace(inv.Name)
		}
		return h.queueSecretMail(ctx, tx, user.Email, inv.Lang, components.Mail{
			Subject: "mail.invite.subject", Paragraphs: []string{"mail.invite.body"},
			Action: "mail.invite.action", ActionURL: h.opt.BaseURL + components.WithQuery(paths.InviteConfirm, components.FieldToken, raw),
			After: []string{"mail.invite.expiry", "mail.invite.alternative"},
			Links: map[string]string{"mail.invite.alternative": h.opt.BaseURL + paths.Login},
			Data:  map[string]any{"Name": name, "Days": int(h.opt.InviteTTL.Hours() / 24)},
		}, tx.Now().Add(h.opt.InviteTTL))
	})
	if err != nil {
		return false, fmt.Errorf("invite: %w", err)
	}
	h.opt.MailNotify()
	return created, nil
}
