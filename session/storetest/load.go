package storetest

import (
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var loadTests = []subtest{
	{"RoundTrip", loadRoundTrip},
	{"EmptyDataStaysNonNil", loadEmptyDataStaysNonNil},
	{"ReturnsCopies", loadReturnsCopies},
	{"UnknownKey", loadUnknownKey},
	{"IdleExpired", loadIdleExpired},
	{"AbsoluteExpired", loadAbsoluteExpired},
	{"ExpiryBoundary", loadExpiryBoundary},
}

// elsewhere is a zone far from UTC: a store must keep instants, not wall clocks.
var elsewhere = time.FixedZone("UTC+05:45", 5*3600+45*60)

func loadRoundTrip(f *fixture) {
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	anonymous := f.newRecord()
	owned := f.newRecord()
	owned.Owner, owned.Data = "user:42 ünïcödé", allBytes
	oddTimes := f.newRecord()
	oddTimes.Owner = "o"
	oddTimes.CreatedAt = base.Add(123456 * tick)
	oddTimes.IdleExpiresAt = at(idleTimeout + 7*tick)
	oddTimes.AbsoluteExpiresAt = at(lifetime + 999999*tick)
	otherZone := f.newRecord()
	otherZone.CreatedAt = otherZone.CreatedAt.In(elsewhere)
	otherZone.IdleExpiresAt = otherZone.IdleExpiresAt.In(elsewhere)
	otherZone.AbsoluteExpiresAt = otherZone.AbsoluteExpiresAt.In(elsewhere)

	for _, rec := range []session.Record{anonymous, owned, oddTimes, otherZone} {
		want := f.mustCreate(rec)
		f.wantLoad(rec.Key, base, want, "Load must return every field as created")
		f.wantLoad(rec.Key, base.In(elsewhere), want, "Load with now in another time zone must return the same session")
	}
}

func loadEmptyDataStaysNonNil(f *fixture) {
	rec := f.newRecord()
	rec.Data = []byte{}
	want := f.mustCreate(rec)
	got := f.mustLoad(rec.Key, base, "Load of a session with empty Data")
	f.wantRecord(got, want, "Load of a session created with empty Data")
	got.Data = []byte("x")
	f.mustSave(got, base)
}

// loadReturnsCopies changes the Data of every record the store hands out and
// checks that the stored sessions did not change with it.
func loadReturnsCopies(f *fixture) {
	rec := f.newRecord()
	rec.Owner = "alice"
	want := f.mustCreate(rec)
	loaded := f.mustLoad(rec.Key, base, "Load")
	listed := f.rows()
	if len(listed) != 1 {
		f.t.Fatalf("List = %d records; want one", len(listed))
	}
	for _, r := range []session.Record{loaded, listed[0]} {
		r.Data[0] = ^want.Data[0]
	}
	f.wantLoad(rec.Key, base, want, "changing Data returned by Load or List changed the stored session")
}

func loadUnknownKey(f *fixture) {
	f.wantGone(randomKey(f.t), base, "Load of a key of an empty store")
	f.newSession()
	f.wantGone(randomKey(f.t), base, "Load of a key no session has")
}

func loadIdleExpired(f *fixture) {
	rec := f.newSession()
	for _, now := range []time.Time{rec.IdleExpiresAt, rec.IdleExpiresAt.Add(time.Hour)} {
		_, err := f.store.Load(f.ctx, rec.Key, now)
		f.wantErr(err, session.ErrIdleExpired, "Load after the idle expiry")
		f.wantErr(err, session.ErrNotFound, "Load after the idle expiry")
	}
}

func loadAbsoluteExpired(f *fixture) {
	// The idle expiry is clamped to the absolute one, so both are reached at once;
	// the absolute expiry is the one to report, as session.Record.CheckLive does.
	clamped := f.newSessionExpiring(at(lifetime), at(time.Hour))
	_, err := f.store.Load(f.ctx, clamped.Key, at(time.Hour))
	f.wantErr(err, session.ErrAbsoluteExpired, "Load at the absolute expiry")
	f.wantErr(err, session.ErrNotFound, "Load at the absolute expiry")

	bothPassed := f.newSessionExpiring(at(idleTimeout), at(time.Hour))
	_, err = f.store.Load(f.ctx, bothPassed.Key, at(2*time.Hour))
	f.wantErr(err, session.ErrAbsoluteExpired, "Load after both expiries must report the absolute one (as CheckLive does)")
}

func loadExpiryBoundary(f *fixture) {
	idle := f.newSession()
	f.wantLoad(idle.Key, idle.IdleExpiresAt.Add(-tick), idle, "a session must load one microsecond before its idle expiry")
	_, err := f.store.Load(f.ctx, idle.Key, idle.IdleExpiresAt)
	f.wantErr(err, session.ErrIdleExpired, "a session must be idle-expired from the instant its idle expiry is reached")

	absolute := f.newSessionExpiring(at(time.Hour), at(time.Hour))
	f.wantLoad(absolute.Key, at(time.Hour-tick), absolute, "a session must load one microsecond before its absolute expiry")
	_, err = f.store.Load(f.ctx, absolute.Key, at(time.Hour))
	f.wantErr(err, session.ErrAbsoluteExpired, "a session must be absolute-expired from the instant its absolute expiry is reached")
}
