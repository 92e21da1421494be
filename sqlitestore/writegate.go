package sqlitestore

import (
	"context"

	"github.com/sessiongen/sessiongen/session/storekit"
)

// SQLite lets one connection write at a time. Without a gate, the store's own
// goroutines would compete for the file's write lock through SQLite's busy
// handler, which polls with sleeps of 1 to 100 ms: under parallel writes most
// of a Save was spent asleep. The gate queues this process's writers on a
// channel instead (an immediate hand-off, and a wait that ends with the
// caller's context); busy_timeout still arbitrates between processes.
type writeGate chan struct{}

func newWriteGate() writeGate { return make(writeGate, 1) }

// write runs one writing statement through storekit.Run while holding the
// gate.
func write[T any](s *statements, ctx context.Context, op string, stmt func(context.Context) (T, error)) (T, error) {
	select {
	case s.gate <- struct{}{}:
	case <-ctx.Done():
		var zero T
		return zero, storekit.Unavailable(op, ctx.Err())
	}
	defer func() { <-s.gate }()
	return storekit.Run(ctx, op, classify, stmt)
}
