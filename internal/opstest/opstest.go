// Package opstest seeds stores for the operations tests (janitor, CLI): live
// and expired sessions with random keys, created through the store itself;
// and it has the counter helpers of the stores' multi-process tests.
package opstest

import (
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// Token returns a random 256-bit token and its key, as the runtime makes them.
func Token() (token []byte, key session.Key) {
	token = make([]byte, 32)
	_, _ = rand.Read(token)
	return token, sha256.Sum256(token)
}

// KeyOf derives a key the way the runtime does: the SHA-256 of a token.
func KeyOf(token string) session.Key { return sha256.Sum256([]byte(token)) }

// LiveRecord returns an anonymous session under key that stays live for a day
// after now.
func LiveRecord(key session.Key, data []byte, now time.Time) session.Record {
	return session.Record{
		Key:               key,
		Data:              data,
		CreatedAt:         now,
		IdleExpiresAt:     now.Add(24 * time.Hour),
		AbsoluteExpiresAt: now.Add(48 * time.Hour),
	}
}

// Record returns a session of owner ("" for anonymous) with data, idle-expiring
// at idle and absolutely expiring an hour after that.
func Record(owner string, data []byte, idle time.Time) session.Record {
	_, key := Token()
	return session.Record{
		Key:               key,
		Owner:             owner,
		Data:              data,
		CreatedAt:         idle.Add(-2 * time.Hour).UTC(),
		IdleExpiresAt:     idle.UTC(),
		AbsoluteExpiresAt: idle.Add(time.Hour).UTC(),
	}
}

// Create stores recs, failing t on the first error.
func Create(t testing.TB, store session.Store, recs ...session.Record) {
	t.Helper()
	for _, r := range recs {
		if err := store.Create(t.Context(), r); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

// Mix creates expired sessions (idle expiry before now, several sharing the
// same instant so that batches split runs of equal expiry) and live ones, and
// returns their keys.
func Mix(t testing.TB, store session.Store, now time.Time, expired, live int) (expiredKeys, liveKeys []session.Key) {
	t.Helper()
	data := []byte{0x81, 0xa1, 'n', 0x01} // {"n": 1}
	for i := range expired {
		// Seven sessions per instant, spread over the past day.
		r := Record("", data, now.Add(-time.Duration(i/7+1)*time.Second))
		Create(t, store, r)
		expiredKeys = append(expiredKeys, r.Key)
	}
	for i := range live {
		r := Record("", data, now.Add(time.Duration(i+1)*time.Minute))
		Create(t, store, r)
		liveKeys = append(liveKeys, r.Key)
	}
	return expiredKeys, liveKeys
}

// Keys returns every key in store, walking Store.List.
func Keys(t testing.TB, store session.Store) map[session.Key]bool {
	t.Helper()
	keys := map[session.Key]bool{}
	var after session.Key
	for {
		page, err := store.List(t.Context(), after, 500)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, r := range page {
			keys[r.Key] = true
		}
		if len(page) < 500 {
			return keys
		}
		after = page[len(page)-1].Key
	}
}

// SameKeys fails t unless got holds exactly want.
func SameKeys(t testing.TB, got map[session.Key]bool, want []session.Key) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("store holds %d sessions, want %d", len(got), len(want))
	}
	for _, k := range want {
		if !got[k] {
			t.Errorf("session %s is gone, want it kept", k.Prefix())
		}
	}
}
