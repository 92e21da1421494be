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

// FuzzFindToken: whatever Cookie header arrives, findTokens never panics;
// every token it returns is spelled, exactly, as the value of a cookie of
// that name; it reports several cookies exactly when the header holds two
// different values of that name; and it returns at most maxCandidates tokens.
func FuzzFindToken(f *testing.F) {
	tok, other := newToken(), newToken()
	f.Add("session=" + tok.String())
	f.Add("a=b; session=\"" + tok.String() + "\"; c=d")
	f.Add("session=garbage; session=" + tok.String())
	f.Add("session=" + tok.String() + "; session=" + other.String())
	f.Add("session=" + tok.String() + "; session=" + tok.String())
	f.Add(";;;=;session")
	f.Add("session=" + strings.Repeat("x", 5000))
	f.Fuzz(func(t *testing.T, header string) {
		h := http.Header{"Cookie": {header}}
		toks, n, found := findTokens(h, "session")
		values := sessionValues(header)
		distinct := map[string]bool{}
		for _, v := range values {
			distinct[v] = true
		}
		wantFound := map[bool]cookieFind{true: cookieSeveral}[len(distinct) > 1]
		if len(distinct) == 1 {
			wantFound = cookieMalformed
			if _, ok := parseToken(values[0]); ok {
				wantFound = cookieToken
			}
		}
		if found != wantFound {
			t.Fatalf("findTokens(%q) = %d, want %d (values %q)", header, found, wantFound, values)
		}
		for i := range min(n, maxCandidates) {
			if !distinct[toks[i].String()] {
				t.Fatalf("findTokens(%q) returned %s, not a value of the header", header, toks[i].String())
			}
		}
	})
}

// sessionValues is the reference parser for FuzzFindToken: the values of the
// cookies named session, quotes removed, in a plainly different way.
func sessionValues(header string) []string {
	var out []string
	for _, part := range strings.Split(header, ";") {
		k, v, ok := strings.Cut(strings.Trim(part, " \t\r\n"), "=")
		if !ok || k != "session" {
			continue
		}
		if strings.HasPrefix(v, "\"") && strings.HasSuffix(v, "\"") && len(v) >= 2 {
			v = v[1 : len(v)-1]
		}
		out = append(out, v)
	}
	return out
}

func TestFindTokenAllocations(t *testing.T) {
	tok, other := newToken(), newToken()
	for _, header := range []string{
		"a=1; b=2; session=" + tok.String() + "; c=3",
		"session=" + tok.String() + "; a=1; session=" + other.String(),
	} {
		h := http.Header{"Cookie": {header}}
		allocs := testing.AllocsPerRun(100, func() {
			if _, n, _ := findTokens(h, "session"); n == 0 {
				t.Fatal("not found")
			}
		})
		if allocs != 0 {
			t.Fatalf("findTokens allocates %v times", allocs)
		}
	}
}
