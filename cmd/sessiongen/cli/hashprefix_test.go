package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

func TestParseHashPrefix(t *testing.T) {
	good := map[string]string{
		"0123abcd":                 "0123abcd",
		"DEADBEEF1":                "deadbeef1",
		strings.Repeat("f", 64):    strings.Repeat("f", 64),
		"00000000":                 "00000000",
		"aBcDeF0123456789aBcDeF01": "abcdef0123456789abcdef01",
	}
	for in, want := range good {
		p, err := parseHashPrefix(in)
		if err != nil || string(p) != want {
			t.Errorf("parseHashPrefix(%q) = %q, %v; want %q", in, p, err, want)
		}
	}
	bad := []string{"", "0123abc", "0123abcg", "0123 abcd", "0x0123abcd", strings.Repeat("a", 65),
		"Zm9vYmFyYmF6cXV4cXV1eF9fLS0tX19fYWJjZGVmZ2g", "ÿ0123abcd"}
	for _, in := range bad {
		if _, err := parseHashPrefix(in); !errors.Is(err, ErrBadPrefix) {
			t.Errorf("parseHashPrefix(%q) = %v, want ErrBadPrefix", in, err)
		}
	}
}

func TestHashPrefixRange(t *testing.T) {
	p := hashPrefix("12345678a")
	low := p.lowest()
	if low.String() != "12345678a"+strings.Repeat("0", 55) {
		t.Errorf("lowest = %s", low)
	}
	after := p.listAfter()
	if after.String() != "123456789"+strings.Repeat("f", 55) {
		t.Errorf("listAfter = %s", after)
	}
	if !p.matches(low) || p.matches(after) {
		t.Error("matches: lowest must match, the key before it must not")
	}
	if zero := hashPrefix("00000000").listAfter(); !zero.IsZero() {
		t.Errorf("listAfter of the all-zero prefix = %s, want the zero key", zero)
	}
}

func TestDistinctPrefixes(t *testing.T) {
	var a, b, c session.Key
	a[0], b[0], c[0] = 0x11, 0x11, 0x22
	b[9] = 0x01 // a and b agree on 19 hex digits
	got := distinctPrefixes([]session.Key{a, b})
	if got[0] != "11"+strings.Repeat("0", 18) || got[1] != "11"+strings.Repeat("0", 16)+"01" {
		t.Errorf("distinctPrefixes(a, b) = %v", got)
	}
	if got := distinctPrefixes([]session.Key{a, c}); len(got[0]) != 12 {
		t.Errorf("keys that differ early get %v, want Prefix-length prefixes", got)
	}
}

// FuzzParseHashPrefix checks that any accepted argument is a canonical hex
// prefix whose key range is consistent, and that nothing panics.
func FuzzParseHashPrefix(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseHashPrefix(s)
		if err != nil {
			if !errors.Is(err, ErrBadPrefix) {
				t.Fatalf("error %v is not ErrBadPrefix", err)
			}
			return
		}
		if len(p) < MinPrefixLen || len(p) > 64 || string(p) != strings.ToLower(s) {
			t.Fatalf("accepted %q as %q", s, p)
		}
		low, after := p.lowest(), p.listAfter()
		if !p.matches(low) || !strings.HasPrefix(low.String(), string(p)) {
			t.Fatalf("lowest %s does not start with %s", low, p)
		}
		if !after.IsZero() && (p.matches(after) || bytes.Compare(after[:], low[:]) >= 0) {
			t.Fatalf("listAfter %s is not just below %s", after, low)
		}
	})
}
