package handlers

import (
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// proxySet is the set of trusted proxies (addresses or CIDR ranges) from
// PORTAL_TRUSTED_PROXIES.
type proxySet []netip.Prefix

func parseProxies(list []string) proxySet {
	var set proxySet
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			set = append(set, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			set = append(set, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return set
}

func (ps proxySet) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the client's address: the peer, or, when the peer is a
// trusted proxy, the right-most address of X-Forwarded-For that is not a
// trusted proxy (what a client writes further left is not believed). Only
// a valid IP address is taken; otherwise the peer stands.
func (ps proxySet) clientAddr(peer netip.Addr, xff []string) netip.Addr {
	if len(ps) == 0 || !ps.contains(peer) {
		return peer
	}
	var hops []string
	for _, h := range xff {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil || a.Zone() != "" {
			return peer // a hop we cannot read: nothing left of it is believed
		}
		if !ps.contains(a) {
			return a.Unmap()
		}
	}
	return peer
}

// realClientAddr replaces the request's remote address by clientAddr, so
// c.IP() everywhere (logs, limits, audit) is the client's validated address.
// The peer is read from the connection, not from the request: fasthttp
// keeps the address set for one request for the next on the same kept
// connection, and a proxy sends many clients' requests over one.
func (h *Handler) realClientAddr(c *fiber.Ctx) error {
	if len(h.proxies) == 0 {
		return c.Next()
	}
	ctx := c.Context()
	if ctx.Conn() == nil {
		return c.Next()
	}
	conn, ok := ctx.Conn().RemoteAddr().(*net.TCPAddr)
	if !ok {
		return c.Next()
	}
	peer, ok := netip.AddrFromSlice(conn.IP)
	if !ok {
		return c.Next()
	}
	var xff []string
	ctx.Request.Header.VisitAll(func(k, v []byte) {
		if strings.EqualFold(string(k), fiber.HeaderXForwardedFor) {
			xff = append(xff, string(v))
		}
	})
	ctx.SetRemoteAddr(conn)
	if a := h.proxies.clientAddr(peer.Unmap(), xff); a != peer.Unmap() {
		ctx.SetRemoteAddr(&net.TCPAddr{IP: a.AsSlice()})
	}
	return c.Next()
}
