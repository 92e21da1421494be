package redisstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/session"
)

// TestWaitReplicas: with WaitReplicas the store returns from Delete,
// DeleteOwner, Rotate (and, with WaitOnWrite, Create and Save) once a replica
// has the write. Where no replica can confirm it (a single server), the call
// fails with ErrUnavailable after WaitTimeout although the master applied it,
// as docs/REDIS.md says.
func TestWaitReplicas(t *testing.T) {
	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		s := openCluster(t, redisstore.Options{WaitReplicas: 1, WaitOnWrite: true, WaitTimeout: 5 * time.Second})
		rec := newRecord(t, "alice")
		mustCreate(t, s, rec)
		rec.Version = 1
		if _, err := s.Save(ctx, rec, t0); err != nil {
			t.Fatalf("waited Save: %v", err)
		}
		moved := keyInOtherBucket(t, rec.Key)
		if err := s.Rotate(ctx, rec.Key, moved, refreshFor(grace), t0); err != nil {
			t.Fatalf("waited Rotate: %v", err)
		}
		other := newRecord(t, "alice")
		mustCreate(t, s, other)
		if err := s.Delete(ctx, other.Key, t0); err != nil {
			t.Fatalf("waited Delete: %v", err)
		}
		if n, err := s.DeleteOwner(ctx, "alice", session.Key{}); err != nil || n != 1 {
			t.Fatalf("waited DeleteOwner = %d, %v; want 1", n, err)
		}
	})
	t.Run("single server without replicas", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		s := openSingle(t, redisstore.Options{WaitReplicas: 1, WaitTimeout: 50 * time.Millisecond})
		rec := newRecord(t, "")
		mustCreate(t, s, rec) // Create is not waited without WaitOnWrite
		err := s.Delete(ctx, rec.Key, t0)
		if !errors.Is(err, session.ErrUnavailable) {
			t.Fatalf("Delete that no replica confirmed: %v, want ErrUnavailable", err)
		}
		if _, err := s.Load(ctx, rec.Key, t0); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("the master applied the unconfirmed Delete, yet the session loads: %v", err)
		}
	})
}
