package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var deleteExpiredTests = []subtest{
	{"DeletesExactlyExpired", deleteExpiredDeletesExactlyExpired},
	{"BatchesEarliestFirst", deleteExpiredBatchesEarliestFirst},
	{"EqualExpiryAcrossBatches", deleteExpiredEqualExpiryAcrossBatches},
	{"StartsAtFrom", deleteExpiredStartsAtFrom},
	{"InvalidLimit", deleteExpiredInvalidLimit},
}

// mustDeleteExpired runs one batch and checks its count and last expiry.
func (f *fixture) mustDeleteExpired(from, now time.Time, limit, wantDeleted int, wantLast time.Time, what string) {
	f.t.Helper()
	n, last, err := f.store.DeleteExpired(f.ctx, from, now, limit)
	if err != nil {
		f.t.Fatalf("%s: DeleteExpired: %v", what, err)
	}
	if n != wantDeleted {
		f.t.Fatalf("%s: DeleteExpired(limit %d) deleted %d rows, want %d", what, limit, n, wantDeleted)
	}
	if n > 0 && !last.Equal(wantLast) {
		f.t.Fatalf("%s: DeleteExpired returned last %v, want %v (the latest idle expiry it deleted)", what, last, wantLast)
	}
}

// newExpiringAt creates one default session per idle expiry, in the given order.
func (f *fixture) newExpiringAt(idle ...time.Time) []session.Record {
	f.t.Helper()
	recs := make([]session.Record, len(idle))
	for i, t := range idle {
		recs[i] = f.newSessionExpiring(t, at(lifetime))
	}
	return recs
}

func deleteExpiredDeletesExactlyExpired(f *fixture) {
	now := at(2 * time.Hour)
	live := f.newExpiringAt(at(3*time.Hour), now.Add(tick))
	f.newExpiringAt(at(time.Hour), now)                    // idle-expired, the second at this very instant
	f.newSessionExpiring(at(lifetime), at(90*time.Minute)) // absolute-expired (idle clamped to it)
	f.mustDeleteExpired(time.Time{}, now, 100, 3, now, "DeleteExpired from the zero time must delete every expired row")
	f.wantRows(live, "DeleteExpired must delete exactly the rows expired at now and nothing live")
	f.mustDeleteExpired(time.Time{}, now, 100, 0, time.Time{}, "DeleteExpired with nothing left to delete")
}

// deleteExpiredBatchesEarliestFirst creates expired rows out of expiry order and
// checks that each batch takes the earliest ones left.
func deleteExpiredBatchesEarliestFirst(f *fixture) {
	const expired, limit = 10, 3
	now := at(time.Hour)
	live := f.newExpiringAt(at(2*time.Hour), at(3*time.Hour))
	var idle []time.Time
	for i := range expired {
		idle = append(idle, at(time.Duration((i*7)%expired+1)*time.Minute)) // 1..10 minutes, shuffled
	}
	left := f.newExpiringAt(idle...)
	slices.SortFunc(left, func(a, b session.Record) int { return a.IdleExpiresAt.Compare(b.IdleExpiresAt) })

	var from time.Time
	for batch := 0; len(left) > 0; batch++ {
		n := min(limit, len(left))
		what := fmt.Sprintf("batch %d of DeleteExpired(limit %d) over %d expired rows", batch, limit, expired)
		f.mustDeleteExpired(from, now, limit, n, left[n-1].IdleExpiresAt, what)
		from, left = left[n-1].IdleExpiresAt, left[n:]
		f.wantRows(append(slices.Clone(live), left...), what+" must delete the earliest expired rows first")
	}
	f.mustDeleteExpired(from, now, limit, 0, time.Time{}, "DeleteExpired after the last short batch")
}

// deleteExpiredEqualExpiryAcrossBatches catches a store that continues strictly
// after from: rows sharing the expiry that ended a batch would be skipped.
func deleteExpiredEqualExpiryAcrossBatches(f *fixture) {
	now := at(time.Hour)
	t1, t2, t3 := at(time.Minute), at(2*time.Minute), at(3*time.Minute)
	f.newExpiringAt(t1, t2, t2, t2, t2, t3)
	var from time.Time
	for i, wantLast := range []time.Time{t2, t2, t3} {
		f.mustDeleteExpired(from, now, 2, 2, wantLast, fmt.Sprintf("batch %d of DeleteExpired(limit 2) over expiries t1 t2 t2 t2 t2 t3", i))
		from = wantLast
	}
	f.mustDeleteExpired(from, now, 2, 0, time.Time{}, "DeleteExpired continued from the last expiry must find nothing left")
	f.wantCounts(now, session.Counts{}, "DeleteExpired in batches skipped rows whose expiry equals the previous batch's last")
}

func deleteExpiredStartsAtFrom(f *fixture) {
	now := at(time.Hour)
	recs := f.newExpiringAt(at(time.Minute), at(2*time.Minute), at(3*time.Minute))
	f.mustDeleteExpired(at(2*time.Minute), now, 10, 2, at(3*time.Minute), "DeleteExpired must delete idle expiries in [from, now]")
	f.wantRows(recs[:1], "DeleteExpired deleted a row whose idle expiry lies before from")
}

func deleteExpiredInvalidLimit(f *fixture) {
	rec := f.newSession()
	for _, limit := range []int{0, -1} {
		_, _, err := f.store.DeleteExpired(f.ctx, time.Time{}, at(lifetime), limit)
		f.wantErr(err, session.ErrInvalid, fmt.Sprintf("DeleteExpired with limit %d", limit))
	}
	f.wantRows([]session.Record{rec}, "DeleteExpired with an invalid limit deleted rows")
}
