package handlers

import (
	"net/netip"
	"testing"
)

func TestClientAddrIsTheRightMostUntrustedHop(t *testing.T) {
	proxies := parseProxies([]string{"10.0.0.0/8", "192.0.2.1"})
	peer := netip.MustParseAddr("10.0.0.5")
	cases := []struct {
		name string
		peer netip.Addr
		xff  []string
		want string
	}{
		{"nginx appends the client to a forged header", peer, []string{"1.2.3.4, 203.0.113.7"}, "203.0.113.7"},
		{"two proxies", peer, []string{"1.2.3.4, 203.0.113.7, 192.0.2.1"}, "203.0.113.7"},
		{"header split over two lines", peer, []string{"1.2.3.4", "203.0.113.7"}, "203.0.113.7"},
		{"IPv6 client", peer, []string{"2001:db8::1"}, "2001:db8::1"},
		{"text instead of an address", peer, []string{"1.2.3.4, <script>"}, "10.0.0.5"},
		{"no header", peer, nil, "10.0.0.5"},
		{"only proxies", peer, []string{"10.1.1.1"}, "10.0.0.5"},
		{"untrusted peer's header is ignored", netip.MustParseAddr("198.51.100.1"), []string{"203.0.113.7"}, "198.51.100.1"},
	}
	for _, tc := range cases {
		if got := proxies.clientAddr(tc.peer, tc.xff); got.String() != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, got, tc.want)
		}
	}
	if got := parseProxies(nil).clientAddr(peer, []string{"203.0.113.7"}); got != peer {
		t.Errorf("without trusted proxies the header was believed: %v", got)
	}
}
