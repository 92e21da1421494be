package redisstore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/sessiongen/sessiongen/session"
)

// buckets is the number of hash-tag buckets sessions are spread over: the first
// bucketBits bits of the key. It is part of the key layout: changing it strands
// existing sessions.
const (
	bucketBits = 10
	buckets    = 1 << bucketBits
)

// bucketOf returns the bucket of a key: its first bucketBits bits, so that
// buckets follow key order.
func bucketOf(k session.Key) int { return int(k[0])<<2 | int(k[1])>>6 }

// layout builds the Redis key names of one store.
type layout struct{ prefix string }

func (l layout) tag(bucket int) string { return fmt.Sprintf("%s{%03x}", l.prefix, bucket) }

// session returns the name of the hash holding the session keyed k.
func (l layout) session(k session.Key) string {
	return l.sessionHex(bucketOf(k), hex.EncodeToString(k[:]))
}

func (l layout) sessionHex(bucket int, member string) string { return l.tag(bucket) + "s:" + member }

// expiries and keys return the names of a bucket's indexes.
func (l layout) expiries(bucket int) string { return l.tag(bucket) + "e" }
func (l layout) keys(bucket int) string     { return l.tag(bucket) + "k" }

// owner returns the name of an owner's index. The owner is hashed so that any
// string (braces included) makes a well-formed hash tag of bounded length.
func (l layout) owner(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return l.prefix + "{o:" + hex.EncodeToString(sum[:16]) + "}idx"
}

// lease returns the name of a lease; all leases share one slot.
func (l layout) lease(name string) string { return l.prefix + "{lease}:" + name }

// sessionKeys returns a session's hash and its bucket's two indexes: the KEYS
// of every script that changes one session.
func (l layout) sessionKeys(k session.Key) []string {
	b := bucketOf(k)
	return []string{l.session(k), l.expiries(b), l.keys(b)}
}

// parseMember converts an index member (a key in hex) back to a key.
func parseMember(m string) (session.Key, bool) {
	var k session.Key
	if len(m) != 2*session.KeySize {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(m))
	return k, err == nil
}
