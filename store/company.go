package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Company is a business (Betrieb) of the chamber's register (table
// companies). Number is the chamber's Betriebsnummer, unique.
type Company struct {
	bun.BaseModel `bun:"table:companies"`

	ID        uuid.UUID `bun:"id,pk"`
	Number    string    `bun:"number,notnull"`
	Name      string    `bun:"name,notnull"`
	Street    string    `bun:"street,notnull"`
	Postcode  string    `bun:"postcode,notnull"`
	City      string    `bun:"city,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// SameData reports whether c and o hold the same master data (number,
// name and address), ignoring ids and times.
func (c Company) SameData(o Company) bool {
	return c.Number == o.Number && c.Name == o.Name && c.Street == o.Street &&
		c.Postcode == o.Postcode && c.City == o.City
}

// companyLink ties an account to a business (table company_links).
type companyLink struct {
	bun.BaseModel `bun:"table:company_links"`

	UserID    uuid.UUID `bun:"user_id,pk"`
	CompanyID uuid.UUID `bun:"company_id,pk"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Upsert results of SaveCompany.
const (
	CompanyAdded     = "added"
	CompanyChanged   = "changed"
	CompanyUnchanged = "unchanged"
)

// SaveCompany adds c, or updates the business with the same number when
// its data differ. It returns CompanyAdded, CompanyChanged or
// CompanyUnchanged and fills c's ID and times from the stored row.
func (s *Store) SaveCompany(ctx context.Context, c *Company) (string, error) {
	old, err := s.CompanyByNumber(ctx, c.Number)
	now := s.Now()
	switch {
	case errors.Is(err, ErrNotFound):
		c.ID, c.CreatedAt, c.UpdatedAt = uuid.New(), now, now
		if _, err := s.db.NewInsert().Model(c).Exec(ctx); err != nil {
			return "", opErr("save company", err)
		}
		return CompanyAdded, nil
	case err != nil:
		return "", err
	case old.SameData(*c):
		*c = *old
		return CompanyUnchanged, nil
	}
	c.ID, c.CreatedAt, c.UpdatedAt = old.ID, old.CreatedAt, now
	if err := opErr("save company", oneRow(s.db.NewUpdate().Model(c).Column("name", "street", "postcode", "city", "updated_at").WherePK().Exec(ctx))); err != nil {
		return "", err
	}
	return CompanyChanged, nil
}

// CompanyByNumber finds the business with the given Betriebsnummer.
func (s *Store) CompanyByNumber(ctx context.Context, number string) (*Company, error) {
	c := new(Company)
	if err := s.db.NewSelect().Model(c).Where("number = ?", number).Scan(ctx); err != nil {
		return nil, opErr("company by number", err)
	}
	return c, nil
}

// CompanyByID finds the business with the given id.
func (s *Store) CompanyByID(ctx context.Context, id uuid.UUID) (*Company, error) {
	c := new(Company)
	if err := s.db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, opErr("company by id", err)
	}
	return c, nil
}

// SearchCompanies lists businesses whose number, name or city contains
// text (any case; every business when text is empty), ordered by number,
// at most limit (0: no limit).
func (s *Store) SearchCompanies(ctx context.Context, text string, limit int) ([]Company, error) {
	var cs []Company
	q := s.db.NewSelect().Model(&cs).Order("number ASC")
	if text = strings.ToLower(strings.TrimSpace(text)); text != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(text) + "%"
		q = q.Where(`lower(number) LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\' OR lower(city) LIKE ? ESCAPE '\'`, like, like, like)
	}
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, opErr("search companies", err)
	}
	return cs, nil
}

// LinkCompany links the account to the business. Linking twice is not an
// error; it reports whether a new link was made.
func (s *Store) LinkCompany(ctx context.Context, userID, companyID uuid.UUID) (bool, error) {
	n, err := countRows(s.db.NewInsert().Model(&companyLink{UserID: userID, CompanyID: companyID, CreatedAt: s.Now()}).
		On("CONFLICT DO NOTHING").Exec(ctx))
	return n > 0, err
}

// UnlinkCompany removes the link; ErrNotFound when there was none.
func (s *Store) UnlinkCompany(ctx context.Context, userID, companyID uuid.UUID) error {
	return opErr("unlink company", oneRow(s.db.NewDelete().Model((*companyLink)(nil)).
		Where("user_id = ?", userID).Where("company_id = ?", companyID).Exec(ctx)))
}

// IsLinked reports whether the account is linked to the business.
func (s *Store) IsLinked(ctx context.Context, userID, companyID uuid.UUID) (bool, error) {
	ok, err := s.db.NewSelect().Model((*companyLink)(nil)).
		Where("user_id = ?", userID).Where("company_id = ?", companyID).Exists(ctx)
	return ok, opErr("is linked", err)
}

// LinkedCompanies lists the businesses the account is linked to, ordered
// by number.
func (s *Store) LinkedCompanies(ctx context.Context, userID uuid.UUID) ([]Company, error) {
	var cs []Company
	err := s.db.NewSelect().Model(&cs).
		Where("id IN (?)", s.db.NewSelect().Model((*companyLink)(nil)).Column("company_id").Where("user_id = ?", userID)).
		Order("number ASC").Scan(ctx)
	if err != nil {
		return nil, opErr("linked companies", err)
	}
	return cs, nil
}
