package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// User is a customer account (table users).
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID    uuid.UUID `bun:"id,pk"`
	Email string    `bun:"email,notnull"`
	Name  string    `bun:"name,notnull"`
	// PasswordHash is the encoded argon2id hash; empty (NULL) until the
	// customer sets a password.
	PasswordHash string `bun:"password_hash,nullzero"`
	// Legacy marks an imported account whose password predates the policy:
	// it cannot log in with that password and must go through recovery.
	Legacy          bool       `bun:"legacy,notnull"`
	Lang            string     `bun:"lang,notnull"`
	EmailVerifiedAt *time.Time `bun:"email_verified_at"`
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	UpdatedAt       time.Time  `bun:"updated_at,notnull"`
	LastLoginAt     *time.Time `bun:"last_login_at"`
	// WebAuthnHandle is the random user handle passkeys carry (never the
	// e-mail); made on first passkey registration.
	WebAuthnHandle []byte `bun:"webauthn_handle,nullzero"`
}

// NormalizeEmail is the form in which e-mail addresses are stored and
// compared: surrounding space removed, the whole address lower-cased.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// CreateUser inserts u. It normalises the e-mail address, sets ID (when
// zero), CreatedAt and UpdatedAt, and returns ErrDuplicate when an account
// with the same address (in any case) exists.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	if u.Email == "" {
		return errors.New("store: create user: empty e-mail address")
	}
	if u.ID == uuid.Nil {
		u.ID = uuid.New()
	}
	now := s.Now()
	u.CreatedAt, u.UpdatedAt = now, now
	_, err := s.IDB().NewInsert().Model(u).Exec(ctx)
	return opErr("create user", err)
}

// UserByEmail finds the account with the given address, ignoring case and
// surrounding space.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	u := new(User)
	err := s.IDB().NewSelect().Model(u).
		Where("lower(email) = lower(?)", NormalizeEmail(email)).
		Scan(ctx)
	if err != nil {
		return nil, opErr("user by email", err)
	}
	return u, nil
}

// UserByID finds the account with the given id.
func (s *Store) UserByID(ctx context.Context, id uuid.UUID) (*User, error) {
	u := new(User)
	if err := s.IDB().NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, opErr("user by id", err)
	}
	return u, nil
}

// SetPassword stores a new password hash, clears Legacy and sets
// UpdatedAt. In the same transaction it voids every outstanding link that
// sets a password for the account (invitation, recovery, registration):
// once a password is set, an older link must not set another.
func (s *Store) SetPassword(ctx context.Context, userID uuid.UUID, hash string) error {
	if hash == "" {
		return errors.New("store: set password: empty hash")
	}
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.IDB().NewUpdate().Model((*User)(nil)).
			Set("password_hash = ?", hash).
			Set("legacy = ?", false).
			Set("updated_at = ?", tx.Now()).
			Where("id = ?", userID).
			Exec(ctx)
		if err := opErr("set password", oneRow(res, err)); err != nil {
			return err
		}
		return tx.voidPasswordLinks(ctx, userID)
	})
}

// voidPasswordLinks marks the account's unused password-setting tokens
// used: those of the user and those sent to its address alone.
func (s *Store) voidPasswordLinks(ctx context.Context, userID uuid.UUID) error {
	email := s.IDB().NewSelect().Model((*User)(nil)).ColumnExpr("lower(email)").Where("id = ?", userID)
	_, err := s.IDB().NewUpdate().Model((*Token)(nil)).
		Set("used_at = ?", s.Now()).
		Where("kind IN (?)", bun.In([]string{TokenRecovery, TokenInvite, TokenRegister})).
		Where("used_at IS NULL").
		WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("user_id = ?", userID).WhereOr("lower(email) = (?)", email)
		}).
		Exec(ctx)
	return mapErr(err)
}

// ChangeEmail gives the account a new address, verified now (the
// customer proved it by the link). It returns ErrDuplicate when another
// account has that address (in any case). In the same transaction it voids
// every outstanding link that sets a password or changes the address, so a
// link sent to the old address no longer works. Sessions stay.
func (s *Store) ChangeEmail(ctx context.Context, userID uuid.UUID, email string) error {
	email = NormalizeEmail(email)
	if email == "" {
		return errors.New("store: change e-mail: empty address")
	}
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		taken, err := tx.IDB().NewSelect().Model((*User)(nil)).
			Where("lower(email) = ?", email).Where("id <> ?", userID).Exists(ctx)
		if err != nil {
			return opErr("change email: look up address", err)
		}
		if taken {
			return ErrDuplicate
		}
		if err := tx.voidPasswordLinks(ctx, userID); err != nil { // before: they are found by the old address too
			return opErr("change email: void password links", err)
		}
		if _, err := tx.IDB().NewUpdate().Model((*Token)(nil)).
			Set("used_at = ?", tx.Now()).
			Where("kind = ?", TokenEmailChange).Where("user_id = ?", userID).Where("used_at IS NULL").
			Exec(ctx); err != nil {
			return opErr("change email: void change links", err)
		}
		now := tx.Now()
		res, err := tx.IDB().NewUpdate().Model((*User)(nil)).
			Set("email = ?", email).
			Set("email_verified_at = ?", now).
			Set("updated_at = ?", now).
			Where("id = ?", userID).
			Exec(ctx)
		return opErr("change email", oneRow(res, err))
	})
}

// MarkEmailVerified records that the customer proved the address. The
// first verification time is kept when it is called again.
func (s *Store) MarkEmailVerified(ctx context.Context, userID uuid.UUID) error {
	now := s.Now()
	res, err := s.IDB().NewUpdate().Model((*User)(nil)).
		Set("email_verified_at = COALESCE(email_verified_at, ?)", now).
		Set("updated_at = ?", now).
		Where("id = ?", userID).
		Exec(ctx)
	return opErr("mark email verified", oneRow(res, err))
}

// TouchLogin records a successful login at the given time.
func (s *Store) TouchLogin(ctx context.Context, userID uuid.UUID, at time.Time) error {
	res, err := s.IDB().NewUpdate().Model((*User)(nil)).
		Set("last_login_at = ?", at.UTC()).
		Where("id = ?", userID).
		Exec(ctx)
	return opErr("touch login", oneRow(res, err))
}

// DeleteUser deletes the account; its sessions and tokens go with it
// (foreign keys cascade). Audit events stay.
func (s *Store) DeleteUser(ctx context.Context, id uuid.UUID) error {
	res, err := s.IDB().NewDelete().Model((*User)(nil)).Where("id = ?", id).Exec(ctx)
	return opErr("delete user", oneRow(res, err))
}

// UsersLastActiveBefore lists the accounts for the retention purge: last
// login before cutoff, or never logged in and created before cutoff.
// Ordered by e-mail address.
func (s *Store) UsersLastActiveBefore(ctx context.Context, cutoff time.Time) ([]User, error) {
	cutoff = cutoff.UTC()
	var users []User
	err := s.IDB().NewSelect().Model(&users).
		Where("last_login_at < ? OR (last_login_at IS NULL AND created_at < ?)", cutoff, cutoff).
		Order("email ASC").
		Scan(ctx)
	if err != nil {
		return nil, opErr("users last active before", err)
	}
	return users, nil
}

// oneRow checks the result of a statement meant to change exactly one row
// and returns ErrNotFound when it changed none.
func oneRow(res sql.Result, err error) error {
	n, err := countRows(res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// countRows returns how many rows a statement changed.
func countRows(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
