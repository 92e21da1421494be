package dirstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// holdLock takes the lock of the session file with the given ID through an
// open of its own, as a writer in another process would.
func holdLock(t *testing.T, s *Store, id session.Key) *os.File {
	t.Helper()
	f, err := os.Open(s.st.sessionPath(id))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := tryLock(f); !ok || err != nil {
		t.Fatalf("taking the lock: %v, %v", ok, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// pausing makes s.st.step signal and block at the first step named step; the
// returned channels tell that it got there and let it go on.
func pausing(s *Store, step string) (arrived <-chan struct{}, resume chan<- struct{}) {
	a, r := make(chan struct{}), make(chan struct{})
	first := true
	s.st.step = func(reached string) {
		if reached == step && first {
			first = false
			close(a)
			<-r
		}
	}
	return a, r
}

// TestLockWaitEndsWithContext: a writer that finds the session locked waits,
// but no longer than its context, and then changes nothing.
func TestLockWaitEndsWithContext(t *testing.T) {
	s := migratedForCrash(t, filepath.Join(t.TempDir(), "sessions"))
	rec := crashRecord(crashKey("victim"), "", []byte("original"))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	holdLock(t, s, rec.Key)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	rec.Version, rec.Data = 1, []byte("changed")
	_, err := s.Save(ctx, rec, crashNow)
	if !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Save of a locked session past its deadline: %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if got, err := s.Load(t.Context(), rec.Key, crashNow); err != nil || string(got.Data) != "original" {
		t.Fatalf("after the refused Save: %q, %v", got.Data, err)
	}
}

// TestCleanupWaitsForWriter: DeleteExpired finds a session expired, but a
// writer holds its lock while moving its expiry forward. Cleanup waits for
// the lock, re-reads the session, and leaves it alone.
func TestCleanupWaitsForWriter(t *testing.T) {
	s := migratedForCrash(t, filepath.Join(t.TempDir(), "sessions"))
	rec := crashRecord(crashKey("victim"), "", []byte("original"))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	cleanupNow := rec.IdleExpiresAt.Add(time.Second) // expired, for the cleaner

	// The writer (another process, say) has the lock: cleanup waits.
	writer := holdLock(t, s, rec.Key)
	arrived, resume := pausing(s, "lock: waiting")
	type result struct {
		n   int
		err error
	}
	done := make(chan result)
	go func() {
		n, _, err := s.DeleteExpired(t.Context(), time.Time{}, cleanupNow, 10)
		done <- result{n, err}
	}()
	<-arrived // cleanup read the session as expired and now waits for its lock

	// The writer renames a version idle until after cleanupNow into place,
	// then lets go of the lock.
	st, err := s.st.readSession(s.st.sessionPath(rec.Key))
	if err != nil {
		t.Fatal(err)
	}
	st.IdleExpiresAt, st.Version, st.Data = micro(cleanupNow.Add(time.Hour)), 2, []byte("touched")
	tmp, err := s.st.writeTemp(st.encode())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.path, s.st.sessionPath(st.ID)); err != nil {
		t.Fatal(err)
	}
	tmp.discard()
	writer.Close()
	close(resume)

	if r := <-done; r.err != nil || r.n != 0 {
		t.Fatalf("DeleteExpired racing a writer deleted %d sessions, %v; want 0", r.n, r.err)
	}
	if got, err := s.Load(t.Context(), rec.Key, cleanupNow); err != nil || string(got.Data) != "touched" {
		t.Fatalf("the session being written: %q, %v; want it kept with the writer's data", got.Data, err)
	}
}

// TestRepairSkipsLiveWriters: Repair leaves the temp file and the not yet
// reachable session file of a Create in progress alone, and the Create
// completes.
func TestRepairSkipsLiveWriters(t *testing.T) {
	s := migratedForCrash(t, filepath.Join(t.TempDir(), "sessions"))
	arrived, resume := pausing(s, "create: linked")
	rec := crashRecord(crashKey("new"), "alice", []byte("created"))
	created := make(chan error)
	go func() { created <- s.Create(context.Background(), rec) }()
	<-arrived // its file exists, unreachable, locked

	other, err := s.st.writeTemp([]byte("another writer's temp file"))
	if err != nil {
		t.Fatal(err)
	}
	repaired, err := s.Repair(t.Context())
	if err != nil || repaired.Total() != 0 {
		t.Fatalf("Repair during two writes removed %+v, %v; want nothing", repaired, err)
	}
	close(resume)
	if err := <-created; err != nil {
		t.Fatalf("Create after Repair ran beside it: %v", err)
	}
	if _, err := s.Load(t.Context(), rec.Key, crashNow); err != nil {
		t.Fatalf("Load of the session created beside Repair: %v", err)
	}

	other.f.Close() // its writer dies without removing it
	if repaired, err = s.Repair(t.Context()); err != nil || repaired != (Repaired{TempFiles: 1}) {
		t.Fatalf("Repair after the writer died removed %+v, %v; want its temp file", repaired, err)
	}
}

// TestSweepRacesWriters: sweeps of tmp/ (every Open runs one) racing writers
// never take a live writer's temp file: between a temp file's creation and
// its lock, a sweep may remove it, and the writer must notice and start
// again rather than fail its rename.
func TestSweepRacesWriters(t *testing.T) {
	s := migratedForCrash(t, filepath.Join(t.TempDir(), "sessions"))
	const writers, saves = 4, 100
	keys := make([]session.Key, writers)
	for i := range keys {
		keys[i] = crashKey(strconv.Itoa(i))
		if err := s.Create(t.Context(), crashRecord(keys[i], "", []byte("0"))); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	swept := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				swept <- n
				return
			default:
			}
			if _, err := s.st.sweepTemp(); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rec := crashRecord(keys[w], "", nil)
			for v := int64(1); v <= saves; v++ {
				rec.Version, rec.Data = v, []byte(strconv.FormatInt(v, 10))
				if _, err := s.Save(t.Context(), rec, crashNow); err != nil {
					t.Errorf("writer %d, save %d beside sweeps: %v", w, v, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	t.Logf("%d saves beside %d sweeps", writers*saves, <-swept)
}
