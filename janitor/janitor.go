package janitor

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// DefaultInterval is the pause between two background rounds.
const DefaultInterval = 5 * time.Minute

// Janitor cleans a store in the background. Set the fields, then call Run in a
// goroutine; it stops when its context is done:
//
//	j := &janitor.Janitor{Store: store, Logger: logger}
//	go j.Run(ctx)
//
// Every process may run one: the cleanup lease lets only one of them work per
// round. The fields must not change once Run or MaybeRun has been called.
type Janitor struct {
	// Store is the store to clean. If it is a session.Leaser, rounds are
	// elected through the cleanup lease.
	Store session.Store
	// Interval is the pause between rounds (DefaultInterval if 0).
	Interval time.Duration
	// Jitter adds a random extra pause in [0, Jitter) to every interval, so that
	// processes started together do not all try the lease at the same instant.
	Jitter time.Duration
	// Batch, LeaseTTL and MaxDuration bound each round as in Options.
	// MaxDuration defaults to Interval, so that a round ends before the next
	// is due.
	Batch       int
	LeaseTTL    time.Duration
	MaxDuration time.Duration
	// OneIn enables the probabilistic mode: MaybeRun starts a round with
	// probability 1/OneIn. 0 (the default) turns MaybeRun off.
	OneIn int
	// Logger receives one record per round that deleted something or failed
	// (slog.Default() if nil).
	Logger *slog.Logger
	// Metrics receives store latencies and session.EventCleanup counts
	// (session.NopMetrics if nil).
	Metrics session.Metrics
	// Now is the clock (time.Now if nil).
	Now func() time.Time

	holderOnce sync.Once
	holder     string
	busy       atomic.Bool    // a round is running in this process
	background sync.WaitGroup // rounds started by MaybeRun
}

// Run cleans the store every Interval (plus jitter), starting at once, until
// ctx is done; it then returns ctx's error. A failed round is logged and
// retried at the next interval, never fatal: a database that is down now may be
// back in five minutes.
func (j *Janitor) Run(ctx context.Context) error {
	for {
		_, _ = j.RunOnce(ctx) // RunOnce logs its own failures
		t := time.NewTimer(j.nextPause())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunOnce runs one round now, unless one is already running in this process,
// and logs its outcome. ErrNotLeader means another process holds the lease.
func (j *Janitor) RunOnce(ctx context.Context) (Result, error) {
	if !j.busy.CompareAndSwap(false, true) {
		return Result{}, nil
	}
	defer j.busy.Store(false)
	res, err := Sweep(ctx, j.Store, j.options())
	j.log(ctx, res, err)
	return res, err
}

// MaybeRun is the probabilistic mode ("clean up on 1 in N session opens"):
// with probability 1/OneIn it starts a round in the background and returns
// true. It never blocks its caller on the database, so it can be called on
// every session open; it does nothing when OneIn is 0 or a round is running.
// The round outlives ctx's cancellation (a request ending must not cut it
// short) but keeps its values; it is bounded by MaxDuration. Wait waits for
// such rounds, e.g. at shutdown.
func (j *Janitor) MaybeRun(ctx context.Context) bool {
	if j.OneIn <= 0 || rand.IntN(j.OneIn) != 0 || j.busy.Load() {
		return false
	}
	j.background.Go(func() {
		_, _ = j.RunOnce(context.WithoutCancel(ctx))
	})
	return true
}

// Wait blocks until every round started by MaybeRun has finished.
func (j *Janitor) Wait() { j.background.Wait() }

func (j *Janitor) options() Options {
	j.holderOnce.Do(func() { j.holder = Holder() })
	maxDuration := j.MaxDuration
	if maxDuration <= 0 {
		maxDuration = j.interval()
	}
	return Options{
		Batch:       j.Batch,
		MaxDuration: maxDuration,
		LeaseTTL:    j.LeaseTTL,
		Holder:      j.holder,
		Now:         j.Now,
		Metrics:     j.Metrics,
	}
}

func (j *Janitor) interval() time.Duration {
	if j.Interval <= 0 {
		return DefaultInterval
	}
	return j.Interval
}

func (j *Janitor) nextPause() time.Duration {
	d := j.interval()
	if j.Jitter > 0 {
		d += rand.N(j.Jitter)
	}
	return d
}

// log reports a round: a failure at error level, work at info level, and
// nothing for an idle round or one another process led, so that a quiet
// database gives quiet logs.
func (j *Janitor) log(ctx context.Context, res Result, err error) {
	logger := j.Logger
	if logger == nil {
		logger = slog.Default()
	}
	attrs := []slog.Attr{
		slog.String("event", string(session.EventCleanup)),
		slog.Int64("deleted", res.Deleted),
		slog.Int("batches", res.Batches),
		slog.Duration("elapsed", res.Elapsed),
		slog.Bool("complete", res.Complete),
	}
	switch {
	case errors.Is(err, ErrNotLeader):
		logger.LogAttrs(ctx, slog.LevelDebug, "session cleanup skipped: not the leader", attrs...)
	case err != nil:
		logger.LogAttrs(ctx, slog.LevelError, "session cleanup failed", append(attrs, slog.String("error", err.Error()))...)
	case res.Deleted > 0 || !res.Complete:
		logger.LogAttrs(ctx, slog.LevelInfo, "session cleanup", attrs...)
	}
}
