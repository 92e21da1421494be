package janitor_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/janitor"
	"github.com/sessiongen/sessiongen/session"
)

// eventCounter is a session.Metrics that counts what the janitor reports.
type eventCounter struct {
	cleanups, deleteCalls, leaseCalls atomic.Int64
}

func (m *eventCounter) Event(e session.Event) {
	if e == session.EventCleanup {
		m.cleanups.Add(1)
	}
}

func (m *eventCounter) StoreCall(op string, _ time.Duration, _ error) {
	switch op {
	case "DeleteExpired":
		m.deleteCalls.Add(1)
	case "AcquireLease":
		m.leaseCalls.Add(1)
	}
}

func TestSweepDeletesExactlyTheExpired(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		now := time.Now()
		_, live := opstest.Mix(t, store, now, 103, 20)
		var metrics eventCounter
		var batches []int
		res, err := janitor.Sweep(t.Context(), store, janitor.Options{
			Batch:   10, // 103 expired in runs of 7 equal expiries: batches split runs
			Now:     func() time.Time { return now },
			Metrics: &metrics,
			OnBatch: func(p janitor.Progress) { batches = append(batches, p.BatchDeleted) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted != 103 || !res.Complete || res.Batches != 11 {
			t.Errorf("result %+v, want 103 deleted in 11 batches, complete", res)
		}
		if len(batches) != res.Batches || batches[10] != 3 {
			t.Errorf("OnBatch saw %v", batches)
		}
		opstest.SameKeys(t, opstest.Keys(t, store), live)
		if metrics.cleanups.Load() != 103 || metrics.deleteCalls.Load() != 11 || metrics.leaseCalls.Load() != 1 {
			t.Errorf("metrics: %d cleanups, %d deletes, %d lease calls; want 103, 11, 1",
				metrics.cleanups.Load(), metrics.deleteCalls.Load(), metrics.leaseCalls.Load())
		}
		// The round released the lease: anyone may take it at once.
		if ok, err := store.AcquireLease(t.Context(), janitor.LeaseName, "next", time.Minute, now); !ok || err != nil {
			t.Errorf("lease after the round: %v, %v; want it free", ok, err)
		}
	})
}

func TestSweepRefusesWhileAnotherHoldsTheLease(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		now := time.Now()
		expired, live := opstest.Mix(t, store, now, 5, 2)
		if ok, err := store.AcquireLease(t.Context(), janitor.LeaseName, "other-host", time.Minute, now); !ok || err != nil {
			t.Fatalf("acquire: %v %v", ok, err)
		}
		_, err := janitor.Sweep(t.Context(), store, janitor.Options{Holder: "me"})
		if !errors.Is(err, janitor.ErrNotLeader) {
			t.Fatalf("Sweep = %v, want ErrNotLeader", err)
		}
		opstest.SameKeys(t, opstest.Keys(t, store), append(expired, live...))
		// Once the holder releases it, the next round works.
		if err := store.ReleaseLease(t.Context(), janitor.LeaseName, "other-host"); err != nil {
			t.Fatal(err)
		}
		if res, err := janitor.Sweep(t.Context(), store, janitor.Options{Holder: "me"}); err != nil || res.Deleted != 5 {
			t.Fatalf("Sweep after release = %+v, %v", res, err)
		}
	})
}

// TestConcurrentSweepsElectOneLeader starts a second round while the first is
// between batches: the second must step aside, the first must finish alone.
func TestConcurrentSweepsElectOneLeader(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		now := time.Now()
		_, live := opstest.Mix(t, store, now, 40, 5)
		second := make(chan error, 1)
		first, err := janitor.Sweep(t.Context(), store, janitor.Options{
			Batch:  10,
			Holder: "first",
			OnBatch: func(p janitor.Progress) {
				if p.Batches == 1 {
					_, err := janitor.Sweep(t.Context(), store, janitor.Options{Batch: 10, Holder: "second"})
					second <- err
				}
			},
		})
		if err != nil || first.Deleted != 40 {
			t.Fatalf("first round: %+v, %v", first, err)
		}
		if err := <-second; !errors.Is(err, janitor.ErrNotLeader) {
			t.Errorf("second round: %v, want ErrNotLeader", err)
		}
		opstest.SameKeys(t, opstest.Keys(t, store), live)
	})
}

// slowStore delays every DeleteExpired, to make a round outlast its lease TTL.
type slowStore struct {
	cleanable
	delay time.Duration
}

func (s slowStore) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	time.Sleep(s.delay)
	return s.cleanable.DeleteExpired(ctx, from, now, limit)
}

// TestSweepRenewsTheLease runs a round that lasts six lease TTLs: the lease
// must stay with it throughout, so that nobody else starts meanwhile. Lease
// time is the janitor's clock, which moves only when a batch runs (half a TTL
// each), so a loaded machine cannot make a batch outlast the lease; each batch
// also takes a third of the TTL of real time, after which the janitor renews.
func TestSweepRenewsTheLease(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		clock := &fakeClock{t: time.Now()}
		opstest.Mix(t, store, clock.Now(), 12, 0)
		const ttl = 150 * time.Millisecond
		var stolen []bool
		res, err := janitor.Sweep(t.Context(), clockedStore{store, clock, ttl / 2, ttl / 3}, janitor.Options{
			Batch:    1,
			LeaseTTL: ttl,
			Holder:   "long-round",
			Now:      clock.Now,
			OnBatch: func(janitor.Progress) {
				ok, err := store.AcquireLease(t.Context(), janitor.LeaseName, "intruder", ttl, clock.Now())
				if err != nil {
					t.Error(err)
				}
				stolen = append(stolen, ok)
			},
		})
		if err != nil || res.Deleted != 12 || len(stolen) != 13 {
			t.Fatalf("round: %+v, %v, %d batches", res, err, len(stolen))
		}
		for i, ok := range stolen {
			if ok {
				t.Fatalf("batch %d: another holder acquired the lease mid-round", i+1)
			}
		}
		// The control: once the round has released it, the lease is free.
		if ok, err := store.AcquireLease(t.Context(), janitor.LeaseName, "intruder", ttl, clock.Now()); !ok || err != nil {
			t.Errorf("after the round: intruder acquired=%v, %v; want the lease free", ok, err)
		}
	})
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// clockedStore makes every DeleteExpired take advance of clock's time and
// (at least) real of real time.
type clockedStore struct {
	cleanable
	clock         *fakeClock
	advance, real time.Duration
}

func (s clockedStore) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	time.Sleep(s.real)
	s.clock.advance(s.advance)
	return s.cleanable.DeleteExpired(ctx, from, now, limit)
}

func TestSweepStopsAtMaxDuration(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		now := time.Now()
		opstest.Mix(t, store, now, 30, 0)
		res, err := janitor.Sweep(t.Context(), slowStore{store, 20 * time.Millisecond}, janitor.Options{
			Batch:       5,
			MaxDuration: 30 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Complete || res.Deleted == 0 || res.Deleted >= 30 {
			t.Fatalf("round %+v: want it stopped part-way", res)
		}
		if left := len(opstest.Keys(t, store)); int64(left) != 30-res.Deleted {
			t.Errorf("%d sessions left, want %d", left, 30-res.Deleted)
		}
	})
}

func TestSweepStopsWhenCancelled(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		now := time.Now()
		opstest.Mix(t, store, now, 20, 0)
		ctx, cancel := context.WithCancel(t.Context())
		res, err := janitor.Sweep(ctx, store, janitor.Options{
			Batch:   5,
			OnBatch: func(p janitor.Progress) { cancel() },
		})
		if err != nil || res.Complete || res.Deleted != 5 {
			t.Fatalf("round %+v, %v: want a clean stop after one batch", res, err)
		}
		// The cancelled round released the lease despite its dead context.
		if ok, _ := store.AcquireLease(t.Context(), janitor.LeaseName, "next", time.Minute, time.Now()); !ok {
			t.Error("lease still held after a cancelled round")
		}
	})
}
