package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// worker runs one client's operation i (0, 1, 2, ...) until the deadline.
type worker func(ctx context.Context, i int64) error

// driven is what a drive measured.
type driven struct {
	opsPerSec float64
	p50, p99  time.Duration // per-operation latency
}

// drive runs clients workers in parallel for d and returns operations per
// second and latencies. newWorker makes client c's worker; the first error
// stops the run. Each operation is timed from the clock reading the loop
// takes anyway for its deadline, so timing adds no call.
func drive(ctx context.Context, clients int, d time.Duration, newWorker func(c int) worker) (driven, error) {
	var ops atomic.Int64
	var firstErr error
	var once sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var latencies []time.Duration
	deadline := time.Now().Add(d)
	start := time.Now()
	for c := range clients {
		w := newWorker(c)
		wg.Go(func() {
			var i int64
			lat := make([]time.Duration, 0, 1024)
			for prev := time.Now(); prev.Before(deadline) && ctx.Err() == nil; i++ {
				if err := w(ctx, i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					break
				}
				now := time.Now()
				lat = append(lat, now.Sub(prev))
				prev = now
			}
			ops.Add(i)
			mu.Lock()
			latencies = append(latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return driven{}, firstErr
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	return driven{opsPerSec: float64(ops.Load()) / time.Since(start).Seconds(), p50: pct(0.50), p99: pct(0.99)}, nil
}

// ourLoad is pgstore.Load on uniformly random rows, like loadScript.
func ourLoad(store *pgstore.Store, rows int, exp expiries) func(c int) worker {
	return func(c int) worker {
		rng := rand.New(rand.NewPCG(uint64(c), 1))
		return func(ctx context.Context, _ int64) error {
			_, err := store.Load(ctx, keyOf(rng.Int64N(int64(rows))+1), exp.now)
			return err
		}
	}
}

// rawLoad is the same statement scanned into the same Go types by stock pgx:
// the generated pgdb.LoadSession on the pool, whose QueryRow(...).Scan is
// pgx's own generic scan. No store around it: no error classification, no
// Record, no expiry check.
func rawLoad(pool *pgxpool.Pool, rows int) func(c int) worker {
	q := pgdb.New(pool)
	return func(c int) worker {
		rng := rand.New(rand.NewPCG(uint64(c), 1))
		return func(ctx context.Context, _ int64) error {
			key := keyOf(rng.Int64N(int64(rows)) + 1)
			_, err := q.LoadSession(ctx, key[:])
			return err
		}
	}
}

// bareLoad sends the same statement and reads the row without decoding a
// column: what the statement alone costs the Go client (a diagnostic, not a
// peer: it does less work than a store must).
func bareLoad(pool *pgxpool.Pool, rows int) func(c int) worker {
	return func(c int) worker {
		rng := rand.New(rand.NewPCG(uint64(c), 1))
		return func(ctx context.Context, _ int64) error {
			key := keyOf(rng.Int64N(int64(rows)) + 1)
			r, err := pool.Query(ctx, loadSQL, key[:])
			if err != nil {
				return err
			}
			for r.Next() {
			}
			return r.Err()
		}
	}
}

// ourSave is pgstore.Save over the same per-client walk as saveScript,
// naming the version the walk predicts: a conflict would be an error.
func ourSave(store *pgstore.Store, rows, clients int, data []byte, exp expiries) func(c int) worker {
	return func(c int) worker {
		w := newWalk(c, clients, rows)
		return func(ctx context.Context, i int64) error {
			id, version := w.step(i)
			_, err := store.Save(ctx, session.Record{
				Key: keyOf(id), Data: data, Version: version, IdleExpiresAt: exp.idle,
			}, exp.now)
			if err != nil {
				return fmt.Errorf("save id %d version %d: %w", id, version, err)
			}
			return nil
		}
	}
}

// rawSave is the same statement with the same parameters through stock pgx
// (the generated pgdb.SaveSession on the pool).
func rawSave(pool *pgxpool.Pool, rows, clients int, data []byte, exp expiries) func(c int) worker {
	q := pgdb.New(pool)
	return func(c int) worker {
		w := newWalk(c, clients, rows)
		return func(ctx context.Context, i int64) error {
			id, version := w.step(i)
			key := keyOf(id)
			_, err := q.SaveSession(ctx, pgdb.SaveSessionParams{
				Key: key[:], Now: exp.now, Data: data, IdleExpiresAt: exp.idle, Version: version,
			})
			if err != nil {
				return fmt.Errorf("raw save id %d version %d: %w", id, version, err)
			}
			return nil
		}
	}
}
