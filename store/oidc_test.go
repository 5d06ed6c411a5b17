package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func newOIDCClient(t *testing.T, s *store.Store, id string) *store.OIDCClient {
	t.Helper()
	c := &store.OIDCClient{ID: id, Name: id, RedirectURIs: "https://a.example/cb https://a.example/cb2"}
	secret, err := s.CreateOIDCClient(context.Background(), c)
	if err != nil || secret == "" || !c.SecretMatches(secret) || c.SecretMatches(secret+"x") {
		t.Fatalf("CreateOIDCClient: secret %q, %v; want a secret that matches only itself", secret, err)
	}
	return c
}

// doneRequest is an authorization request completed by the user in sess
// with a code.
func doneRequest(t *testing.T, s *store.Store, clientID string, user uuid.UUID, sess uuid.UUID, code string) *store.OIDCAuthRequest {
	t.Helper()
	ctx := context.Background()
	r := &store.OIDCAuthRequest{ClientID: clientID, RedirectURI: "https://a.example/cb", ResponseType: "code", Scopes: "openid"}
	if err := s.CreateOIDCAuthRequest(ctx, r, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteOIDCAuthRequest(ctx, r.ID, user, sess, s.Now(), "pwd otp mfa"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveOIDCCode(ctx, r.ID, code, time.Minute); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOIDCCodeIsSingleUseAndRevokesOnReuse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		u := newUser(t, s, "ria@example.de")
		sess, _ := newSession(t, s, &u.ID)
		c := newOIDCClient(t, s, "app")
		r := doneRequest(t, s, c.ID, u.ID, sess.ID, "code-1")
		got, err := s.OIDCAuthRequestByCode(ctx, "code-1")
		if err != nil || got.ID != r.ID || got.AMR != "pwd otp mfa" {
			t.Fatalf("OIDCAuthRequestByCode = %+v, %v", got, err)
		}
		tok := &store.OIDCToken{Kind: store.OIDCRefresh, ClientID: c.ID, UserID: u.ID, SessionID: &sess.ID, AuthRequestID: &r.ID, AuthTime: s.Now()}
		raw, err := s.CreateOIDCToken(ctx, tok, time.Hour)
		if err != nil || raw == "" {
			t.Fatalf("CreateOIDCToken: %q, %v", raw, err)
		}
		if err := s.UseOIDCCode(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.UseOIDCCode(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second UseOIDCCode = %v, want ErrNotFound", err)
		}
		if _, err := s.OIDCAuthRequestByCode(ctx, "code-1"); !errors.Is(err, store.ErrCodeReused) {
			t.Errorf("reused code = %v, want ErrCodeReused", err)
		}
		if _, err := s.OIDCRefreshToken(ctx, raw); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token of a reused code = %v, want revoked", err)
		}
		doneRequest(t, s, c.ID, u.ID, sess.ID, "code-2")
		clock.advance(61 * time.Second)
		if _, err := s.OIDCAuthRequestByCode(ctx, "code-2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired code = %v, want ErrNotFound", err)
		}
	})
}

func TestOIDCTokensEndWithSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "ole@example.de")
		keep, _ := newSession(t, s, &u.ID)
		other, _ := newSession(t, s, &u.ID)
		c := newOIDCClient(t, s, "app")
		mk := func(sess uuid.UUID) string {
			raw, err := s.CreateOIDCToken(ctx, &store.OIDCToken{Kind: store.OIDCRefresh, ClientID: c.ID, UserID: u.ID, SessionID: &sess, AuthTime: s.Now()}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}
		kept, ended := mk(keep.ID), mk(other.ID)
		if n, err := s.RevokeOIDCTokensOfOtherSessions(ctx, u.ID, keep.ID); n != 1 || err != nil {
			t.Fatalf("RevokeOIDCTokensOfOtherSessions = %d, %v; want 1", n, err)
		}
		if _, err := s.OIDCRefreshToken(ctx, ended); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token of the ended session: %v", err)
		}
		if _, err := s.OIDCRefreshToken(ctx, kept); err != nil {
			t.Errorf("token of the kept session: %v", err)
		}
		if n, err := s.RevokeOIDCTokensOfSessions(ctx, keep.ID); n != 1 || err != nil {
			t.Errorf("RevokeOIDCTokensOfSessions = %d, %v; want 1", n, err)
		}
	})
}

func TestOIDCConsentsAndSessionAuth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "uta@example.de")
		sess, _ := newSession(t, s, &u.ID)
		c := newOIDCClient(t, s, "partner")
		if err := s.SaveOIDCConsent(ctx, u.ID, c.ID, []string{"openid"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveOIDCConsent(ctx, u.ID, c.ID, []string{"openid", "email"}); err != nil {
			t.Fatalf("widening a consent: %v", err)
		}
		list, err := s.OIDCConsentsOf(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].Scopes != "openid email" || list[0].ClientName != "partner" {
			t.Fatalf("OIDCConsentsOf = %+v, %v", list, err)
		}
		if err := s.RevokeOIDCConsent(ctx, u.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OIDCConsentOf(ctx, u.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked consent: %v", err)
		}
		for _, m := range []string{"totp", "passkey"} {
			if err := s.RecordSessionAuth(ctx, sess.ID, m); err != nil {
				t.Fatal(err)
			}
		}
		if m, err := s.SessionAuthMethod(ctx, sess.ID); m != "passkey" || err != nil {
			t.Errorf("SessionAuthMethod = %q, %v; want the last one recorded", m, err)
		}
	})
}
