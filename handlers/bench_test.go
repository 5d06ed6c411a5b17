package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/password"
)

// benchPortal is a portal with the production argon2 parameters and a
// quiet logger.
func benchPortal(b *testing.B) *portal {
	b.Helper()
	return newPortal(b, func(o *handlers.Options) {
		o.Hasher = password.NewHasher(password.DefaultParams, 0)
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	})
}

// BenchmarkLoginPost measures the password step of successful logins
// through the whole stack (CSRF check, regulation, argon2id with the
// default parameters, session and audit writes, the e-mail code queued)
// from parallel browsers.
func BenchmarkLoginPost(b *testing.B) {
	p := benchPortal(b)
	const email = "kunde@example.de"
	p.passwordUser(b, email, goodPassword)
	form := url.Values{"email": {email}, "password": {goodPassword}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := p.client(b)
		c.getOK("/login")
		form := cloneValues(form)
		form.Set("_csrf", c.csrf)
		for pb.Next() {
			r := c.rawPost("/login", form, nil)
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/mfa/verify" {
				b.Errorf("login: status %d to %q, want 303 to /mfa/verify", r.StatusCode, r.Header.Get("Location"))
				return
			}
		}
	})
}

// BenchmarkArgon2Hash measures raw hashes with the default parameters, as
// many at once as the hasher allows.
func BenchmarkArgon2Hash(b *testing.B) {
	h := password.NewHasher(password.DefaultParams, 0)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(ctx, goodPassword); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkLoginPage measures rendering the login page for a returning
// browser (its CSRF token is renewed in the database on every GET).
func BenchmarkLoginPage(b *testing.B) {
	p := benchPortal(b)
	c := p.client(b)
	c.getOK("/login")
	b.ReportAllocs()
	for b.Loop() {
		if r := c.get("/login"); r.StatusCode != http.StatusOK {
			b.Fatalf("GET /login: status %d", r.StatusCode)
		}
	}
}
