package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

const (
	// tokenSize is the number of random bytes in a session token: 256 bits.
	tokenSize = 32
	// tokenLen is the length of a token in a cookie: unpadded base64url of 32 bytes.
	tokenLen = (tokenSize*8 + 5) / 6
)

// token is the secret a browser holds. Only its SHA-256 (a Key) reaches the store
// and the logs.
type token [tokenSize]byte

// newToken returns a fresh token from crypto/rand (which never fails since Go 1.24).
func newToken() token {
	var t token
	rand.Read(t[:])
	return t
}

// key returns the store key of t.
func (t *token) key() Key { return sha256.Sum256(t[:]) }

// String returns the cookie value of t.
func (t *token) String() string { return base64.RawURLEncoding.EncodeToString(t[:]) }

// base64URL maps a base64url character to its 6-bit value; invalid characters map to 0xff.
var base64URL = func() (m [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range m {
		m[i] = 0xff
	}
	for i := range len(alphabet) {
		m[alphabet[i]] = byte(i)
	}
	return m
}()

// parseToken decodes a cookie value strictly: exactly tokenLen characters of the
// base64url alphabet, no padding, and zero trailing bits, so that every token has
// exactly one spelling. It is hand-written rather than encoding/base64 because it
// runs on every request and must not allocate.
func parseToken(s string) (t token, ok bool) {
	if len(s) != tokenLen {
		return t, false
	}
	// 10 groups of 4 characters give 30 bytes; the last 3 characters give 2.
	for g := range 10 {
		var v uint32
		for _, c := range []byte(s[g*4 : g*4+4]) {
			d := base64URL[c]
			if d == 0xff {
				return token{}, false
			}
			v = v<<6 | uint32(d)
		}
		t[g*3], t[g*3+1], t[g*3+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	var v uint32
	for _, c := range []byte(s[40:]) {
		d := base64URL[c]
		if d == 0xff {
			return token{}, false
		}
		v = v<<6 | uint32(d)
	}
	if v&3 != 0 { // 18 bits carry 16: the 2 spare bits must be zero
		return token{}, false
	}
	t[30], t[31] = byte(v>>10), byte(v>>2)
	return t, true
}
