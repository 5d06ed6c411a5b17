package handlers

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// pendingChangeTTL bounds how long a change waits for the password.
const pendingChangeTTL = 10 * time.Minute

// pendingChange is a change to the account's security that was asked for
// when the last check of the password was too long ago. It waits in the
// session until the password is confirmed, and reauthSubmit then carries
// it out, so the customer does not have to ask twice.
type pendingChange struct {
	Path    string    `json:"path"`
	ID      string    `json:"id,omitempty"`
	Name    string    `json:"name,omitempty"`
	Expires time.Time `json:"expires"`
}

// changeFunc carries out one kind of change and answers the request.
type changeFunc func(c *fiber.Ctx, pc pendingChange) error

// change is the change behind a POST path, nil for other paths.
func (h *Handler) change(path string) changeFunc {
	switch path {
	case paths.SecurityRemove:
		return h.removeMethod
	case paths.SecurityRename:
		return h.renameMethod
	case paths.SecurityCodes:
		return h.renewCodes
	}
	return nil
}

// changeFromForm reads a change from the posted form.
func changeFromForm(c *fiber.Ctx) pendingChange {
	return pendingChange{Path: c.Path(), ID: formValue(c, components.FieldID), Name: formValue(c, components.FieldName)}
}

// changeSubmit is the POST handler of the change at its path.
func (h *Handler) changeSubmit(c *fiber.Ctx) error {
	fn := h.change(c.Path())
	if fn == nil {
		return fiber.ErrNotFound
	}
	return fn(c, changeFromForm(c))
}

// deferChange keeps the posted change in the session and sends the
// customer to confirm the password; reauthSubmit carries the change out.
func (h *Handler) deferChange(c *fiber.Ctx) error {
	pc := changeFromForm(c)
	pc.Expires = h.store.Now().Add(pendingChangeTTL)
	pendingOf(c).Change = &pc
	if err := h.savePending(c.UserContext(), h.store, c); err != nil {
		return fmt.Errorf("security: keep change: %w", err)
	}
	return redirect(c, components.WithQuery(components.WithQuery(paths.Reauth, components.FieldChange, "1"), components.FieldNext, paths.Security))
}

// takeChange removes the pending change from the session data and returns
// it when the confirmation was for it and it has not expired.
func (h *Handler) takeChange(d *pending, forChange bool) (pendingChange, changeFunc) {
	pc := d.Change
	d.Change = nil
	if pc == nil || !forChange || h.store.Now().After(pc.Expires) {
		return pendingChange{}, nil
	}
	return *pc, h.change(pc.Path)
}

// removeMethodConfirmPage asks "Sind Sie sicher?" before a second factor
// is removed.
func (h *Handler) removeMethodConfirmPage(c *fiber.Ctx) error {
	user := currentUser(c)
	id, err := uuid.Parse(queryValue(c, components.FieldID))
	if err != nil {
		return fiber.ErrNotFound
	}
	m, err := h.store.MethodByID(c.UserContext(), user.ID, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fiber.ErrNotFound
		}
		return fmt.Errorf("security: confirm remove: %w", err)
	}
	method := components.MethodLabel(c.UserContext(), m.Kind)
	if m.Name != "" {
		method += " „" + m.Name + "“"
	}
	return h.render(c, fiber.StatusOK, components.ConfirmStepPage(components.ConfirmStepView{
		Title: "confirmstep.title", Body: []string{"security.remove_confirm.body"},
		Data:   map[string]any{"Method": method},
		Action: paths.SecurityRemove, Hidden: []components.HiddenField{{Name: "id", Value: m.ID.String()}},
		Confirm: "security.remove_confirm.submit", CancelURL: paths.Security,
	}))
}

// renewCodesConfirmPage asks "Sind Sie sicher?" before new recovery codes
// void the old ones.
func (h *Handler) renewCodesConfirmPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.ConfirmStepPage(components.ConfirmStepView{
		Title: "confirmstep.title", Body: []string{"security.codes.confirm.body"},
		Action: paths.SecurityCodes, Confirm: "security.codes.confirm.submit", CancelURL: paths.Security,
	}))
}
