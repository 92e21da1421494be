package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/session"
)

// MinPrefixLen is the shortest hash prefix the CLI accepts: 8 hex digits (32
// bits) make an accidental match between sessions rare in any realistic table.
const MinPrefixLen = 8

// ErrBadPrefix is returned for an argument that is not a hex hash prefix. Raw
// session tokens fall here too: the CLI never accepts them.
var ErrBadPrefix = errors.New("not a session hash prefix")

// hashPrefix is the leading hex digits of a session.Key (the SHA-256 of its
// token), as printed by `sessions list`.
type hashPrefix string

// parseHashPrefix accepts 8 to 64 hex digits, in either case. The error never
// echoes the argument: a raw token pasted by mistake must not reach a terminal
// log or shell history twice.
func parseHashPrefix(s string) (hashPrefix, error) {
	if len(s) < MinPrefixLen || len(s) > 2*session.KeySize {
		return "", fmt.Errorf("%w: want %d to %d hex digits, got %d characters (raw tokens are never accepted; use the prefix `sessions list` prints)",
			ErrBadPrefix, MinPrefixLen, 2*session.KeySize, len(s))
	}
	for i := range len(s) {
		if hexValue(s[i]) < 0 {
			return "", fmt.Errorf("%w: character %d is not a hex digit (raw tokens are never accepted; use the prefix `sessions list` prints)",
				ErrBadPrefix, i+1)
		}
	}
	return hashPrefix(strings.ToLower(s)), nil
}

// hexValue returns the value of hex digit c, or -1.
func hexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// lowest returns the smallest key that starts with p: p's digits followed by
// zeros.
func (p hashPrefix) lowest() session.Key {
	var k session.Key
	for i := range len(p) {
		v := byte(hexValue(p[i]))
		if i%2 == 0 {
			k[i/2] = v << 4
		} else {
			k[i/2] |= v
		}
	}
	return k
}

// listAfter returns the key to pass to Store.List so that its first page starts
// at the first key with prefix p: the key just before p.lowest(). (For the
// all-zero prefix that would underflow; the zero Key is returned, which only
// misses the zero key itself, a key no token hashes to.)
func (p hashPrefix) listAfter() session.Key {
	k := p.lowest()
	for i := len(k) - 1; i >= 0; i-- {
		if k[i] > 0 {
			k[i]--
			return k
		}
		k[i] = 0xff
	}
	return session.Key{}
}

// matches reports whether k starts with p.
func (p hashPrefix) matches(k session.Key) bool {
	return strings.HasPrefix(k.String(), string(p))
}

// distinctPrefixes returns, for keys that share a prefix, the shortest prefixes
// (at least session.Key.Prefix's 12 digits) that tell every one of them apart,
// for an "ambiguous prefix" message.
func distinctPrefixes(keys []session.Key) []string {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = k.String()
	}
	n := len(session.Key{}.Prefix())
	for ; n < 2*session.KeySize; n++ {
		seen := make(map[string]bool, len(full))
		unique := true
		for _, f := range full {
			if seen[f[:n]] {
				unique = false
				break
			}
			seen[f[:n]] = true
		}
		if unique {
			break
		}
	}
	out := make([]string, len(full))
	for i, f := range full {
		out[i] = f[:n]
	}
	return out
}
