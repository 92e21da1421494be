package session

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	for range 100 {
		tok := newToken()
		s := tok.String()
		if len(s) != tokenLen {
			t.Fatalf("token %q has length %d", s, len(s))
		}
		got, ok := parseToken(s)
		if !ok || got != tok {
			t.Fatalf("parseToken(%q) = %x, %v", s, got, ok)
		}
	}
	if a, b := newToken(), newToken(); a == b {
		t.Fatal("two tokens are equal")
	}
}

// FuzzParseToken: parseToken accepts exactly the canonical unpadded base64url
// spelling of 32 bytes, agrees with encoding/base64 in strict mode, and never
// panics.
func FuzzParseToken(f *testing.F) {
	tok := newToken()
	f.Add(tok.String())
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("A", 42) + "B")
	f.Add(strings.Repeat("_", 43))
	f.Add(strings.Repeat("A", 42) + "=")
	f.Add("")
	f.Add("000000000000000000000000000000000000000\n0000") // found by fuzzing: a newline the reference skips
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseToken(s)
		ref, err := base64.RawURLEncoding.Strict().DecodeString(s)
		// encoding/base64 skips \r and \n even in strict mode; a cookie
		// token is exactly 43 alphabet characters, so such input is refused.
		want := err == nil && len(ref) == tokenSize && !strings.ContainsAny(s, "\r\n")
		if ok != want {
			t.Fatalf("parseToken(%q) ok=%v, encoding/base64 says %v (%v)", s, ok, want, err)
		}
		if ok && (string(got[:]) != string(ref) || got.String() != s) {
			t.Fatalf("parseToken(%q) = %x, want %x", s, got, ref)
		}
	})
}

// FuzzFindToken: whatever Cookie header arrives, findToken never panics, and a
// token it returns is spelled, exactly, as the value of a cookie of that name.
func FuzzFindToken(f *testing.F) {
	tok := newToken()
	f.Add("session=" + tok.String())
	f.Add("a=b; session=\"" + tok.String() + "\"; c=d")
	f.Add("session=garbage; session=" + tok.String())
	f.Add(";;;=;session")
	f.Add("session=" + strings.Repeat("x", 5000))
	f.Fuzz(func(t *testing.T, header string) {
		h := http.Header{"Cookie": {header}}
		got, present, ok := findToken(h, "session")
		if ok && (!present || !strings.Contains(header, "session="+got.String()) &&
			!strings.Contains(header, "session=\""+got.String()+"\"")) {
			t.Fatalf("findToken(%q) = %s, not in the header", header, got.String())
		}
		if present && !strings.Contains(header, "session") {
			t.Fatalf("findToken(%q) found a cookie that is not there", header)
		}
	})
}

func TestFindTokenAllocations(t *testing.T) {
	tok := newToken()
	h := http.Header{"Cookie": {"a=1; b=2; session=" + tok.String() + "; c=3"}}
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, ok := findToken(h, "session"); !ok {
			t.Fatal("not found")
		}
	})
	if allocs != 0 {
		t.Fatalf("findToken allocates %v times", allocs)
	}
}
