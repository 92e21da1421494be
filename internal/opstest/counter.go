package opstest

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// The counter helpers serve the multi-process tests of the stores that
// several processes may share (sqlitestore, dirstore): each process
// increments counters kept in shared sessions, and exact totals show that
// no increment was lost.

// CounterData is the payload of a counter at n.
func CounterData(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// CounterValue reads a counter's payload.
func CounterValue(data []byte) uint64 { return binary.BigEndian.Uint64(data) }

// Increment adds one to the counter under key through Load and a
// version-checked Save, re-reading and retrying when another writer saved
// first. It returns how many conflicts it retried.
func Increment(store session.Store, key session.Key) (conflicts int, err error) {
	ctx := context.Background()
	for {
		now := time.Now()
		rec, err := store.Load(ctx, key, now)
		if err != nil {
			return conflicts, err
		}
		rec.Data = CounterData(CounterValue(rec.Data) + 1)
		rec.IdleExpiresAt = now.Add(24 * time.Hour)
		_, err = store.Save(ctx, rec, now)
		if !errors.Is(err, session.ErrConflict) {
			return conflicts, err
		}
		conflicts++
	}
}

// SummaryMarker is in the line a helper process prints to report its work.
const SummaryMarker = " increments, "

// Summary returns the line of a helper process's output that holds
// SummaryMarker.
func Summary(out []byte) string {
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, SummaryMarker) {
			return strings.TrimSpace(line)
		}
	}
	return "(no summary)"
}
