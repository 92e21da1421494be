// Package janitor deletes expired sessions: one bounded round at a time (Sweep),
// or forever in the background (Janitor). Whatever the number of processes and
// hosts, only one of them cleans at a time: the one holding the cleanup lease
// (a lease row, see session.Leaser), the same lease the `sessiongen cleanup`
// command takes, so an in-process janitor and a cron job never work at once.
package janitor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// LeaseName is the name of the lease that elects the single cleanup leader.
const LeaseName = "sessiongen-cleanup"

// Defaults used when an option is left zero.
const (
	// DefaultBatch is the number of rows one DELETE removes. Measured on
	// PostgreSQL (docs/bench/cleanup.md): 1000 rows per batch delete 185k-295k
	// rows/s while concurrent loads keep their p99 at about 1.5x of their
	// baseline; 5000 adds 5-15% throughput for a tail that was as good or
	// worse in 5 of 6 comparisons, and holds each transaction 5x longer.
	DefaultBatch = 1000
	// DefaultDuty is the share of wall time a round spends deleting: 1, no
	// pause. On the 2-core machine of docs/bench/cleanup.md a duty of 0.5
	// halved throughput and lowered the p50 of concurrent loads but not their
	// p99, so pausing is left to operators who measure a benefit on theirs.
	DefaultDuty = 1.0
	// DefaultLeaseTTL bounds how long a crashed leader blocks the others. The
	// leader renews well before it runs out (every LeaseTTL/3).
	DefaultLeaseTTL = time.Minute
)

// ErrNotLeader means another process holds the cleanup lease: not a failure,
// somebody else is doing the work.
var ErrNotLeader = errors.New("janitor: another instance holds the cleanup lease")

// ErrLeaseLost means the lease ran out during a round (the round stalled for
// longer than its TTL) and another holder took it; the round stopped so that two
// leaders never delete at once.
var ErrLeaseLost = errors.New("janitor: cleanup lease lost to another instance")

// Options bound one cleanup round. The zero value is usable.
type Options struct {
	// Batch is the number of rows deleted per statement (DefaultBatch if 0).
	Batch int
	// MaxDuration stops the round between batches once it has run this long;
	// 0 means no limit.
	MaxDuration time.Duration
	// Duty is the share of wall time spent deleting, in (0, 1]: after each
	// batch the round pauses so that deleting takes no more than this share,
	// leaving the database to the application in between (DefaultDuty if 0; 1
	// never pauses).
	Duty float64
	// LeaseTTL is the lease's time to live (DefaultLeaseTTL if 0).
	LeaseTTL time.Duration
	// Holder names this process in the lease row (Holder() if "").
	Holder string
	// Now is the clock (time.Now if nil). The round deletes what has expired
	// at the instant it starts, so it always ends even while sessions keep
	// expiring.
	Now func() time.Time
	// Metrics receives a StoreCall per statement and one session.EventCleanup
	// per deleted session (session.NopMetrics if nil).
	Metrics session.Metrics
	// OnBatch, when set, is called after every batch, e.g. to draw progress.
	OnBatch func(Progress)
}

// Progress describes a round after one of its batches.
type Progress struct {
	// Deleted is the number of sessions deleted so far in this round.
	Deleted int64
	// Batches is the number of DELETE statements run so far.
	Batches int
	// BatchDeleted is how many sessions the latest batch deleted.
	BatchDeleted int
	// BatchDuration is how long the latest batch took.
	BatchDuration time.Duration
	// Elapsed is the time since the round started.
	Elapsed time.Duration
}

// Result summarises a round.
type Result struct {
	Progress
	// Complete is true when nothing that had expired at the round's start is
	// left; false when MaxDuration or the context stopped the round early.
	Complete bool
}

func (o *Options) withDefaults() Options {
	c := *o
	if c.Batch <= 0 {
		c.Batch = DefaultBatch
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.Duty <= 0 || c.Duty > 1 {
		c.Duty = DefaultDuty
	}
	if c.Holder == "" {
		c.Holder = Holder()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = session.NopMetrics{}
	}
	return c
}

// Sweep runs one cleanup round: it takes the cleanup lease when store is a
// session.Leaser (ErrNotLeader when someone else has it), deletes expired
// sessions in keyset batches ordered by expiry, renews the lease as it goes and
// releases it at the end. A store that is not a Leaser is cleaned without
// election, which is only safe with a single process (memory stores).
//
// The round stops cleanly, between batches, when ctx is done or MaxDuration has
// passed; Result.Complete tells whether it finished. Deleting is idempotent, so
// an interrupted round loses nothing: the next one carries on.
func Sweep(ctx context.Context, store session.Store, opts Options) (Result, error) {
	o := opts.withDefaults()
	lease, _ := store.(session.Leaser)
	start, cutoff := time.Now(), o.Now()
	if lease != nil {
		if err := acquire(ctx, lease, &o, cutoff); err != nil {
			return Result{}, err
		}
		// Release even when ctx is done: otherwise the others wait a full TTL.
		defer lease.ReleaseLease(context.WithoutCancel(ctx), LeaseName, o.Holder)
	}
	res, err := deleteBatches(ctx, store, lease, &o, cutoff)
	res.Elapsed = time.Since(start)
	return res, err
}

// acquire takes or renews the lease, translating a refusal into an error.
func acquire(ctx context.Context, lease session.Leaser, o *Options, now time.Time) error {
	t := time.Now()
	ok, err := lease.AcquireLease(ctx, LeaseName, o.Holder, o.LeaseTTL, now)
	o.Metrics.StoreCall("AcquireLease", time.Since(t), err)
	switch {
	case err != nil:
		return fmt.Errorf("janitor: acquire lease: %w", err)
	case !ok:
		return ErrNotLeader
	}
	return nil
}

// deleteBatches is the keyset loop: each batch starts at the last expiry the
// previous one deleted, so the expiry index is never rescanned from its start.
// Durations (MaxDuration, lease renewal) use the monotonic clock; o.Now only
// decides what has expired and stamps the lease.
func deleteBatches(ctx context.Context, store session.Store, lease session.Leaser, o *Options, cutoff time.Time) (Result, error) {
	var (
		res       Result
		from      time.Time
		start     = time.Now()
		renewedAt = start
	)
	for {
		if ctx.Err() != nil || (o.MaxDuration > 0 && time.Since(start) >= o.MaxDuration) {
			return res, nil
		}
		if lease != nil && time.Since(renewedAt) >= o.LeaseTTL/3 {
			renewedAt = time.Now()
			if err := acquire(ctx, lease, o, o.Now()); err != nil {
				if errors.Is(err, ErrNotLeader) {
					err = ErrLeaseLost
				}
				return res, err
			}
		}
		t := time.Now()
		n, last, err := store.DeleteExpired(ctx, from, cutoff, o.Batch)
		took := time.Since(t)
		o.Metrics.StoreCall("DeleteExpired", took, err)
		if err != nil {
			if ctx.Err() != nil {
				return res, nil // cancelled mid-statement: a clean stop, not a failure
			}
			return res, fmt.Errorf("janitor: delete expired: %w", err)
		}
		for range n {
			o.Metrics.Event(session.EventCleanup)
		}
		res.Deleted += int64(n)
		res.Batches++
		res.BatchDeleted, res.BatchDuration = n, took
		res.Elapsed = time.Since(start)
		if n > 0 {
			from = last
		}
		if o.OnBatch != nil {
			o.OnBatch(res.Progress)
		}
		if n < o.Batch {
			res.Complete = true
			return res, nil
		}
		if err := pause(ctx, took, o.Duty); err != nil {
			return res, nil // cancelled while pausing: a clean stop
		}
	}
}

// pause waits so that a batch that took busy is the share duty of the time
// spent on it and the pause together.
func pause(ctx context.Context, busy time.Duration, duty float64) error {
	if duty >= 1 {
		return nil
	}
	t := time.NewTimer(time.Duration(float64(busy) * (1 - duty) / duty))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
