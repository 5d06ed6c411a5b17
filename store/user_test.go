package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// testClock is a settable clock for Store.SetClock.
type testClock struct{ now time.Time }

// setClock makes s run on a clock that starts at a fixed time and only
// moves when the test advances it.
func setClock(s *store.Store) *testClock {
	c := &testClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	s.SetClock(func() time.Time { return c.now })
	return c
}

func (c *testClock) advance(d time.Duration) { c.now = c.now.Add(d) }

// newUser creates a user with the given address or fails the test.
func newUser(t *testing.T, s *store.Store, email string) *store.User {
	t.Helper()
	u := &store.User{Email: email, Name: "Test", PasswordHash: "$argon2id$x"}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

func TestCreateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := &store.User{Email: "  Anna.Meier@Example.DE ", Lang: "de"}
		if err := s.CreateUser(ctx, first); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		cases := []struct {
			name  string
			email string
			want  error
		}{
			{"same address in another case is a duplicate", "ANNA.MEIER@example.de", store.ErrDuplicate},
			{"same address with spaces is a duplicate", " anna.meier@example.de", store.ErrDuplicate},
			{"another address is created", "bernd@example.de", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := s.CreateUser(ctx, &store.User{Email: c.email})
				if !errors.Is(err, c.want) {
					t.Fatalf("CreateUser(%q) = %v, want %v", c.email, err, c.want)
				}
			})
		}
		if first.Email != "anna.meier@example.de" || first.ID == uuid.Nil || first.CreatedAt.IsZero() {
			t.Errorf("created user = %+v, want normalised e-mail, id and times set", first)
		}
		got, err := s.UserByID(ctx, first.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		if got.PasswordHash != "" || got.Legacy || got.Lang != "de" || got.EmailVerifiedAt != nil || got.LastLoginAt != nil {
			t.Errorf("stored user = %+v, want no password, not legacy, lang de, never verified or logged in", got)
		}
		var nulls int
		if err := s.DB().NewSelect().TableExpr("users").ColumnExpr("count(*)").
			Where("password_hash IS NULL").Scan(ctx, &nulls); err != nil {
			t.Fatal(err)
		}
		if nulls != 2 {
			t.Errorf("users with NULL password_hash = %d, want 2 (empty hash is stored as NULL)", nulls)
		}
	})
}

func TestUserLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "carla@example.de")
		cases := []struct {
			name   string
			lookup func() (*store.User, error)
			want   error
		}{
			{"by e-mail in another case finds the user", func() (*store.User, error) { return s.UserByEmail(ctx, " Carla@EXAMPLE.de") }, nil},
			{"by id finds the user", func() (*store.User, error) { return s.UserByID(ctx, u.ID) }, nil},
			{"unknown e-mail is not found", func() (*store.User, error) { return s.UserByEmail(ctx, "nobody@example.de") }, store.ErrNotFound},
			{"unknown id is not found", func() (*store.User, error) { return s.UserByID(ctx, uuid.New()) }, store.ErrNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := c.lookup()
				if !errors.Is(err, c.want) {
					t.Fatalf("error = %v, want %v", err, c.want)
				}
				if c.want == nil && (got == nil || got.ID != u.ID) {
					t.Fatalf("user = %+v, want id %s", got, u.ID)
				}
				if c.want != nil && got != nil {
					t.Fatalf("user = %+v with error, want nil", got)
				}
			})
		}
	})
}

func TestUserUpdates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		u := &store.User{Email: "dora@example.de", PasswordHash: "old", Legacy: true}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Hour)
		verifiedAt := clock.now
		if err := s.SetPassword(ctx, u.ID, "new"); err != nil {
			t.Fatalf("SetPassword: %v", err)
		}
		if err := s.MarkEmailVerified(ctx, u.ID); err != nil {
			t.Fatalf("MarkEmailVerified: %v", err)
		}
		clock.advance(time.Hour)
		if err := s.MarkEmailVerified(ctx, u.ID); err != nil {
			t.Fatalf("MarkEmailVerified again: %v", err)
		}
		loginAt := clock.now.Add(-time.Minute)
		if err := s.TouchLogin(ctx, u.ID, loginAt); err != nil {
			t.Fatalf("TouchLogin: %v", err)
		}
		got, err := s.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash != "new" || got.Legacy {
			t.Errorf("after SetPassword hash=%q legacy=%v, want new and not legacy", got.PasswordHash, got.Legacy)
		}
		if got.EmailVerifiedAt == nil || !got.EmailVerifiedAt.Equal(verifiedAt) {
			t.Errorf("EmailVerifiedAt = %v, want the first verification %v", got.EmailVerifiedAt, verifiedAt)
		}
		if got.LastLoginAt == nil || !got.LastLoginAt.Equal(loginAt) {
			t.Errorf("LastLoginAt = %v, want %v", got.LastLoginAt, loginAt)
		}
		if !got.UpdatedAt.Equal(clock.now) || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want %v, %v", got.CreatedAt, got.UpdatedAt, u.CreatedAt, clock.now)
		}
	})
}

func TestUserChangesOnUnknownUserAreNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id := uuid.New()
		cases := []struct {
			name string
			call func() error
		}{
			{"set password", func() error { return s.SetPassword(ctx, id, "h") }},
			{"mark e-mail verified", func() error { return s.MarkEmailVerified(ctx, id) }},
			{"touch login", func() error { return s.TouchLogin(ctx, id, time.Now()) }},
			{"delete", func() error { return s.DeleteUser(ctx, id) }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := c.call(); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("error = %v, want ErrNotFound", err)
				}
			})
		}
	})
}

func TestDeleteUserTakesSessionsAndTokensAndFreesTheAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "emil@example.de")
		raw, err := s.CreateSession(ctx, &store.Session{UserID: &u.ID, ExpiresAt: s.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.IssueToken(ctx, store.TokenRecovery, &u.ID, u.Email, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		if _, err := s.SessionByToken(ctx, raw); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after delete: %v, want ErrNotFound", err)
		}
		if _, err := s.LookupToken(ctx, store.TokenRecovery, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token after delete: %v, want ErrNotFound", err)
		}
		newUser(t, s, "Emil@example.de")
	})
}

func TestUsersLastActiveBefore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		start := clock.now
		cutoff := start.Add(10 * 24 * time.Hour)
		cases := []struct {
			email     string
			createdAt time.Duration  // after start
			loginAt   *time.Duration // after start; nil: never logged in
			want      bool
		}{
			{"old-login@example.de", 0, ptr(24 * time.Hour), true},
			{"recent-login@example.de", 0, ptr(20 * 24 * time.Hour), false},
			{"never-old@example.de", 0, nil, true},
			{"never-new@example.de", 15 * 24 * time.Hour, nil, false},
		}
		for _, c := range cases {
			clock.now = start.Add(c.createdAt)
			u := newUser(t, s, c.email)
			if c.loginAt != nil {
				if err := s.TouchLogin(ctx, u.ID, start.Add(*c.loginAt)); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, err := s.UsersLastActiveBefore(ctx, cutoff)
		if err != nil {
			t.Fatalf("UsersLastActiveBefore: %v", err)
		}
		found := map[string]bool{}
		for _, u := range got {
			found[u.Email] = true
		}
		for _, c := range cases {
			if found[c.email] != c.want {
				t.Errorf("%s listed = %v, want %v", c.email, found[c.email], c.want)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestStoreErrorsNameTheirOperation: an error from the store says which
// operation failed and still matches its sentinel.
func TestStoreErrorsNameTheirOperation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.UserByEmail(ctx, "niemand@example.de")
		if !errors.Is(err, store.ErrNotFound) || !strings.HasPrefix(err.Error(), "store: user by email: ") {
			t.Errorf("UserByEmail of an unknown address = %v, want ErrNotFound as \"store: user by email: …\"", err)
		}
		err = s.DeleteSession(ctx, uuid.New())
		if !errors.Is(err, store.ErrNotFound) || !strings.HasPrefix(err.Error(), "store: delete session: ") {
			t.Errorf("DeleteSession of an unknown session = %v, want ErrNotFound as \"store: delete session: …\"", err)
		}
		u := newUser(t, s, "doppelt@example.de")
		err = s.CreateUser(ctx, &store.User{Email: u.Email, PasswordHash: "x", Lang: "de"})
		if !errors.Is(err, store.ErrDuplicate) || !strings.HasPrefix(err.Error(), "store: create user: ") {
			t.Errorf("CreateUser of a taken address = %v, want ErrDuplicate as \"store: create user: …\"", err)
		}
	})
}
