package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestLogLinesOfARequestCarryItsID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(requestLogHandler{slog.NewTextHandler(&buf, nil)}).With("component", "test")
	ctx := withRequestID(context.Background(), "req-1")

	log.InfoContext(ctx, "deep in a flow", "limit", "mail")
	log.InfoContext(ctx, "names its own", "request_id", "req-1")
	log.InfoContext(context.Background(), "not a request")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), buf.String())
	}
	for i, want := range []int{1, 1, 0} {
		if n := strings.Count(lines[i], "request_id=req-1"); n != want {
			t.Errorf("line %d has request_id %d times, want %d: %s", i+1, n, want, lines[i])
		}
	}
	if !strings.Contains(lines[0], "component=test") {
		t.Errorf("attributes of With were lost: %s", lines[0])
	}
}
