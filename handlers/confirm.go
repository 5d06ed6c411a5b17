package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// linkKind describes one kind of link sent by e-mail that leads to setting
// a password: the token kind, the confirmation page's texts and where to
// start again when the link no longer works.
type linkKind struct {
	token       string         // store token kind
	flow        store.FlowKind // the set-password flow it starts
	path        string         // the link's path; GET shows, POST confirms
	title, body string         // message ids of the confirmation page
	restartURL  string
	restartText string // message id
}

var (
	recoveryLink = linkKind{
		token: store.TokenRecovery, flow: store.FlowPasswordRecovery, path: paths.RecoveryConfirm,
		title: "recovery.confirm.title", body: "recovery.confirm.body",
		restartURL: paths.Recovery, restartText: "link.restart.recovery",
	}
	inviteLink = linkKind{
		token: store.TokenInvite, flow: store.FlowPasswordInvitation, path: paths.InviteConfirm,
		title: "invite.confirm.title", body: "invite.confirm.body",
		restartURL: paths.Recovery, restartText: "link.restart.recovery",
	}
	registerLink = linkKind{
		token: store.TokenRegister, flow: store.FlowPasswordRegistration, path: paths.RegisterConfirm,
		title: "register.confirm.title", body: "register.confirm.body",
		restartURL: paths.Register, restartText: "link.restart.register",
	}
)

// confirmPage shows the page a link opens. It only looks at the token and
// never uses it up: mail scanners open links, people do not press buttons.
func (h *Handler) confirmPage(kind linkKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		raw := queryValue(c, components.FieldToken)
		tok, err := h.store.LookupToken(c.UserContext(), kind.token, raw)
		if err != nil {
			return h.linkProblem(c, kind, err)
		}
		return h.render(c, fiber.StatusOK, components.ConfirmPage(components.ConfirmView{
			Title: kind.title, Body: kind.body, Action: kind.path, Token: raw, Email: tok.Email,
		}))
	}
}

// confirmSubmit uses the token up ("Weiter") and starts the set-password
// flow in this browser.
func (h *Handler) confirmSubmit(kind linkKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var raw string
		err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
			tok, err := tx.ConsumeToken(ctx, kind.token, formValue(c, components.FieldToken))
			if err != nil {
				return err
			}
			raw, err = tx.CreateFlow(ctx, &store.Flow{
				Kind: kind.flow, UserID: tok.UserID, Email: tok.Email, ExpiresAt: tx.Now().Add(flowTTL),
			})
			return err
		})
		if err != nil {
			return h.linkProblem(c, kind, err)
		}
		h.setFlowCookie(c, raw)
		return redirect(c, paths.Password)
	}
}

// linkProblem explains a used, superseded, expired or unknown link and
// offers to start again.
func (h *Handler) linkProblem(c *fiber.Ctx, kind linkKind, err error) error {
	view := components.ProblemView{ActionURL: kind.restartURL, ActionText: kind.restartText}
	status := fiber.StatusGone
	switch {
	case errors.Is(err, store.ErrTokenUsed):
		view.Title, view.Body = "link.used.title", "link.used.body"
	case errors.Is(err, store.ErrTokenExpired):
		view.Title, view.Body = "link.expired.title", "link.expired.body"
	case errors.Is(err, store.ErrNotFound):
		view.Title, view.Body = "link.invalid.title", "link.invalid.body"
		status = fiber.StatusNotFound
	default:
		return fmt.Errorf("confirm %s: %w", kind.token, err)
	}
	return h.render(c, status, components.ProblemPage(view))
}
