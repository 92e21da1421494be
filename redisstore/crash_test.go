package redisstore_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/session"
)

// t0 is the caller's clock in these tests: in the future, so a store that
// consulted its own clock would be caught.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

const grace = time.Minute

// refreshFor is a refresh rotation at t0 whose previous key loads the session
// for d: the rotation these tests crash, whose old key they expect to load.
func refreshFor(d time.Duration) session.Rotation {
	return session.Rotation{Kind: session.RefreshRotation, Until: t0.Add(d)}
}

var errCrash = errors.New("test: crash between steps")

func newKey(t testing.TB) session.Key {
	var k session.Key
	if _, err := rand.Read(k[:]); err != nil {
		t.Fatal(err)
	}
	return k
}

// differentSlots returns a key whose bucket differs from k's, so that a
// rotation between them crosses slots on the cluster.
func keyInOtherBucket(t testing.TB, k session.Key) session.Key {
	for {
		n := newKey(t)
		if n[0] != k[0] {
			return n
		}
	}
}

func newRecord(t testing.TB, owner string) session.Record {
	return session.Record{
		Key: newKey(t), Owner: owner, Data: []byte("data of " + owner), CreatedAt: t0,
		IdleExpiresAt: t0.Add(30 * time.Minute), AbsoluteExpiresAt: t0.Add(24 * time.Hour),
	}
}

// TestRotationCrashLeavesOneLiveKey stops a rotation after each of its steps,
// as a crash of the application would, and checks that exactly one key is the
// session's current key: the old one before the commit, the new one after it
// (the old one then loads it through its grace window, and only then). The
// session stays usable: it can be saved, rotated again, listed and revoked.
func TestRotationCrashLeavesOneLiveKey(t *testing.T) {
	for _, tg := range targets {
		for _, point := range []string{"rotate:prepared", "rotate:committed"} {
			for _, owner := range []string{"", "alice"} {
				t.Run(fmt.Sprintf("%s/%s/owner=%q", tg.name, point, owner), func(t *testing.T) {
					t.Parallel()
					s := tg.open(t, redisstore.Options{})
					checkCrashedRotation(t, s, point, owner)
				})
			}
		}
	}
}

func checkCrashedRotation(t *testing.T, s *redisstore.Store, point, owner string) {
	ctx := t.Context()
	rec := newRecord(t, owner)
	if err := s.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	oldKey, newK := rec.Key, keyInOtherBucket(t, rec.Key)
	redisstore.SetPause(s, func(p string) error {
		if p == point {
			return errCrash
		}
		return nil
	})
	if err := s.Rotate(ctx, oldKey, newK, refreshFor(grace), t0); !errors.Is(err, errCrash) {
		t.Fatalf("Rotate stopped at %s returned %v, want the crash", point, err)
	}
	redisstore.SetPause(s, nil)

	committed := point == "rotate:committed"
	current, other := oldKey, newK
	if committed {
		current, other = newK, oldKey
	}
	got, err := s.Load(ctx, current, t0)
	if err != nil || got.Key != current {
		t.Fatalf("after a crash at %s: Load of the key that must be current: %v, key %s", point, err, got.Key.Prefix())
	}
	switch got, err := s.Load(ctx, other, t0); {
	case !committed && !errors.Is(err, session.ErrNotFound):
		t.Fatalf("after a crash before the commit the new key loads: %v (key %s): two live keys", err, got.Key.Prefix())
	case committed && (err != nil || got.Key != newK || got.PrevKey != oldKey):
		t.Fatalf("after a crash after the commit the old key must load the new session within its grace: %v, key %s", err, got.Key.Prefix())
	}
	if committed {
		if _, err := s.Load(ctx, oldKey, t0.Add(grace)); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("the old key still loads after its grace window: %v", err)
		}
	}
	if c, err := s.Count(ctx, t0); err != nil || c != (session.Counts{Live: 1}) {
		t.Fatalf("Count after a crashed rotation = %+v, %v; want one live session", c, err)
	}
	rows, err := s.List(ctx, session.Key{}, 10)
	if err != nil || len(rows) != 1 || rows[0].Key != current {
		t.Fatalf("List after a crashed rotation: %d rows, %v; want the current key only", len(rows), err)
	}
	// Still a working session: save, rotate again, list and revoke by owner.
	got.Data = []byte("after the crash")
	if got.Version, err = s.Save(ctx, got, t0); err != nil {
		t.Fatalf("Save after a crashed rotation: %v", err)
	}
	third := newKey(t)
	if err := s.Rotate(ctx, current, third, refreshFor(grace), t0); err != nil {
		t.Fatalf("Rotate after a crashed rotation: %v", err)
	}
	if _, err := s.Load(ctx, newK, t0.Add(grace)); !errors.Is(err, session.ErrNotFound) && !committed {
		t.Fatalf("the abandoned copy loads after another rotation: %v", err)
	}
	final, err := s.Load(ctx, third, t0)
	if err != nil || !bytes.Equal(final.Data, got.Data) {
		t.Fatalf("Load of the third key: %v, data %q", err, final.Data)
	}
	if owner == "" {
		return
	}
	listed, err := s.ListOwner(ctx, owner, t0, 10)
	if err != nil || len(listed) != 1 || listed[0].Key != third {
		t.Fatalf("ListOwner after a crashed rotation: %d, %v; want the third key", len(listed), err)
	}
	if n, err := s.DeleteOwner(ctx, owner, session.Key{}); err != nil || n != 1 {
		t.Fatalf("DeleteOwner after a crashed rotation = %d, %v; want 1", n, err)
	}
	for _, k := range []session.Key{oldKey, newK, third} {
		if _, err := s.Load(ctx, k, t0); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("key %s loads after DeleteOwner: %v", k.Prefix(), err)
		}
	}
}

// TestRevokeAfterCrashBeforeFinish: the owner revokes while a rotation is
// committed but not finished (no load has finished it): the session is found
// through its old key's pointer and counted once.
func TestRevokeAfterCrashBeforeFinish(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := tg.open(t, redisstore.Options{})
			rec := newRecord(t, "alice")
			if err := s.Create(ctx, rec); err != nil {
				t.Fatal(err)
			}
			newK := keyInOtherBucket(t, rec.Key)
			redisstore.SetPause(s, func(p string) error {
				if p == "rotate:committed" {
					return errCrash
				}
				return nil
			})
			if err := s.Rotate(ctx, rec.Key, newK, refreshFor(grace), t0); !errors.Is(err, errCrash) {
				t.Fatal(err)
			}
			if n, err := s.DeleteOwner(ctx, "alice", session.Key{}); err != nil || n != 1 {
				t.Fatalf("DeleteOwner = %d, %v; want 1", n, err)
			}
			for _, k := range []session.Key{rec.Key, newK} {
				if _, err := s.Load(ctx, k, t0); !errors.Is(err, session.ErrNotFound) {
					t.Fatalf("key %s loads after DeleteOwner: %v", k.Prefix(), err)
				}
			}
		})
	}
}
