package handlers

import (
	"context"
	"log/slog"
)

// requestIDKey is the context key of the request id, set by
// assignRequestID on the request's user context.
type requestIDKey struct{}

// withRequestID returns ctx carrying the request id.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// requestLogHandler adds the request id to every record logged with a
// request's context (h.log.InfoContext(c.UserContext(), …) and the store
// and mail code below it), so every line of a request can be found by its
// id. A record that names request_id itself keeps its own.
type requestLogHandler struct{ slog.Handler }

func (l requestLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok && id != "" {
		has := false
		r.Attrs(func(a slog.Attr) bool {
			has = a.Key == "request_id"
			return !has
		})
		if !has {
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return l.Handler.Handle(ctx, r)
}

func (l requestLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestLogHandler{l.Handler.WithAttrs(attrs)}
}

func (l requestLogHandler) WithGroup(name string) slog.Handler {
	return requestLogHandler{l.Handler.WithGroup(name)}
}
