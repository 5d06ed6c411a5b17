//go:build benchload

package benchload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/store/storetest"
)

// phase is how long each measured phase runs; with two databases the whole
// benchmark stays under three minutes.
const phase = 6 * time.Second

// customers is how many customers log in, each from their own known
// browser and address, shared by the workers: at 32 concurrent each
// worker is a customer of its own, as in a real rush, where nobody logs
// in four times at once.
const customers = 32

// TestLoad measures the portal built at PORTAL_BENCH_BINARY on a scratch
// SQLite file and, when PORTAL_BENCH_POSTGRES names a server, on a scratch
// PostgreSQL database there, and prints one table per database.
func TestLoad(t *testing.T) {
	binary := os.Getenv("PORTAL_BENCH_BINARY")
	if binary == "" {
		t.Fatal("PORTAL_BENCH_BINARY is not set: run make bench-load")
	}
	t.Run("sqlite", func(t *testing.T) {
		measure(t, binary, "SQLite", filepath.Join(t.TempDir(), "portal.db"))
	})
	if pg := os.Getenv("PORTAL_BENCH_POSTGRES"); pg != "" {
		t.Setenv("PORTAL_TEST_DATABASE_URL", pg)
		t.Run("postgres", func(t *testing.T) {
			measure(t, binary, "PostgreSQL", storetest.PostgresURL(t))
		})
	}
}

// row is one line of the table.
type row struct{ figure, goal, result string }

func measure(t *testing.T, binary, dbName, dbURL string) {
	sink := smtptest.Start(t)
	s := startPortal(t, binary, dbURL, sink.URL())
	time.Sleep(time.Second)
	idle, _ := s.memory(t)
	requests, bytes := weight(t, s)
	cs := newCustomers(t, s, sink, customers)
	ctx := context.Background()

	health := runWrk(ctx, t, s.base+"/healthz", 2, 32, phase)
	page := runWrk(ctx, t, s.base+"/login", 2, 32, phase)
	raw := rawHashRate(phase / 2)
	before, machineBefore, selfBefore := s.usage(t), readMachine(t), readUsage(t, "self")
	two := runLogins(t, s, cs, 2, phase)
	afterTwo, machineTwo, selfTwo := s.usage(t), readMachine(t), readUsage(t, "self")

	// The 32 logins run alone for their rate, then again with pages
	// loaded beside them (wrk takes a core of its own) for the pages'
	// latency during a flood.
	s.resetPeak(t)
	flood := runLogins(t, s, cs, 32, phase)
	afterFlood, machineFlood, selfFlood := s.usage(t), readMachine(t), readUsage(t, "self")
	during := make(chan wrkResult, 1)
	go func() { during <- runWrk(ctx, t, s.base+"/login", 1, 2, phase) }()
	beside := runLogins(t, s, cs, 32, phase)
	pageDuringFlood := <-during
	_, peak := s.memory(t)

	fi, err := os.Stat(binary)
	if err != nil {
		t.Fatal(err)
	}
	rows := []row{
		{"GET /login requests/s, share of GET /healthz", "≥ 0.5", fmt.Sprintf("%.2f (%.0f of %.0f)", page.rps/health.rps, page.rps, health.rps)},
		{"GET /login p99 at 32 connections", "≤ 10 ms", ms(page.p99)},
		{"login page on the wire (br/gzip), requests", "≤ 25,000 B in ≤ 4", fmt.Sprintf("%s B in %d", thousands(bytes), requests)},
		{"start to /readyz 200", "≤ 100 ms", ms(s.started)},
		{"idle RSS after start", "≤ 25 MB", mb(idle)},
		{"logins/s at 2 concurrent, share of raw hash rate", "≥ 0.9", share(two, raw.best)},
		{"logins/s at 32 concurrent, share of raw hash rate", "≥ 0.9, p99 reported", share(flood, raw.best) + fmt.Sprintf(", %d answered 503", flood.busy)},
		{"logins at 32 concurrent: peak RSS", "≤ 200 MB", mb(peak)},
		{"GET /login p99 during the 32-concurrent logins", "≤ 50 ms", ms(pageDuringFlood.p99)},
		{"binary size (make build)", "≤ 30 MB", mb(fi.Size())},
	}
	printTable(dbName, raw, rows)
	fmt.Printf("The portal's own work per login (CPU time and minor page faults): %s at 2 concurrent, %s at 32.\n",
		afterTwo.per(before, two.done), afterFlood.per(afterTwo, flood.done))
	fmt.Printf("The rest of the machine per login (CPU time; others are the database server and the machine's own; cores idle): %s at 2 concurrent, %s at 32.\n",
		machineTwo.besides(machineBefore, afterTwo.per(before, 1), selfTwo.per(selfBefore, 1), two.done),
		machineFlood.besides(machineTwo, afterFlood.per(afterTwo, 1), selfFlood.per(selfTwo, 1), flood.done))
	for i, r := range []loginResult{two, flood, beside} {
		if r.failed > 0 {
			t.Errorf("%d of the logins at %d concurrent failed (neither the 303 to the second step nor 503):", r.failed, []int{2, 32, 32}[i])
			for reason, n := range r.reasons {
				t.Errorf("  %d× %s", n, reason)
			}
		}
	}
}

func printTable(dbName string, raw rawRate, rows []row) {
	host, _ := os.Hostname()
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s, %d CPUs (GOMAXPROCS %d), %s/%s, host %s, %s; raw argon2id rate %.2f/s (the portal's argon2id, best of 1 and %d at a time; x/crypto's IDKey %.2f/s), phases of %v\n\n",
		dbName, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, host, time.Now().UTC().Format(time.RFC3339),
		raw.best, runtime.GOMAXPROCS(0), raw.xcrypto, phase)
	fmt.Fprintln(&b, "| figure | goal | result |")
	fmt.Fprintln(&b, "| --- | --- | --- |")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.figure, r.goal, r.result)
	}
	fmt.Print(b.String())
}

func share(r loginResult, raw float64) string {
	return fmt.Sprintf("%.2f (%.2f/s, p99 %s)", r.perSecond/raw, r.perSecond, ms(r.p99))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
