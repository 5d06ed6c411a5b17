package handlers

import (
	"context"
	"time"
)

// RunCleanup removes expired rows (CSRF tokens and rate-limit counters in
// the key-value table) every minute until ctx ends.
func (h *Handler) RunCleanup(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := h.store.KV().GC(ctx); err != nil {
				h.log.WarnContext(ctx, "cleanup kv", "err", err)
			} else if n > 0 {
				h.log.DebugContext(ctx, "cleanup kv", "removed", n)
			}
		}
	}
}
