package redisstore_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/redisstore/internal/redistest"
	"github.com/sessiongen/sessiongen/session"
)

// gate parks the store's operations at one point until released.
type gate struct {
	point   string
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate(s *redisstore.Store, point string) *gate {
	g := &gate{point: point, arrived: make(chan struct{}), release: make(chan struct{})}
	redisstore.SetPause(s, func(p string) error {
		if p == g.point {
			g.once.Do(func() { close(g.arrived); <-g.release })
		}
		return nil
	})
	return g
}

// aliceWithSessions creates n sessions of alice in distinct buckets; on the
// cluster the first three sit on three different masters.
func aliceWithSessions(t *testing.T, tg target, s *redisstore.Store, n int) []session.Record {
	t.Helper()
	var recs []session.Record
	usedBucket := map[byte]bool{}
	usedMaster := map[string]bool{}
	for len(recs) < n {
		rec := newRecord(t, "alice")
		if usedBucket[rec.Key[0]] {
			continue
		}
		if tg.name == "cluster" {
			m, err := redistest.SharedCluster(t).MasterOf(redisstore.SessionKeyName(s, rec.Key))
			if err != nil {
				t.Fatal(err)
			}
			if usedMaster[m.Addr] && len(usedMaster) < 3 {
				continue
			}
			usedMaster[m.Addr] = true
		}
		usedBucket[rec.Key[0]] = true
		mustCreate(t, s, rec)
		recs = append(recs, rec)
	}
	return recs
}

// wantNoneLoads fails if any of keys still loads.
func wantNoneLoads(t *testing.T, s *redisstore.Store, what string, keys ...session.Key) {
	t.Helper()
	for _, k := range keys {
		if rec, err := s.Load(t.Context(), k, t0); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("%s: key %s still loads (owner %q, err %v)", what, k.Prefix(), rec.Owner, err)
		}
	}
}

// wantNoEscape checks the invariant a revocation relies on: every session that
// loads as alice's is in her index (ListOwner), and one more DeleteOwner ends
// them all.
func wantNoEscape(t *testing.T, s *redisstore.Store, keys ...session.Key) {
	t.Helper()
	ctx := t.Context()
	listed, err := s.ListOwner(ctx, "alice", t0, 100)
	if err != nil {
		t.Fatal(err)
	}
	inIndex := map[session.Key]bool{}
	for _, r := range listed {
		inIndex[r.Key] = true
	}
	for _, k := range keys {
		if rec, err := s.Load(ctx, k, t0); err == nil && rec.Owner == "alice" && !inIndex[rec.Key] {
			t.Fatalf("session %s is alice's but not in her index: a revocation would miss it", rec.Key.Prefix())
		}
	}
	if _, err := s.DeleteOwner(ctx, "alice", session.Key{}); err != nil {
		t.Fatal(err)
	}
	wantNoneLoads(t, s, "after a second DeleteOwner", keys...)
}

// TestRevokeAllWhileSessionBinds: alice's sessions sit in different slots
// (on several masters of the cluster) and "revoke all" runs while another
// session is being bound to her, in each order the two can interleave, and
// while one of her sessions rotates. Every session she had when the
// revocation began is gone when it returns; a session bound meanwhile is
// either gone too or in her index, where the next revocation finds it.
func TestRevokeAllWhileSessionBinds(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Run("BindPausedAfterIndexing", func(t *testing.T) {
				t.Parallel()
				s := tg.open(t, redisstore.Options{})
				before := aliceWithSessions(t, tg, s, 4)
				login := newRecord(t, "")
				mustCreate(t, s, login)
				g := newGate(s, "save:indexed")
				done := make(chan error, 1)
				go func() { _, err := save(t, s, login, "alice"); done <- err }()
				<-g.arrived
				revoke(t, s)
				close(g.release)
				if err := <-done; err != nil && !errors.Is(err, session.ErrNotFound) {
					t.Fatal(err)
				}
				wantNoneLoads(t, s, "revocation", keysOf(before)...)
				wantNoEscape(t, s, login.Key)
			})
			t.Run("RevokePausedAfterReadingIndex", func(t *testing.T) {
				t.Parallel()
				s := tg.open(t, redisstore.Options{})
				before := aliceWithSessions(t, tg, s, 4)
				login := newRecord(t, "")
				mustCreate(t, s, login)
				g := newGate(s, "deleteowner:listed")
				done := make(chan struct{})
				go func() { revoke(t, s); close(done) }()
				<-g.arrived
				if _, err := save(t, s, login, "alice"); err != nil {
					t.Fatal(err)
				}
				close(g.release)
				<-done
				wantNoneLoads(t, s, "revocation", keysOf(before)...)
				wantNoEscape(t, s, login.Key)
			})
			t.Run("RotationDuringRevoke", func(t *testing.T) {
				t.Parallel()
				s := tg.open(t, redisstore.Options{})
				before := aliceWithSessions(t, tg, s, 4)
				g := newGate(s, "deleteowner:listed")
				done := make(chan struct{})
				go func() { revoke(t, s); close(done) }()
				<-g.arrived
				// A session alice had when the revocation began moves to a key
				// the revocation did not list.
				moved := keyInOtherBucket(t, before[0].Key)
				if err := s.Rotate(t.Context(), before[0].Key, moved, refreshFor(grace), t0); err != nil {
					t.Fatal(err)
				}
				close(g.release)
				<-done
				wantNoneLoads(t, s, "revocation during a rotation", append(keysOf(before), moved)...)
			})
			t.Run("RevokeDuringRotation", func(t *testing.T) {
				t.Parallel()
				s := tg.open(t, redisstore.Options{})
				before := aliceWithSessions(t, tg, s, 4)
				g := newGate(s, "rotate:prepared")
				moved := keyInOtherBucket(t, before[0].Key)
				done := make(chan error, 1)
				go func() { done <- s.Rotate(t.Context(), before[0].Key, moved, refreshFor(grace), t0) }()
				<-g.arrived
				revoke(t, s)
				close(g.release)
				if err := <-done; !errors.Is(err, session.ErrNotFound) {
					t.Fatalf("Rotate of a session revoked halfway = %v, want ErrNotFound", err)
				}
				wantNoneLoads(t, s, "rotation during a revocation", append(keysOf(before), moved)...)
			})
			t.Run("Concurrent", func(t *testing.T) {
				t.Parallel()
				s := tg.open(t, redisstore.Options{})
				for round := range 20 {
					before := aliceWithSessions(t, tg, s, 3)
					login := newRecord(t, "")
					mustCreate(t, s, login)
					var wg sync.WaitGroup
					wg.Go(func() { revoke(t, s) })
					wg.Go(func() {
						if _, err := save(t, s, login, "alice"); err != nil && !errors.Is(err, session.ErrNotFound) {
							t.Error(err)
						}
					})
					wg.Wait()
					wantNoneLoads(t, s, fmt.Sprintf("round %d", round), keysOf(before)...)
					wantNoEscape(t, s, login.Key)
				}
			})
		})
	}
}

func mustCreate(t *testing.T, s *redisstore.Store, rec session.Record) {
	t.Helper()
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
}

// save binds rec (at version 1) to owner, as a login does.
func save(t *testing.T, s *redisstore.Store, rec session.Record, owner string) (int64, error) {
	rec.Version, rec.Owner = 1, owner
	return s.Save(t.Context(), rec, t0)
}

func revoke(t *testing.T, s *redisstore.Store) {
	if _, err := s.DeleteOwner(t.Context(), "alice", session.Key{}); err != nil {
		t.Error(err)
	}
}

func keysOf(recs []session.Record) []session.Key {
	out := make([]session.Key, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}
