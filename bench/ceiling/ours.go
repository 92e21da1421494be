package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// worker runs one client's operation i (0, 1, 2, ...) until the deadline.
type worker func(ctx context.Context, i int64) error

// drive runs clients workers in parallel for d and returns operations per
// second. newWorker makes client c's worker; the first error stops the run.
func drive(ctx context.Context, clients int, d time.Duration, newWorker func(c int) worker) (float64, error) {
	var ops atomic.Int64
	var firstErr error
	var once sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for c := range clients {
		w := newWorker(c)
		wg.Go(func() {
			var i int64
			for ; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				if err := w(ctx, i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					break
				}
			}
			ops.Add(i)
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(ops.Load()) / time.Since(start).Seconds(), nil
}

// ourLoad is pgstore.Load on uniformly random rows, like selectScript.
func ourLoad(store *pgstore.Store, rows int) func(c int) worker {
	return func(c int) worker {
		rng := rand.New(rand.NewPCG(uint64(c), 1))
		return func(ctx context.Context, _ int64) error {
			_, err := store.Load(ctx, keyOf(rng.Int64N(int64(rows))+1), time.Now())
			return err
		}
	}
}

// ourSave is pgstore.Save over the same per-client walk as updateScript,
// naming the version the walk predicts: a conflict would be an error.
func ourSave(store *pgstore.Store, rows, clients int, data []byte, exp expiries) func(c int) worker {
	return func(c int) worker {
		w := newWalk(c, clients, rows)
		return func(ctx context.Context, i int64) error {
			id, version := w.step(i)
			_, err := store.Save(ctx, session.Record{
				Key: keyOf(id), Data: data, Version: version, IdleExpiresAt: exp.idle,
			}, time.Now())
			if err != nil {
				return fmt.Errorf("save id %d version %d: %w", id, version, err)
			}
			return nil
		}
	}
}

// rawSelect and rawUpdate run pgbench's own statements through pgx from Go:
// the difference between them and pgbench is the client (Go, pgx), the
// difference between them and ourLoad/ourSave is the store.
func rawSelect(pool *pgxpool.Pool, rows int) func(c int) worker {
	const sql = "SELECT " + loadColumns + " FROM sessiongen_sessions WHERE key = $1"
	return func(c int) worker {
		rng := rand.New(rand.NewPCG(uint64(c), 1))
		return func(ctx context.Context, _ int64) error {
			key := keyOf(rng.Int64N(int64(rows)) + 1)
			r, err := pool.Query(ctx, sql, key[:])
			if err != nil {
				return err
			}
			for r.Next() {
			}
			return r.Err()
		}
	}
}

func rawUpdate(pool *pgxpool.Pool, rows, clients int, data []byte, exp expiries) func(c int) worker {
	const sql = `UPDATE sessiongen_sessions SET data = $1, version = version + 1, idle_expires_at = $2
 WHERE key = $3 AND version = $4`
	return func(c int) worker {
		w := newWalk(c, clients, rows)
		return func(ctx context.Context, i int64) error {
			id, version := w.step(i)
			key := keyOf(id)
			tag, err := pool.Exec(ctx, sql, data, exp.idle, key[:], version)
			if err == nil && tag.RowsAffected() != 1 {
				err = fmt.Errorf("raw update id %d version %d matched no row", id, version)
			}
			return err
		}
	}
}
