package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/hwk/kundenportal/store/factor"
)

// ErrLastMethod is returned when removing a customer's only second factor.
var ErrLastMethod = errors.New("store: the last second factor cannot be removed")

// MFAMethod is one second factor of a customer (table mfa_methods).
type MFAMethod struct {
	bun.BaseModel `bun:"table:mfa_methods"`

	ID     uuid.UUID   `bun:"id,pk"`
	UserID uuid.UUID   `bun:"user_id,notnull"`
	Kind   factor.Kind `bun:"kind,notnull"`
	Name   string      `bun:"name,notnull"` // the customer's name for a passkey
	// Secret is the TOTP secret, encrypted with the portal's secret key.
	Secret string `bun:"secret,notnull"`
	// TOTPLastStep is the last time step used, so a code works only once.
	TOTPLastStep int64 `bun:"totp_last_step,notnull"`
	// CredentialID and Credential (JSON of webauthn.Credential) for passkeys.
	CredentialID []byte     `bun:"credential_id,nullzero"`
	Credential   string     `bun:"credential,notnull"`
	CreatedAt    time.Time  `bun:"created_at,notnull"`
	LastUsedAt   *time.Time `bun:"last_used_at"`
}

// AddMethod stores a new second factor. It sets ID and CreatedAt.
func (s *Store) AddMethod(ctx context.Context, m *MFAMethod) error {
	if m.ID == uuid.Nil {
		m.ID = uuid.New()
	}
	m.CreatedAt = s.Now()
	_, err := s.db.NewInsert().Model(m).Exec(ctx)
	return opErr("add method", err)
}

// MethodsOf lists a customer's second factors, the most recently used
// first (never used ones last, oldest first).
func (s *Store) MethodsOf(ctx context.Context, userID uuid.UUID) ([]MFAMethod, error) {
	var ms []MFAMethod
	err := s.db.NewSelect().Model(&ms).Where("user_id = ?", userID).
		OrderExpr("CASE WHEN last_used_at IS NULL THEN 1 ELSE 0 END, last_used_at DESC, created_at").
		Scan(ctx)
	return ms, opErr("methods of", err)
}

// MethodByID loads one second factor of the customer.
func (s *Store) MethodByID(ctx context.Context, userID, id uuid.UUID) (*MFAMethod, error) {
	m := new(MFAMethod)
	err := s.db.NewSelect().Model(m).Where("id = ?", id).Where("user_id = ?", userID).Scan(ctx)
	if err != nil {
		return nil, opErr("method by id", err)
	}
	return m, nil
}

// MethodByCredentialID finds the passkey with the given credential id.
func (s *Store) MethodByCredentialID(ctx context.Context, credentialID []byte) (*MFAMethod, error) {
	m := new(MFAMethod)
	err := s.db.NewSelect().Model(m).Where("credential_id = ?", credentialID).Where("kind = ?", factor.WebAuthn).Scan(ctx)
	if err != nil {
		return nil, opErr("method by credential id", err)
	}
	return m, nil
}

// UseTOTPStep records that the TOTP code of step was used. It reports
// false when that step or a later one was used already (a replay).
func (s *Store) UseTOTPStep(ctx context.Context, id uuid.UUID, step int64) (bool, error) {
	n, err := countRows(s.db.NewUpdate().Model((*MFAMethod)(nil)).
		Set("totp_last_step = ?", step).Set("last_used_at = ?", s.Now()).
		Where("id = ?", id).Where("totp_last_step < ?", step).Exec(ctx))
	return n == 1, err
}

// TouchMethod records that the second factor was just used.
func (s *Store) TouchMethod(ctx context.Context, id uuid.UUID) error {
	return opErr("touch method", oneRow(s.db.NewUpdate().Model((*MFAMethod)(nil)).
		Set("last_used_at = ?", s.Now()).Where("id = ?", id).Exec(ctx)))
}

// UpdateMethodSecret replaces a method's sealed secret (sealed again
// under a new key).
func (s *Store) UpdateMethodSecret(ctx context.Context, id uuid.UUID, sealed string) error {
	res, err := s.db.NewUpdate().Model((*MFAMethod)(nil)).Set("secret = ?", sealed).Where("id = ?", id).Exec(ctx)
	return opErr("update method secret", oneRow(res, err))
}

// MethodsSealedWithout lists up to limit TOTP methods whose secret does
// not start with prefix (sealed by an older scheme), in id order after the
// id after (uuid.Nil for the first page), for re-sealing in batches.
func (s *Store) MethodsSealedWithout(ctx context.Context, prefix string, after uuid.UUID, limit int) ([]MFAMethod, error) {
	var ms []MFAMethod
	q := s.db.NewSelect().Model(&ms).Where("kind = ?", factor.TOTP).
		Where("substr(secret, 1, ?) <> ?", len(prefix), prefix).OrderExpr("id").Limit(int64(limit))
	if after != uuid.Nil {
		q = q.Where("id > ?", after)
	}
	return ms, mapErr(q.Scan(ctx))
}

// SwapMethodSecret replaces a method's sealed secret with sealed if it still
// holds old. It reports false when the row changed meanwhile (re-sealed on
// use, or removed), which is no error for a re-sealing job.
func (s *Store) SwapMethodSecret(ctx context.Context, id uuid.UUID, old, sealed string) (bool, error) {
	n, err := countRows(s.db.NewUpdate().Model((*MFAMethod)(nil)).Set("secret = ?", sealed).
		Where("id = ?", id).Where("secret = ?", old).Exec(ctx))
	return n == 1, err
}

// UpdateCredential saves a passkey's credential after use (sign counter,
// flags) and marks it used.
func (s *Store) UpdateCredential(ctx context.Context, id uuid.UUID, credential string) error {
	return opErr("update credential", oneRow(s.db.NewUpdate().Model((*MFAMethod)(nil)).
		Set("credential = ?", credential).Set("last_used_at = ?", s.Now()).
		Where("id = ?", id).Exec(ctx)))
}

// RenameMethod changes the customer's name for a second factor.
func (s *Store) RenameMethod(ctx context.Context, userID, id uuid.UUID, name string) error {
	return opErr("rename method", oneRow(s.db.NewUpdate().Model((*MFAMethod)(nil)).
		Set("name = ?", name).Where("id = ?", id).Where("user_id = ?", userID).Exec(ctx)))
}

// DeleteMethod removes a second factor, never the customer's last one
// (ErrLastMethod).
func (s *Store) DeleteMethod(ctx context.Context, userID, id uuid.UUID) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		// Lock the customer's row so two removals cannot both see two methods.
		if _, err := tx.db.NewUpdate().Model((*User)(nil)).Set("updated_at = ?", tx.Now()).Where("id = ?", userID).Exec(ctx); err != nil {
			return opErr("delete method", err)
		}
		n, err := tx.db.NewSelect().Model((*MFAMethod)(nil)).Where("user_id = ?", userID).Count(ctx)
		if err != nil {
			return opErr("delete method", err)
		}
		if n <= 1 {
			return ErrLastMethod
		}
		return opErr("delete method", oneRow(tx.db.NewDelete().Model((*MFAMethod)(nil)).Where("id = ?", id).Where("user_id = ?", userID).Exec(ctx)))
	})
}

// RecoveryCode is one single-use recovery code, stored hashed.
type RecoveryCode struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	ID        uuid.UUID  `bun:"id,pk"`
	UserID    uuid.UUID  `bun:"user_id,notnull"`
	CodeHash  []byte     `bun:"code_hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

// ReplaceRecoveryCodes voids the customer's recovery codes and stores the
// new set (hashes only).
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID uuid.UUID, hashes [][]byte) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewDelete().Model((*RecoveryCode)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return opErr("replace recovery codes", err)
		}
		codes := make([]RecoveryCode, len(hashes))
		for i, h := range hashes {
			codes[i] = RecoveryCode{ID: uuid.New(), UserID: userID, CodeHash: h, CreatedAt: tx.Now()}
		}
		if len(codes) == 0 {
			return nil
		}
		_, err := tx.db.NewInsert().Model(&codes).Exec(ctx)
		return opErr("replace recovery codes", err)
	})
}

// UseRecoveryCode marks the customer's unused code with this hash used. It
// reports false when there is no such unused code.
func (s *Store) UseRecoveryCode(ctx context.Context, userID uuid.UUID, hash []byte) (bool, error) {
	n, err := countRows(s.db.NewUpdate().Model((*RecoveryCode)(nil)).
		Set("used_at = ?", s.Now()).
		Where("user_id = ?", userID).Where("code_hash = ?", hash).Where("used_at IS NULL").Exec(ctx))
	return n == 1, err
}

// RecoveryCodesLeft counts the customer's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID uuid.UUID) (int, error) {
	n, err := s.db.NewSelect().Model((*RecoveryCode)(nil)).Where("user_id = ?", userID).Where("used_at IS NULL").Count(ctx)
	return int(n), opErr("recovery codes left", err)
}

// WebAuthnHandle returns the customer's passkey user handle, making a
// random one (64 bytes) the first time.
func (s *Store) WebAuthnHandle(ctx context.Context, userID uuid.UUID) ([]byte, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(u.WebAuthnHandle) > 0 {
		return u.WebAuthnHandle, nil
	}
	handle := make([]byte, 64)
	if _, err := rand.Read(handle); err != nil {
		return nil, fmt.Errorf("store: webauthn handle: %w", err)
	}
	err = oneRow(s.db.NewUpdate().Model((*User)(nil)).Set("webauthn_handle = ?", handle).
		Where("id = ?", userID).Where("webauthn_handle IS NULL").Exec(ctx))
	if errors.Is(err, ErrNotFound) { // made meanwhile by another request
		u, err = s.UserByID(ctx, userID)
		if err != nil {
			return nil, err
		}
		return u.WebAuthnHandle, nil
	}
	return handle, err
}

// UserByWebAuthnHandle finds the customer a passkey belongs to.
func (s *Store) UserByWebAuthnHandle(ctx context.Context, handle []byte) (*User, error) {
	u := new(User)
	if err := s.db.NewSelect().Model(u).Where("webauthn_handle = ?", handle).Scan(ctx); err != nil {
		return nil, opErr("user by web authn handle", err)
	}
	return u, nil
}
