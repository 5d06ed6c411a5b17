//go:build benchload

package benchload

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/argon2"

	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/handlers/password/argon2id"
)

// wrkResult is what wrk reports for one URL.
type wrkResult struct {
	rps float64
	p99 time.Duration
}

var (
	wrkRPS = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99 = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)\b`)
)

// runWrk runs wrk with threads and connections against url for d.
func runWrk(ctx context.Context, t *testing.T, url string, threads, conns int, d time.Duration) wrkResult {
	t.Helper()
	args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency", url}
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("wrk %v: %v\n%s", args, err, out)
	}
	var r wrkResult
	if m := wrkRPS.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if m := wrkP99.FindSubmatch(out); m != nil {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(m[2])]
		r.p99 = time.Duration(v * float64(unit))
	}
	if r.rps == 0 {
		t.Fatalf("wrk %v: no result in\n%s", args, out)
	}
	return r
}

// loginResult counts the logins of one run.
type loginResult struct {
	ok, busy, failed int64
	done             int64 // logins answered 303, the phase's stragglers included
	perSecond        float64
	p99              time.Duration
	reasons          map[string]int // why logins failed: status and message, or the error
}

// runLogins lets workers log in again and again for d, each worker as one
// of the customers from that customer's known browser (worker i is
// customer i mod len(cs)): it fetches the login page and posts address
// and password. A 503 is honoured as a browser user would: wait
// Retry-After, then try again. Anything else but the 303 to the second
// step is a failure, with its reason kept.
func runLogins(t *testing.T, s *server, cs []customer, workers int, d time.Duration) loginResult {
	t.Helper()
	r := loginResult{reasons: map[string]int{}}
	var mu sync.Mutex
	var latencies []time.Duration
	end := time.Now().Add(d)
	transport := &http.Transport{MaxIdleConnsPerHost: workers}
	defer transport.CloseIdleConnections()
	var wg sync.WaitGroup
	for i := range workers {
		c := cs[i%len(cs)]
		wg.Go(func() {
			for time.Now().Before(end) {
				took, p, err := login(s, transport, c)
				switch {
				case err == nil && p.status == http.StatusSeeOther:
					// The rate counts the logins done within the phase;
					// those still in the queue when it ends did not finish
					// in it (counting them overstated the rate by up to
					// the number of workers).
					if !time.Now().After(end) {
						atomic.AddInt64(&r.ok, 1)
					}
					mu.Lock()
					latencies = append(latencies, took)
					mu.Unlock()
				case err == nil && p.status == http.StatusServiceUnavailable:
					atomic.AddInt64(&r.busy, 1)
					retry, _ := strconv.Atoi(p.header.Get("Retry-After"))
					time.Sleep(min(time.Duration(retry)*time.Second, time.Until(end)))
				default:
					atomic.AddInt64(&r.failed, 1)
					reason := fmt.Sprint(err)
					if err == nil {
						reason = fmt.Sprintf("status %d: %s", p.status, strings.Join(strings.Fields(p.doc.Find("main").Text()), " "))
					}
					mu.Lock()
					r.reasons[reason]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	r.perSecond = float64(r.ok) / d.Seconds()
	r.p99 = percentile(latencies, 0.99)
	r.done = int64(len(latencies))
	return r
}

// login is one login of c from their known browser: the page, then the
// form. It returns how long the POST took and its answer.
func login(s *server, transport http.RoundTripper, c customer) (time.Duration, *page, error) {
	b := newBrowser(s.base, c.address, transport)
	b.knows(c.device)
	p, err := b.get("/login")
	if err != nil {
		return 0, nil, err
	}
	if p.status != http.StatusOK {
		return 0, p, nil
	}
	start := time.Now()
	p, err = b.submit(p, "#login-form", map[string]string{"email": c.email, "password": customerPassword})
	return time.Since(start), p, err
}

func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// rawHashRate is how many argon2id hashes with the portal's parameters
// this machine does per second at best: the limit logins are measured
// against. It runs the portal's own argon2id (each worker reusing its
// memory, as the portal's admitted hashes do) one at a time and with
// every core running its own, for d each, and takes the faster: which one
// wins depends on the machine (one hash of four lanes on two cores leaves
// them idle where its lanes meet; two contend for the memory bus). It
// also measures x/crypto's IDKey, which allocates every hash's memory
// afresh, so a reader sees what the reused memory gains.
func rawHashRate(d time.Duration) rawRate {
	p := password.DefaultParams
	var r rawRate
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		runtime.GC()
		r.best = max(r.best, hashRate(workers, d, func() func(pw, salt []byte) {
			var m argon2id.Memory
			return func(pw, salt []byte) { m.IDKey(nil, pw, salt, p.Time, p.Memory, p.Threads, 32) }
		}))
	}
	runtime.GC()
	r.xcrypto = hashRate(runtime.GOMAXPROCS(0), d, func() func(pw, salt []byte) {
		return func(pw, salt []byte) { argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, 32) }
	})
	return r
}

// rawRate is the machine's argon2id rate: the best of the portal's
// argon2id, and x/crypto's with as many hashes at once as cores.
type rawRate struct {
	best, xcrypto float64
}

// hashRate runs workers hashing at once for at least d and at least four
// hashes per worker (so a slow machine is not judged by one or two), at
// most 30 s, and returns the hashes per second. Each worker hashes with
// the function newWorker returns for it.
func hashRate(workers int, d time.Duration, newWorker func() func(pw, salt []byte)) float64 {
	var n atomic.Int64
	start := time.Now()
	enough := func() bool {
		return time.Since(start) >= 30*time.Second || time.Since(start) >= d && n.Load() >= int64(4*workers)
	}
	var wg sync.WaitGroup
	for range workers {
		hash := newWorker()
		wg.Go(func() {
			for !enough() {
				hash([]byte(customerPassword), make([]byte, 16))
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// weight loads the login page as a browser does that asks for brotli or
// gzip: the document, then its stylesheets, icon and scripts. It returns
// the requests and the bytes received (headers and bodies as sent).
func weight(t *testing.T, s *server) (requests int, bytes int64) {
	t.Helper()
	var received atomic.Int64
	transport := &http.Transport{
		DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			return countingConn{c, &received}, err
		},
	}
	defer transport.CloseIdleConnections()
	paths := append([]string{"/login"}, assetsOf(t, s, "/login")...)
	for _, path := range paths {
		req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
		req.Header.Set("Accept-Encoding", "br, gzip")
		resp, err := transport.RoundTrip(req)
		if err != nil {
			t.Fatalf("page weight: GET %s: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page weight: GET %s: status %d", path, resp.StatusCode)
		}
	}
	return len(paths), received.Load()
}

// assetsOf lists what a browser loads for the page at path.
func assetsOf(t *testing.T, s *server, path string) []string {
	t.Helper()
	p, err := newBrowser(s.base, "", http.DefaultTransport).get(path)
	if err != nil {
		t.Fatalf("page weight: %v", err)
	}
	var urls []string
	p.doc.Find(`link[rel=stylesheet], link[rel=icon], script[src]`).Each(func(_ int, el *goquery.Selection) {
		urls = append(urls, el.AttrOr("href", el.AttrOr("src", "")))
	})
	return urls
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}
