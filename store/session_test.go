package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// newSession creates a session of user (nil: anonymous) with an absolute
// limit of 12 hours and returns it with its raw token.
func newSession(t *testing.T, s *store.Store, user *uuid.UUID) (*store.Session, string) {
	t.Helper()
	sess := &store.Session{UserID: user, IP: "192.0.2.1", UserAgent: "test", ExpiresAt: s.Now().Add(12 * time.Hour)}
	raw, err := s.CreateSession(context.Background(), sess)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return sess, raw
}

func TestSessionByToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		u := newUser(t, s, "fritz@example.de")
		sess, raw := newSession(t, s, &u.ID)
		_, expiredRaw := newSession(t, s, nil)
		if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != 32 {
			t.Fatalf("raw token %q decodes to %d bytes (%v), want 32 bytes base64url", raw, len(b), err)
		}
		if bytes.Equal(sess.TokenHash, []byte(raw)) || !bytes.Equal(sess.TokenHash, store.HashToken(raw)) {
			t.Fatalf("stored hash %x is not the SHA-256 of the raw token", sess.TokenHash)
		}
		var stored []byte
		if err := s.DB().NewSelect().TableExpr("sessions").Column("token_hash").
			Where("id = ?", sess.ID).Scan(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(stored, []byte(raw)) || !bytes.Equal(stored, store.HashToken(raw)) {
			t.Fatalf("token_hash column = %x, want the hash and not the raw token", stored)
		}
		clock.advance(11 * time.Hour)
		cases := []struct {
			name   string
			raw    string
			expire bool // move the clock past the absolute limit first
			want   error
		}{
			{"raw token finds the session", raw, false, nil},
			{"the hash itself is not a token", string(sess.TokenHash), false, store.ErrNotFound},
			{"unknown token is not found", "bogus", false, store.ErrNotFound},
			{"session past its absolute limit is not found", expiredRaw, true, store.ErrNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.expire {
					clock.advance(2 * time.Hour)
				}
				got, err := s.SessionByToken(ctx, c.raw)
				if !errors.Is(err, c.want) {
					t.Fatalf("SessionByToken error = %v, want %v", err, c.want)
				}
				if c.want == nil && (got.ID != sess.ID || got.UserID == nil || *got.UserID != u.ID || got.Data != "{}" || got.IP != "192.0.2.1") {
					t.Fatalf("session = %+v, want id %s of user %s with empty data", got, sess.ID, u.ID)
				}
			})
		}
	})
}

func TestRotateSessionRetiresTheOldToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sess, oldRaw := newSession(t, s, nil)
		newRaw, err := s.RotateSession(ctx, sess.ID)
		if err != nil {
			t.Fatalf("RotateSession: %v", err)
		}
		if newRaw == oldRaw {
			t.Fatal("rotated token equals the old one")
		}
		if _, err := s.SessionByToken(ctx, oldRaw); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old token after rotate: %v, want ErrNotFound", err)
		}
		got, err := s.SessionByToken(ctx, newRaw)
		if err != nil || got.ID != sess.ID {
			t.Errorf("new token after rotate = %v, %v; want the same session %s", got, err, sess.ID)
		}
		if _, err := s.RotateSession(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rotate unknown session: %v, want ErrNotFound", err)
		}
	})
}

func TestUpdateAndTouchSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		u := newUser(t, s, "gerda@example.de")
		sess, raw := newSession(t, s, nil)
		authAt := clock.now
		sess.UserID = &u.ID
		sess.State = store.SessionMFAVerify
		sess.Data = `{"next":"/konto"}`
		sess.AuthenticatedAt = &authAt
		if err := s.UpdateSession(ctx, sess); err != nil {
			t.Fatalf("UpdateSession: %v", err)
		}
		seen := clock.now.Add(5 * time.Minute)
		if err := s.TouchSession(ctx, sess.ID, seen); err != nil {
			t.Fatalf("TouchSession: %v", err)
		}
		got, err := s.SessionByToken(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if got.UserID == nil || *got.UserID != u.ID || got.State != store.SessionMFAVerify || got.Data != sess.Data ||
			got.AuthenticatedAt == nil || !got.AuthenticatedAt.Equal(authAt) || !got.LastSeenAt.Equal(seen) {
			t.Fatalf("session = %+v, want the updated user, state, data, authenticated and last seen times", got)
		}
		sess.UserID, sess.AuthenticatedAt, sess.State, sess.Data = nil, nil, "", ""
		if err := s.UpdateSession(ctx, sess); err != nil {
			t.Fatalf("UpdateSession back to anonymous: %v", err)
		}
		if got, err = s.SessionByToken(ctx, raw); err != nil || got.UserID != nil || got.AuthenticatedAt != nil || got.Data != "{}" {
			t.Fatalf("anonymous session = %+v, %v; want no user, no authentication, data {}", got, err)
		}
		if err := s.TouchSession(ctx, uuid.New(), seen); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("touch unknown session: %v, want ErrNotFound", err)
		}
	})
}

func TestDeleteUserSessionsExcept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		u := newUser(t, s, "hans@example.de")
		other := newUser(t, s, "ida@example.de")
		var mine []*store.Session
		for range 3 {
			sess, _ := newSession(t, s, &u.ID)
			mine = append(mine, sess)
			clock.advance(time.Minute)
		}
		_, otherRaw := newSession(t, s, &other.ID)

		list, err := s.SessionsOfUser(ctx, u.ID)
		if err != nil || len(list) != 3 || list[0].ID != mine[2].ID || list[2].ID != mine[0].ID {
			t.Fatalf("SessionsOfUser = %d sessions, %v; want 3, most recently seen first", len(list), err)
		}
		n, err := s.DeleteUserSessionsExcept(ctx, u.ID, mine[1].ID)
		if err != nil || n != 2 {
			t.Fatalf("DeleteUserSessionsExcept = %d, %v; want 2", n, err)
		}
		list, err = s.SessionsOfUser(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].ID != mine[1].ID {
			t.Fatalf("sessions left = %v, %v; want only the kept one", list, err)
		}
		if _, err := s.SessionByToken(ctx, otherRaw); err != nil {
			t.Errorf("another user's session: %v, want kept", err)
		}
		if n, err := s.DeleteUserSessionsExcept(ctx, u.ID, uuid.Nil); err != nil || n != 1 {
			t.Errorf("DeleteUserSessionsExcept(uuid.Nil) = %d, %v; want 1", n, err)
		}
		if err := s.DeleteSession(ctx, mine[1].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteSession of a deleted session: %v, want ErrNotFound", err)
		}
	})
}

func TestDeleteExpiredSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		start := clock.now
		idle, _ := newSession(t, s, nil)                              // never touched again
		active, _ := newSession(t, s, nil)                            // touched recently
		shortLived := &store.Session{ExpiresAt: start.Add(time.Hour)} // past its absolute limit
		if _, err := s.CreateSession(ctx, shortLived); err != nil {
			t.Fatal(err)
		}
		clock.advance(2 * time.Hour)
		for _, id := range []uuid.UUID{active.ID, shortLived.ID} {
			if err := s.TouchSession(ctx, id, clock.now); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.DeleteExpiredSessions(ctx, clock.now.Add(-10*time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("DeleteExpiredSessions = %d, %v; want 2 (idle and past limit)", n, err)
		}
		cases := []struct {
			name string
			id   uuid.UUID
			want error
		}{
			{"idle session is deleted", idle.ID, store.ErrNotFound},
			{"session past its absolute limit is deleted", shortLived.ID, store.ErrNotFound},
			{"active session is kept", active.ID, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := s.TouchSession(ctx, c.id, clock.now); !errors.Is(err, c.want) {
					t.Fatalf("TouchSession after cleanup = %v, want %v", err, c.want)
				}
			})
		}
	})
}

// TestUpdateSessionIsCompareAndSwap: two requests of one session (two tabs)
// load the same snapshot; the one that writes second must not overwrite
// what the first wrote.
func TestUpdateSessionIsCompareAndSwap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "tabs@example.de")
		created, raw := newSession(t, s, &u.ID)
		created.State = store.SessionMFAVerify
		if err := s.UpdateSession(ctx, created); err != nil {
			t.Fatalf("first update: %v", err)
		}
		tabA, err := s.SessionByToken(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		tabB, err := s.SessionByToken(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		tabB.State, tabB.Data = "authenticated", `{"next":"/account"}`
		if err := s.UpdateSession(ctx, tabB); err != nil {
			t.Fatalf("tab B (right code): %v", err)
		}
		tabA.Data = `{"email":{"attempts":1}}`
		if err := s.UpdateSession(ctx, tabA); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("tab A (stale snapshot) = %v, want ErrConflict", err)
		}
		got, err := s.SessionByToken(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != "authenticated" || got.Data != `{"next":"/account"}` {
			t.Fatalf("after both tabs: state %q data %s, want tab B's write kept", got.State, got.Data)
		}
		got.Data = "{}"
		if err := s.UpdateSession(ctx, got); err != nil {
			t.Fatalf("update from a fresh snapshot: %v", err)
		}
		if err := s.DeleteSession(ctx, got.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateSession(ctx, got); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of an ended session = %v, want ErrNotFound", err)
		}
	})
}
