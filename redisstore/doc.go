// Package redisstore keeps sessions in Redis: a Redis Cluster (tested on 3
// masters with 3 replicas) or a single server. It lives in a module of its own
// so that applications on the SQL stores never pull a Redis client.
//
// Every compare-and-set runs server-side in a Lua script (EVALSHA, falling back
// to EVAL when a freshly promoted master does not know the script yet), and every
// expiry decision is taken from the caller's now, as the session.Store contract
// requires; key TTLs only reclaim memory some time (Options.ExpiredRetention)
// after a session has expired by the caller's clock.
//
// # Key layout
//
// A session lives in a hash under prefix + "{bbb}s:" + hex(key), where bbb is
// the session's bucket: the first 10 bits of its key, in hex. The 1024 buckets
// are hash tags, so each bucket's two indexes, prefix + "{bbb}e" (a sorted set
// of idle expiries) and prefix + "{bbb}k" (the bucket's keys in byte order),
// share the slot of their sessions and every single-session script is atomic
// with its index updates. Buckets follow key order, so List walks them in
// order; Count and DeleteExpired visit all 1024 (a cluster-wide walk, pipelined
// per node). A user's sessions sit in many slots; prefix + "{o:hash}idx" (hash:
// SHA-256 of the owner, 128 bits in hex) indexes them in the owner's own slot.
//
// # Cross-slot operations
//
// Rotation moves a session to a key in another slot in three steps: a pending
// copy under the new key (it does not load on its own), then the commit on the
// old key, which becomes a pointer to the new one for the grace window, then the
// finish that makes the copy ordinary. A crash after step one leaves the old key
// the only live one; after step two, the new key (a load finishes the step).
//
// An owned session is put in its owner's index before it becomes owned (Save of
// a new owner, Rotate), or right after Create (whose token nobody holds before
// Create returns), and index entries are only removed once their session key is
// gone. "Revoke all" reads the index, then deletes each listed key that still
// belongs to the owner, following rotation pointers. So no session of the owner
// that existed when the revocation began survives it; see docs/REDIS.md.
package redisstore
