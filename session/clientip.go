package session

import (
	"net/http"
	"net/netip"
	"strings"
)

// The client's network: what a session records of the address that signed
// in. Only a prefix is kept, never the address: enough for a person to tell
// "my home network" from "somewhere else", not enough to single out a
// household's device.

// Prefix lengths a session keeps: an IPv4 /24 (256 addresses) and an IPv6
// /48 (a site: one customer of an ISP, usually a whole home or office).
const (
	ipv4PrefixBits = 24
	ipv6PrefixBits = 48
)

// truncateIP returns the network of a: its /24 for IPv4 (IPv4-mapped IPv6
// included), its /48 for IPv6, the zero Prefix for the zero Addr.
func truncateIP(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	bits := ipv6PrefixBits
	if a.Is4() {
		bits = ipv4PrefixBits
	}
	p, _ := a.Prefix(bits) // cannot fail: bits fits both families
	return p
}

// clientAddr returns the address of the client that sent r. With header ""
// it is the connection's peer (RemoteAddr). Otherwise it is read from that
// header, which a reverse proxy the application trusts sets: from its last
// line's last element, the one the nearest proxy appended (any earlier one
// came from the client and proves nothing). The element is an address, an
// address with a port, or an RFC 7239 Forwarded element ("for=..."). An
// absent or malformed header gives the zero Addr (unknown), never
// RemoteAddr, which is the proxy's own address then.
func clientAddr(r *http.Request, header string) netip.Addr {
	if header == "" {
		return parseHostAddr(r.RemoteAddr)
	}
	lines := r.Header[header]
	if len(lines) == 0 {
		return netip.Addr{}
	}
	v := lines[len(lines)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	v = strings.TrimSpace(v)
	if strings.Contains(v, "=") {
		v = forwardedFor(v)
	}
	return parseHostAddr(v)
}

// forwardedFor returns the for= parameter of one RFC 7239 Forwarded element
// ("for=192.0.2.60;proto=https"), unquoted; "" when it has none.
func forwardedFor(elem string) string {
	for elem != "" {
		var pair string
		pair, elem, _ = strings.Cut(elem, ";")
		name, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
		if strings.EqualFold(name, "for") {
			return strings.Trim(value, `"`)
		}
	}
	return ""
}

// parseHostAddr parses "addr", "addr:port", "[addr]" or "[addr]:port"; the
// zero Addr for anything else (an obfuscated Forwarded node such as
// "_hidden" or "unknown" included).
func parseHostAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr()
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a
}
