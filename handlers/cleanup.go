package handlers

import (
	"context"
	"time"
)

// cleanupInterval is how often expired rows are removed.
const cleanupInterval = time.Minute

// RunCleanup removes expired rows every cleanupInterval until ctx ends:
// rate-limit and failure counters past their window, idle or expired
// sessions, expired one-time tokens and flows, the bodies of mails whose
// link or code expired, mails given up long ago, and signing keys whose
// overlap ended.
func (h *Handler) RunCleanup(ctx context.Context) {
	t := time.NewTicker(cleanupInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.Cleanup(ctx)
		}
	}
}

// Cleanup runs one pass of RunCleanup. Failures are logged; the next pass
// tries again.
func (h *Handler) Cleanup(ctx context.Context) {
	now := h.store.Now()
	steps := []struct {
		what string
		run  func() (int, error)
	}{
		{"throttles", func() (int, error) { return h.store.DeleteOldThrottles(ctx) }},
		{"mail secrets", func() (int, error) { return h.store.EraseExpiredSecrets(ctx) }},
		{"given-up mail", func() (int, error) { return h.store.PurgeGivenUpMail(ctx) }},
		{"sessions", func() (int, error) { return h.store.DeleteExpiredSessions(ctx, now.Add(-h.opt.SessionIdle)) }},
		{"tokens", func() (int, error) { return h.store.DeleteExpiredTokens(ctx, now.Add(-24*time.Hour)) }},
		{"flows", func() (int, error) { return h.store.DeleteExpiredFlows(ctx, now.Add(-time.Hour)) }},
		{"oidc", func() (int, error) { return h.store.DeleteExpiredOIDC(ctx) }},
		{"oidc keys", func() (int, error) { return h.store.DeleteRemovedOIDCKeys(ctx) }},
		{"failures", func() (int, error) { return h.store.DeleteOldFailures(ctx, now.Add(-24*time.Hour)) }},
	}
	for _, s := range steps {
		n, err := s.run()
		if err != nil {
			h.log.WarnContext(ctx, "cleanup failed", "what", s.what, "err", err)
			continue
		}
		if n > 0 {
			h.log.DebugContext(ctx, "cleanup", "what", s.what, "removed", n)
		}
	}
}
