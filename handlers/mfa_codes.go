package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/codes"
	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store"
)

// recoveryCodeCount is how many recovery codes a set has.
const recoveryCodeCount = 10

// newRecoveryCodes makes a set of codes for the customer, stores their
// hashes (voiding older codes) and returns the codes sealed for the
// session, to be shown once.
func (h *Handler) newRecoveryCodes(ctx context.Context, tx *store.Store, user *store.User) (string, error) {
	plain := make([]string, recoveryCodeCount)
	hashes := make([][]byte, recoveryCodeCount)
	for i := range plain {
		code, err := codes.Recovery()
		if err != nil {
			return "", err
		}
		plain[i], hashes[i] = code, h.recoveryHash(user, code)
	}
	if err := tx.ReplaceRecoveryCodes(ctx, user.ID, hashes); err != nil {
		return "", fmt.Errorf("mfa: store recovery codes: %w", err)
	}
	raw, _ := json.Marshal(plain)
	return h.sealer.Seal(string(raw), codesAD(user.ID))
}

// useRecoveryCode uses up the customer's unused code, hashed now or
// before keys were derived per purpose.
func (h *Handler) useRecoveryCode(ctx context.Context, tx *store.Store, user *store.User, code string) (bool, error) {
	for _, hash := range h.codes.Hashes("recovery", user.ID.String(), codes.NormalizeRecovery(code)) {
		if ok, err := tx.UseRecoveryCode(ctx, user.ID, hash); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// codesAD binds the sealed list of new recovery codes to their owner.
func codesAD(userID uuid.UUID) string { return "recovery-codes\x00" + userID.String() }

func (h *Handler) recoveryHash(user *store.User, code string) []byte {
	return h.codes.Hash("recovery", user.ID.String(), codes.NormalizeRecovery(code))
}

// pendingCodes opens the recovery codes the session still has to show.
func (h *Handler) pendingCodes(c *fiber.Ctx) ([]string, error) {
	sess, p := currentSession(c), pendingOf(c)
	if p.Codes == "" || sess.UserID == nil {
		return nil, nil
	}
	raw, _, err := h.sealer.Open(p.Codes, codesAD(*sess.UserID))
	if err != nil {
		return nil, fmt.Errorf("mfa: open recovery codes: %w", err)
	}
	var list []string
	return list, json.Unmarshal([]byte(raw), &list)
}

// recoveryCodesPage shows new recovery codes once, with download and a
// print view.
func (h *Handler) recoveryCodesPage(c *fiber.Ctx) error {
	list, err := h.pendingCodes(c)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return c.Redirect(paths.Account, fiber.StatusSeeOther)
	}
	return h.render(c, fiber.StatusOK, components.RecoveryCodesPage(components.RecoveryCodesView{
		Codes: list, Print: queryValue(c, components.FieldPrint) == "1", Account: currentUser(c).Email, Date: h.day(c.UserContext(), h.store.Now()),
	}))
}

// recoveryCodesText is the plain-text download of the codes.
func (h *Handler) recoveryCodesText(c *fiber.Ctx) error {
	list, err := h.pendingCodes(c)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return fiber.ErrNotFound
	}
	var b strings.Builder
	b.WriteString(components.T(c.UserContext(), "mfa.codes.file_header", map[string]any{"Email": currentUser(c).Email}))
	b.WriteString("\r\n\r\n")
	for _, code := range list {
		b.WriteString(code + "\r\n")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="kundenportal-wiederherstellungscodes.txt"`)
	c.Type("txt", "utf-8")
	return c.SendString(b.String())
}

// recoveryCodesDone forgets the shown codes and continues (codesKept).
func (h *Handler) recoveryCodesDone(c *fiber.Ctx) error {
	to, err := h.codesKept(c)
	if err != nil {
		return err
	}
	return redirect(c, to)
}

// methodAdded stores a confirmed method (see addMethod) and sends the
// customer on.
func (h *Handler) methodAdded(c *fiber.Ctx, user *store.User, m *store.MFAMethod) error {
	to, err := h.addMethod(c, user, m)
	if err != nil {
		return err
	}
	return redirect(c, to)
}

// addMethod stores a confirmed method and returns where the customer goes
// next. The first one also ends the login (the session becomes
// authenticated with a new id, whose cookie is set) and makes the recovery
// codes; later ones are changes of an authenticated customer. The pending
// secret the handler cleared is saved with it.
func (h *Handler) addMethod(c *fiber.Ctx, user *store.User, m *store.MFAMethod) (string, error) {
	first := firstSetup(c)
	var raw string
	err := h.store.RunInTx(c.UserContext(), func(ctx context.Context, tx *store.Store) error {
		if err := tx.AddMethod(ctx, m); err != nil {
			return err
		}
		if first {
			sealed, err := h.newRecoveryCodes(ctx, tx, user)
			if err != nil {
				return err
			}
			if raw, err = h.firstFactorEnrolled(c, tx, user, m.Kind, sealed); err != nil {
				return err
			}
		} else if err := h.savePending(ctx, tx, c); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEvent{Event: eventMFAAdded, UserID: &user.ID, Email: user.Email, IP: c.IP(), Detail: "method=" + string(m.Kind)}); err != nil {
			return err
		}
		return h.securityNotice(ctx, tx, user, "mail.security.method_added", m.Kind)
	})
	if err != nil {
		return "", fmt.Errorf("mfa: add method: %w", err)
	}
	if first {
		h.loginCompleted(c, raw, user.ID)
		return paths.RecoveryCodes, nil
	}
	h.opt.MailNotify()
	return withNotice(paths.Security, noticeMethodAdded), nil
}
