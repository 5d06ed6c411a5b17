package handlers_test

import (
	"io"
	"log/slog"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/store/storetest"
)

// BenchmarkPageHandler measures GET requests of an anonymous browser
// through the whole middleware chain in process (no network), as wrk
// sends them: no cookies, no Accept-Encoding. Its CPU and allocation
// profiles show what a page costs beyond the HTTP stack.
func BenchmarkPageHandler(b *testing.B) {
	for _, path := range []string{"/healthz", "/login"} {
		b.Run(path[1:], func(b *testing.B) {
			p := newPortalOn(b, storetest.SQLite(b), notDev, func(o *handlers.Options) {
				o.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
			})
			handler := p.App.Handler()
			addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
			var req fasthttp.Request
			req.Header.SetMethod(fasthttp.MethodGet)
			req.SetRequestURI(path)
			req.Header.SetHost("localhost")
			req.Header.Set("User-Agent", "wrk")
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				ctx.Response.Reset() // as the server does between requests
				ctx.ResetUserValues()
				ctx.Init(&req, addr, nil)
				handler(&ctx)
				if ctx.Response.StatusCode() != fasthttp.StatusOK {
					b.Fatalf("GET %s: status %d", path, ctx.Response.StatusCode())
				}
			}
			// CPU time per request: steadier than the wall time on a
			// shared machine, where this process waits for a core.
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the CPU time the process used so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
