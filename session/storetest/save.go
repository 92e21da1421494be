package storetest

import (
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var saveTests = []subtest{
	{"ReturnsNextVersion", saveReturnsNextVersion},
	{"StaleVersionConflicts", saveStaleVersionConflicts},
	{"WritesOwnerDataAndRememberMeOnly", saveWritesOwnerDataAndRememberMeOnly},
	{"IdleExpiryOnlyMovesForward", saveIdleExpiryOnlyMovesForward},
	{"InvalidDataRejected", saveInvalidDataRejected},
	{"ExpiredNotResurrected", saveExpiredNotResurrected},
	{"DeletedNotResurrected", saveDeletedNotResurrected},
	{"NeverInserts", saveNeverInserts},
	{"PreviousKeyNotFound", savePreviousKeyNotFound},
}

func saveReturnsNextVersion(f *fixture) {
	rec := f.newSession()
	for range 3 {
		rec.Data = randomData(f.t, 24)
		rec.Version = f.mustSave(rec, base)
		f.wantLoad(rec.Key, base, rec, "Load after Save must return the saved data and the version Save returned")
	}
}

func saveStaleVersionConflicts(f *fixture) {
	loaded := f.newSession()
	winner := loaded
	winner.Data = []byte("winner")
	winner.Version = f.mustSave(winner, base)

	for _, version := range []int64{loaded.Version, winner.Version + 1} {
		stale := loaded
		stale.Data, stale.Version = []byte("loser"), version
		_, err := f.store.Save(f.ctx, stale, base)
		f.wantErr(err, session.ErrConflict, "Save naming a version other than the stored one")
	}
	f.wantLoad(loaded.Key, base, winner, "a Save that conflicted changed the session")
}

func saveWritesOwnerDataAndRememberMeOnly(f *fixture) {
	want := f.newSession()
	for _, owner := range []string{"alice", ""} { // log in, then log out to anonymous
		rec := want
		rec.Owner, rec.Data, rec.RememberMe = owner, randomData(f.t, 24), owner != ""
		// Save writes only owner, data, remember-me and idle expiry: creation
		// time, lifetime and previous key stay, so a session can never be made
		// to live longer or an old token to work again; the sign-in details
		// change only with a sign-in (Create, Rotate).
		rec.CreatedAt = at(time.Hour)
		rec.AbsoluteExpiresAt = at(2 * lifetime)
		rec.PrevKey, rec.PrevExpiresAt, rec.PrevKind = randomKey(f.t), at(time.Hour), session.RefreshRotation
		rec.Device, rec.IPPrefix = phone, mobileNet
		want.Owner, want.Data, want.RememberMe = rec.Owner, rec.Data, rec.RememberMe
		want.Version = f.mustSave(rec, base)
		f.wantLoad(want.Key, base, want, "Save must change Owner, Data and RememberMe and nothing but the version and idle expiry")
	}
}

func saveIdleExpiryOnlyMovesForward(f *fixture) {
	want := f.newSession()
	for _, step := range []struct {
		requested, stored time.Time
		what              string
	}{
		{at(10 * time.Minute), want.IdleExpiresAt, "Save moved the idle expiry backwards"},
		{at(45 * time.Minute), at(45 * time.Minute), "Save must move the idle expiry forward"},
		{at(2 * lifetime), want.AbsoluteExpiresAt, "Save must clamp the idle expiry to the absolute expiry"},
	} {
		rec := want
		rec.IdleExpiresAt = step.requested
		want.Version, want.IdleExpiresAt = f.mustSave(rec, base), step.stored
		f.wantLoad(want.Key, base, want, step.what)
	}
}

func saveInvalidDataRejected(f *fixture) {
	want := f.newSession()
	for _, bad := range []struct {
		data []byte
		err  error
		what string
	}{
		{nil, session.ErrInvalid, "Save with nil Data"},
		{randomData(f.t, session.MaxDataSize+1), session.ErrTooLarge, "Save with Data over session.MaxDataSize"},
	} {
		rec := want
		rec.Data = bad.data
		_, err := f.store.Save(f.ctx, rec, base)
		f.wantErr(err, bad.err, bad.what)
	}
	f.wantLoad(want.Key, base, want, "a rejected Save changed the session")
}

func saveExpiredNotResurrected(f *fixture) {
	idle := f.newSession()
	absolute := f.newSessionExpiring(at(lifetime), at(idleTimeout))
	now := at(idleTimeout) // both are expired from this instant
	for _, rec := range []session.Record{idle, absolute} {
		for _, version := range []int64{rec.Version, rec.Version + 1} {
			rec.Data, rec.Version = []byte("revived"), version
			rec.IdleExpiresAt = now.Add(idleTimeout)
			f.wantSaveNotFound(rec, now, "Save of an expired session, at its own or another version")
		}
		f.wantGone(rec.Key, now, "Save after expiry resurrected the session")
	}
	f.wantCounts(now, session.Counts{Expired: 2}, "Save of an expired session changed the counts")
}

// wantSaveNotFound fails unless Save of rec at now reports ErrNotFound.
func (f *fixture) wantSaveNotFound(rec session.Record, now time.Time, what string) {
	f.t.Helper()
	_, err := f.store.Save(f.ctx, rec, now)
	f.wantErr(err, session.ErrNotFound, what)
}

func saveDeletedNotResurrected(f *fixture) {
	rec := f.newSession()
	f.mustDelete(rec.Key, base)
	f.wantSaveNotFound(rec, base, "Save after Delete")
	f.wantRows(nil, "Save after Delete resurrected the session")
}

func saveNeverInserts(f *fixture) {
	rec := f.newRecord()
	for _, version := range []int64{0, 1} {
		rec.Version = version
		f.wantSaveNotFound(rec, base, "Save of a key that was never created")
	}
	f.wantRows(nil, "Save inserted a session (Save must never insert)")
}

func savePreviousKeyNotFound(f *fixture) {
	orig := f.newSession()
	newKey := randomKey(f.t)
	f.mustRotate(orig.Key, newKey, refresh(at(grace)), base)
	stale := orig
	stale.Data = []byte("through the old key")
	f.wantSaveNotFound(stale, base, "Save via a previous key (only the current key may save)")
	f.wantLoad(newKey, base, rotated(orig, newKey, refresh(at(grace))), "Save via a previous key changed the session")
}
