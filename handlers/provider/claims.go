package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/hwk/kundenportal/store"
)

// Business is one entry of the "businesses" claim.
type Business struct {
	Number string `json:"number"`
	Name   string `json:"name"`
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.fillUserinfo(ctx, info, req.GetSubject(), req.GetClientID(), scopes)
}

// SetUserinfoFromToken fills the userinfo answer for a live access token.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.liveToken(ctx, tokenID, subject)
	if err != nil {
		return err
	}
	return s.fillUserinfo(ctx, info, subject, t.ClientID, strings.Fields(t.Scopes))
}

// SetIntrospectionFromToken answers token introspection by a client.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.liveToken(ctx, tokenID, subject)
	if err != nil || t.ClientID != clientID {
		return fmt.Errorf("token not active")
	}
	info := new(oidc.UserInfo)
	scopes := strings.Fields(t.Scopes)
	if err := s.fillUserinfo(ctx, info, subject, t.ClientID, scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = scopes
	resp.ClientID = t.ClientID
	resp.Audience = []string{t.ClientID}
	resp.Expiration = oidc.FromTime(t.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(t.CreatedAt)
	resp.AuthTime = oidc.FromTime(t.AuthTime)
	resp.Active = true
	return nil
}

func (s *storage) liveToken(ctx context.Context, tokenID, subject string) (*store.OIDCToken, error) {
	id, err := uuid.Parse(tokenID)
	if err != nil {
		return nil, fmt.Errorf("token invalid")
	}
	t, err := s.store.OIDCTokenByID(ctx, id)
	if err != nil {
		return nil, errNotFound("token", err)
	}
	if t.Kind != store.OIDCAccess || t.UserID.String() != subject {
		return nil, fmt.Errorf("token invalid")
	}
	return t, nil
}

// fillUserinfo sets the claims the scopes ask for: sub always; email and
// email_verified for "email"; name and locale for "profile"; the linked
// businesses for "businesses" (only for clients that may ask).
func (s *storage) fillUserinfo(ctx context.Context, info *oidc.UserInfo, subject, clientID string, scopes []string) error {
	uid, err := uuid.Parse(subject)
	if err != nil {
		return fmt.Errorf("subject invalid")
	}
	u, err := s.store.UserByID(ctx, uid)
	if err != nil {
		return errNotFound("user", err)
	}
	info.Subject = subject
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email = u.Email
		info.EmailVerified = oidc.Bool(u.EmailVerifiedAt != nil)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = u.Name
		if u.Lang != "" {
			info.Locale = oidc.NewLocale(language.Make(u.Lang))
		}
	}
	if slices.Contains(scopes, ScopeBusinesses) {
		c, err := s.client(ctx, clientID)
		if err != nil {
			return err
		}
		if c.MayAskBusinesses {
			bs, err := s.businesses(ctx, uid)
			if err != nil {
				return err
			}
			info.AppendClaims(ScopeBusinesses, bs)
		}
	}
	return nil
}

func (s *storage) businesses(ctx context.Context, userID uuid.UUID) ([]Business, error) {
	cs, err := s.store.LinkedCompanies(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("provider: linked businesses: %w", err)
	}
	out := make([]Business, 0, len(cs))
	for _, c := range cs {
		out = append(out, Business{Number: c.Number, Name: c.Name})
	}
	return out, nil
}
