package session

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestTruncateIP(t *testing.T) {
	for _, c := range []struct{ addr, want string }{
		{"192.0.2.123", "192.0.2.0/24"},
		{"::ffff:192.0.2.123", "192.0.2.0/24"}, // IPv4-mapped: the IPv4 rule
		{"2001:db8:abcd:12:3456:789a:bcde:f012", "2001:db8:abcd::/48"},
		{"fe80::1%eth0", "fe80::/48"}, // the zone is not kept
		{"::1", "::/48"},
	} {
		if got := truncateIP(netip.MustParseAddr(c.addr)); got.String() != c.want {
			t.Errorf("truncateIP(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
	if got := truncateIP(netip.Addr{}); got.IsValid() {
		t.Errorf("truncateIP(zero) = %s, want the zero Prefix", got)
	}
}

func TestClientAddr(t *testing.T) {
	for _, c := range []struct {
		name, remote, header string
		lines                []string
		want                 string // "" for unknown
	}{
		{"remote IPv4", "198.51.100.7:51234", "", nil, "198.51.100.7"},
		{"remote IPv6", "[2001:db8::7]:51234", "", nil, "2001:db8::7"},
		{"remote without port", "198.51.100.7", "", nil, "198.51.100.7"},
		{"remote garbage", "pipe", "", nil, ""},
		{"header ignored unless trusted", "198.51.100.7:1", "", []string{"203.0.113.9"}, "198.51.100.7"},
		{"last element wins", "10.0.0.1:1", "X-Forwarded-For", []string{"6.6.6.6, 203.0.113.9"}, "203.0.113.9"},
		{"last line wins", "10.0.0.1:1", "X-Forwarded-For", []string{"6.6.6.6", "203.0.113.9"}, "203.0.113.9"},
		{"with port", "10.0.0.1:1", "X-Real-Ip", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"bracketed IPv6", "10.0.0.1:1", "X-Real-Ip", []string{"[2001:db8::9]"}, "2001:db8::9"},
		{"Forwarded", "10.0.0.1:1", "Forwarded", []string{`for=6.6.6.6, for="[2001:db8::9]:4711";proto=https`}, "2001:db8::9"},
		{"Forwarded, for= later", "10.0.0.1:1", "Forwarded", []string{"proto=https;For=203.0.113.9"}, "203.0.113.9"},
		{"Forwarded obfuscated", "10.0.0.1:1", "Forwarded", []string{"for=_hidden"}, ""},
		{"absent: unknown, not the proxy", "10.0.0.1:1", "X-Forwarded-For", nil, ""},
		{"malformed: unknown", "10.0.0.1:1", "X-Forwarded-For", []string{"203.0.113.9, nonsense"}, ""},
	} {
		r := &http.Request{RemoteAddr: c.remote, Header: http.Header{}}
		if c.lines != nil {
			name := c.header
			if name == "" {
				name = "X-Forwarded-For"
			}
			r.Header[name] = c.lines
		}
		got := clientAddr(r, c.header)
		if want := parseHostAddr(c.want); got != want {
			t.Errorf("%s: clientAddr = %v, want %v", c.name, got, want)
		}
	}
}

// FuzzClientAddr: whatever a trusted header or RemoteAddr holds, the address
// found is one spelled in the input, and its prefix is a masked /24 or /48.
func FuzzClientAddr(f *testing.F) {
	f.Add("198.51.100.7:1", "6.6.6.6, 203.0.113.9")
	f.Add("[::1]:1", `for="[2001:db8::9]:4711";proto=https`)
	f.Add("", "for=;for=\"\"")
	f.Add("x", "[]")
	f.Fuzz(func(t *testing.T, remote, header string) {
		for _, name := range []string{"", "X-Forwarded-For"} {
			r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {header}}}
			a := clientAddr(r, name)
			if !a.IsValid() {
				continue
			}
			if !spelledIn(remote+header, a) {
				t.Fatalf("clientAddr(%q, %q) = %v, not in the input", remote, header, a)
			}
			p := truncateIP(a)
			if p != p.Masked() || (p.Bits() != ipv4PrefixBits && p.Bits() != ipv6PrefixBits) {
				t.Fatalf("truncateIP(%v) = %v", a, p)
			}
		}
	})
}

// spelledIn reports whether some run of at most 64 address characters in s
// parses as a, zones aside (ParseAddr accepts spellings that String does not
// produce, such as leading zeros in IPv6 groups).
func spelledIn(s string, a netip.Addr) bool {
	for i := range len(s) {
		for j := i + 1; j <= len(s) && j-i <= 64; j++ {
			if b, err := netip.ParseAddr(s[i:j]); err == nil && b.WithZone("") == a.WithZone("") {
				return true
			}
		}
	}
	return false
}
