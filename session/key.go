package session

import (
	"crypto/sha256"
	"encoding/hex"
)

// KeySize is the length of a Key: a SHA-256 digest.
const KeySize = sha256.Size

// Key identifies a stored session: the SHA-256 of its token. Stores only ever see
// keys, so a leaked table or log does not leak a usable token.
type Key [KeySize]byte

// String returns the key in hex. It is safe to log: a key cannot be turned back
// into the token it was derived from.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Prefix returns the first 12 hex digits of the key: enough to tell sessions
// apart in logs and in the CLI without printing whole identifiers.
func (k Key) Prefix() string { return hex.EncodeToString(k[:6]) }

// IsZero reports whether k is the zero key, which no token hashes to in practice
// and which stores use to mean "none".
func (k Key) IsZero() bool { return k == Key{} }
