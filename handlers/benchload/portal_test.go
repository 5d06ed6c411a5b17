//go:build benchload

package benchload

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// server is one running `portal serve`.
type server struct {
	cmd     *exec.Cmd
	base    string        // http://localhost:PORT
	log     string        // file with the portal's log
	started time.Duration // from exec to the first /readyz 200
}

// startPortal migrates the database and starts the binary on a free
// loopback port; it is stopped when the test ends.
func startPortal(t *testing.T, binary, dbURL, smtpURL string) *server {
	t.Helper()
	port := freePort(t)
	key := make([]byte, 32)
	rand.Read(key)
	env := append(os.Environ(),
		"PORTAL_ADDR=127.0.0.1:"+port,
		"PORTAL_BASE_URL=http://localhost:"+port,
		"PORTAL_DATABASE_URL="+dbURL,
		"PORTAL_SMTP_URL="+smtpURL,
		"PORTAL_TRUSTED_PROXIES=127.0.0.1", // the browsers send their customers' addresses
		"PORTAL_SECRET_KEY="+base64.StdEncoding.EncodeToString(key),
	)
	migrate := exec.Command(binary, "migrate")
	migrate.Env = env
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("portal migrate: %v\n%s", err, out)
	}
	s := &server{cmd: exec.Command(binary, "serve"), base: "http://localhost:" + port}
	s.cmd.Env = env
	logFile, err := os.Create(filepath.Join(t.TempDir(), "portal.log"))
	if err != nil {
		t.Fatalf("portal log: %v", err)
	}
	s.cmd.Stderr, s.log = logFile, logFile.Name()
	begin := time.Now()
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start portal: %v", err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
		}
	})
	s.started = waitReady(t, s, begin)
	return s
}

// waitReady polls /readyz every millisecond until it answers 200.
func waitReady(t *testing.T, s *server, begin time.Time) time.Duration {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	for time.Since(begin) < 20*time.Second {
		resp, err := client.Get("http://" + s.addr() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(begin)
			}
		}
		time.Sleep(time.Millisecond)
	}
	logged, _ := os.ReadFile(s.log)
	t.Fatalf("portal not ready after 20 s; its log:\n%s", logged)
	return 0
}

// addr is the loopback address the portal listens on.
func (s *server) addr() string { return "127.0.0.1:" + strings.TrimPrefix(s.base, "http://localhost:") }

// memory reads the portal's resident set size and its peak so far (bytes).
func (s *server) memory(t *testing.T) (rss, peak int64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read memory: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb * 1024
		case "VmHWM:":
			peak = kb * 1024
		}
	}
	return rss, peak
}

// resetPeak sets the kernel's record of the portal's peak resident set
// size (VmHWM) to its size now, so that memory's peak is the highest of
// what follows. The kernel keeps it exactly, without a sampler waking
// every few milliseconds beside the logins it measures.
func (s *server) resetPeak(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0); err != nil {
		t.Fatalf("reset the peak memory: %v", err)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("reserve a port: %v", err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// usage is the portal's CPU time so far and its minor page faults (a page
// the kernel had to map and zero: each argon2id hash that gets fresh
// memory from the system causes thousands).
type usage struct {
	user, system time.Duration
	faults       int64
}

// clockTick is the unit of the CPU times in /proc (USER_HZ is 100 on Linux).
const clockTick = 10 * time.Millisecond

// usage reads the portal's /proc/PID/stat.
func (s *server) usage(t *testing.T) usage {
	t.Helper()
	return readUsage(t, strconv.Itoa(s.cmd.Process.Pid))
}

// readUsage reads /proc/PID/stat ("self" for this process).
func readUsage(t *testing.T, pid string) usage {
	t.Helper()
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Fatalf("read CPU time: %v", err)
	}
	// The fields after the command name (in parentheses, which may hold
	// spaces): state is field 3, minflt 10, utime 14, stime 15.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	num := func(field int) int64 { n, _ := strconv.ParseInt(fields[field-3], 10, 64); return n }
	return usage{user: time.Duration(num(14)) * clockTick, system: time.Duration(num(15)) * clockTick, faults: num(10)}
}

// machine is the CPU time of all the machine's cores so far: busy (the
// portal, the database server, this load generator and anything else)
// and idle.
type machine struct{ busy, idle time.Duration }

// readMachine reads the first line of /proc/stat: user, nice, system,
// idle, iowait, irq, softirq and steal, in ticks.
func readMachine(t *testing.T) machine {
	t.Helper()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatalf("read the machine's CPU time: %v", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		t.Fatalf("/proc/stat starts %q, want the cpu line", line)
	}
	var tick [8]int64
	for i := range tick {
		tick[i], _ = strconv.ParseInt(fields[i+1], 10, 64)
	}
	return machine{
		busy: time.Duration(tick[0]+tick[1]+tick[2]+tick[5]+tick[6]+tick[7]) * clockTick,
		idle: time.Duration(tick[3]+tick[4]) * clockTick,
	}
}

// besides is what the machine did per login between before and m, other
// than the portal's own work (portal): the CPU time of this load
// generator (client), of everything else (the database server, the
// machine's own) and the idle time of the cores.
func (m machine) besides(before machine, portal, client usage, n int64) string {
	if n == 0 {
		return "no logins"
	}
	per := func(d time.Duration) string { return ms(max(d, 0) / time.Duration(n)) }
	clientTime := client.user + client.system
	others := m.busy - before.busy - portal.user - portal.system - clientTime
	return fmt.Sprintf("load generator %s, others %s, idle %s", per(clientTime), per(others), per(m.idle-before.idle))
}

// per is u minus before, divided by n.
func (u usage) per(before usage, n int64) usage {
	if n == 0 {
		return usage{}
	}
	return usage{
		user:   (u.user - before.user) / time.Duration(n),
		system: (u.system - before.system) / time.Duration(n),
		faults: (u.faults - before.faults) / n,
	}
}

func (u usage) String() string {
	return fmt.Sprintf("user %s, system %s, %d faults", ms(u.user), ms(u.system), u.faults)
}
