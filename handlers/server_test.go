package handlers_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// listen serves the portal on a local port, for requests that app.Test
// cannot make (the server rejects them before any handler runs).
func listen(t *testing.T, p *portal) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { p.App.Listener(ln); close(done) }()
	t.Cleanup(func() { p.App.Shutdown(); <-done })
	return ln.Addr().String()
}

// rawRequest writes raw to the server and reads the response.
func rawRequest(t *testing.T, addr, raw string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// Requests the server rejects before routing (too large, malformed) get
// their own status, the localized page with the same security headers as
// every other page, and nothing of the request in the log.
func TestRequestsRejectedByTheServerGetTheirStatusAndHeaders(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	addr := listen(t, p)
	const secret = "Geheimer-Link-Token-123"
	body := "email=" + strings.Repeat("a", 300*1024)
	cases := []struct {
		name   string
		raw    string
		status int
	}{
		{"body too large", "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body, http.StatusRequestEntityTooLarge},
		{"header too large", "GET /recovery/confirm?token=" + secret + " HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
			strings.Repeat("a", 10000) + "\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"malformed header", "GET /recovery/confirm?token=" + secret + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := rawRequest(t, addr, tc.raw)
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			if csp := res.Header.Get("Content-Security-Policy"); csp == "" || res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("error page without the security headers: %v", res.Header)
			}
		})
	}
	if strings.Contains(p.Logs.String(), secret) {
		t.Errorf("the log holds the token of a rejected request:\n%s", p.Logs.String())
	}
}
