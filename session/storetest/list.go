package storetest

import (
	"bytes"
	"fmt"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var listTests = []subtest{
	{"PagesCoverEveryRowOnce", listPagesCoverEveryRowOnce},
	{"EmptyStore", listEmptyStore},
	{"InvalidLimit", listInvalidLimit},
}

var countTests = []subtest{
	{"LiveAndExpired", countLiveAndExpired},
	{"EmptyStore", countEmptyStore},
}

// newListedSessions fills a store with the rows List must return: live ones,
// one expired by any clock (List takes no now: a store that filters with its
// own clock would drop it), and a rotated one of each kind, which must be
// listed once, under its current key.
func (f *fixture) newListedSessions() []session.Record {
	f.t.Helper()
	var recs []session.Record
	for range 4 {
		recs = append(recs, f.newSession())
	}
	longAgo := f.newRecord()
	longAgo.CreatedAt = base.AddDate(-10, 0, 0)
	longAgo.IdleExpiresAt, longAgo.AbsoluteExpiresAt = longAgo.CreatedAt.Add(idleTimeout), longAgo.CreatedAt.Add(lifetime)
	recs = append(recs, f.mustCreate(longAgo))
	_, refreshed := f.newRotated(refresh(at(grace)))
	_, loggedIn := f.newRotated(privilege(at(grace)))
	return append(recs, refreshed, loggedIn)
}

func listPagesCoverEveryRowOnce(f *fixture) {
	want := f.newListedSessions()
	byKey := make(map[session.Key]session.Record, len(want))
	for _, r := range want {
		byKey[r.Key] = r
	}
	for _, limit := range []int{1, 2, 3, len(want) - 1, len(want), len(want) + 5} {
		what := fmt.Sprintf("List in pages of %d", limit)
		var seen []session.Key
		var after session.Key
		for page := 0; ; page++ {
			if page > len(want) {
				f.t.Fatalf("%s: still returning rows after %d pages; List must continue after the key it is given", what, page)
			}
			recs, err := f.store.List(f.ctx, after, limit)
			if err != nil {
				f.t.Fatalf("%s: %v", what, err)
			}
			if wantLen := min(limit, len(want)-len(seen)); len(recs) != wantLen {
				f.t.Fatalf("%s: page %d has %d rows, want %d (min of limit and rows left)", what, page, len(recs), wantLen)
			}
			if len(recs) == 0 {
				break
			}
			for _, r := range recs {
				if bytes.Compare(r.Key[:], after[:]) <= 0 {
					f.t.Fatalf("%s: key %s came after %s; List must return keys after its cursor in increasing byte order", what, r.Key.Prefix(), after.Prefix())
				}
				f.wantRecord(r, byKey[r.Key], what+" must return whole records")
				after = r.Key
				seen = append(seen, r.Key)
			}
		}
		f.wantKeys(seen, keysOf(want), what+" must return every row, live or expired, exactly once")
	}
}

func listEmptyStore(f *fixture) {
	recs, err := f.store.List(f.ctx, session.Key{}, 10)
	if err != nil || len(recs) != 0 {
		f.t.Fatalf("List of an empty store = %d rows, %v; want none and no error", len(recs), err)
	}
}

func listInvalidLimit(f *fixture) {
	f.newSession()
	for _, limit := range []int{0, -1} {
		_, err := f.store.List(f.ctx, session.Key{}, limit)
		f.wantErr(err, session.ErrInvalid, fmt.Sprintf("List with limit %d", limit))
	}
}

func countLiveAndExpired(f *fixture) {
	now := at(time.Hour)
	f.newSessionExpiring(at(2*time.Hour), at(lifetime)) // live
	f.newSessionExpiring(now.Add(tick), at(lifetime))   // live by one microsecond
	f.newSessionExpiring(at(idleTimeout), at(lifetime)) // idle-expired
	f.newSessionExpiring(now, at(lifetime))             // idle-expired at this very instant
	f.newSessionExpiring(at(lifetime), now)             // absolute-expired at this very instant
	f.wantCounts(base, session.Counts{Live: 5}, "Count before any session expired")
	f.wantCounts(now, session.Counts{Live: 2, Expired: 3}, "Count must split live and expired sessions at now")
	f.wantCounts(at(lifetime), session.Counts{Expired: 5}, "Count after every session expired")
}

func countEmptyStore(f *fixture) {
	f.wantCounts(base, session.Counts{}, "Count of an empty store")
}
