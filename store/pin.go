package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// PINRequest is a customer's request for a PIN letter for a business
// (table pin_requests). AnsweredAt is set when staff issue the PIN.
type PINRequest struct {
	bun.BaseModel `bun:"table:pin_requests"`

	ID         uuid.UUID  `bun:"id,pk"`
	UserID     uuid.UUID  `bun:"user_id,notnull"`
	CompanyID  uuid.UUID  `bun:"company_id,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	AnsweredAt *time.Time `bun:"answered_at"`
}

// PendingPINRequest is an unanswered request with what staff and the
// customer see of it.
type PendingPINRequest struct {
	ID        uuid.UUID `bun:"id"`
	Number    string    `bun:"number"`
	Name      string    `bun:"name"`
	Email     string    `bun:"email"`
	CreatedAt time.Time `bun:"created_at"`
}

// RequestPIN records the account's request for a PIN for the business.
// A pending request of the same account for the same business is kept
// instead of adding another; it reports whether a new one was stored.
func (s *Store) RequestPIN(ctx context.Context, userID, companyID uuid.UUID) (bool, error) {
	pending, err := s.db.NewSelect().Model((*PINRequest)(nil)).
		Where("user_id = ?", userID).Where("company_id = ?", companyID).Where("answered_at IS NULL").Exists(ctx)
	if err != nil || pending {
		return false, opErr("request pin", err)
	}
	r := &PINRequest{ID: uuid.New(), UserID: userID, CompanyID: companyID, CreatedAt: s.Now()}
	_, err = s.db.NewInsert().Model(r).Exec(ctx)
	return err == nil, opErr("request pin", err)
}

func (s *Store) pendingRequests(q *bun.SelectQuery) *bun.SelectQuery {
	return q.TableExpr("pin_requests AS r").
		Join("JOIN companies AS c ON c.id = r.company_id").
		Join("JOIN users AS u ON u.id = r.user_id").
		ColumnExpr("r.id, c.number, c.name, u.email, r.created_at").
		Where("r.answered_at IS NULL").
		OrderExpr("r.created_at ASC, c.number ASC")
}

// PendingPINRequests lists every unanswered request, oldest first.
func (s *Store) PendingPINRequests(ctx context.Context) ([]PendingPINRequest, error) {
	var rs []PendingPINRequest
	if err := s.pendingRequests(s.db.NewSelect()).Scan(ctx, &rs); err != nil {
		return nil, opErr("pending pin requests", err)
	}
	return rs, nil
}

// PendingPINRequestsOf lists the account's unanswered requests, oldest
// first.
func (s *Store) PendingPINRequestsOf(ctx context.Context, userID uuid.UUID) ([]PendingPINRequest, error) {
	var rs []PendingPINRequest
	if err := s.pendingRequests(s.db.NewSelect()).Where("r.user_id = ?", userID).Scan(ctx, &rs); err != nil {
		return nil, opErr("pending pin requests of", err)
	}
	return rs, nil
}

// AnswerPINRequests marks the business's pending requests answered: only
// those of userID when it is not nil. It returns how many it marked.
func (s *Store) AnswerPINRequests(ctx context.Context, companyID uuid.UUID, userID *uuid.UUID) (int, error) {
	q := s.db.NewUpdate().Model((*PINRequest)(nil)).Set("answered_at = ?", s.Now()).
		Where("company_id = ?", companyID).Where("answered_at IS NULL")
	if userID != nil {
		q = q.Where("user_id = ?", *userID)
	}
	n, err := countRows(q.Exec(ctx))
	return n, opErr("answer pin requests", err)
}

// IssuePIN stores a new PIN flow for the business with the PIN's keyed
// hash, valid for ttl, and voids the business's older PINs. Run it in a
// transaction with AnswerPINRequests.
func (s *Store) IssuePIN(ctx context.Context, companyID uuid.UUID, userID *uuid.UUID, hash []byte, ttl time.Duration) (*Flow, error) {
	now := s.Now()
	_, err := s.db.NewUpdate().Model((*Flow)(nil)).
		Set("state = ?", FlowVoided).Set("done_at = ?", now).
		Where("company_id = ?", companyID).Where("kind = ?", FlowCompanyPIN).Where("done_at IS NULL").Exec(ctx)
	if err != nil {
		return nil, opErr("issue pin: void older", err)
	}
	f := &Flow{ID: uuid.New(), SecretHash: hash, Kind: FlowCompanyPIN, State: FlowOpen, UserID: userID,
		Data: "{}", CreatedAt: now, ExpiresAt: now.Add(ttl), CompanyID: &companyID}
	if _, err := s.db.NewInsert().Model(f).Exec(ctx); err != nil {
		return nil, opErr("issue pin", err)
	}
	return f, nil
}

// LatestPIN returns the business's newest PIN flow in any state
// (ErrNotFound when none was issued). The caller checks its State and
// Valid.
func (s *Store) LatestPIN(ctx context.Context, companyID uuid.UUID) (*Flow, error) {
	f := new(Flow)
	err := s.db.NewSelect().Model(f).Where("company_id = ?", companyID).Where("kind = ?", FlowCompanyPIN).
		Order("created_at DESC").OrderExpr("CASE WHEN state = ? THEN 1 ELSE 0 END", FlowVoided).Limit(1).Scan(ctx)
	if err != nil {
		return nil, opErr("latest pin", err)
	}
	return f, nil
}
