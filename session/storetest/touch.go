package storetest

import (
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var touchTests = []subtest{
	{"MovesIdleExpiryForward", touchMovesIdleExpiryForward},
	{"NeverBackwards", touchNeverBackwards},
	{"ClampedToAbsolute", touchClampedToAbsolute},
	{"ExpiredNotFound", touchExpiredNotFound},
	{"UnknownNotFound", touchUnknownNotFound},
	{"PreviousKeyNotFound", touchPreviousKeyNotFound},
}

// wantTouch touches a default session to idleExpiresAt and checks that the
// stored idle expiry became stored, and that nothing else changed (the version
// least of all: a touch must not make a concurrent Save conflict).
func (f *fixture) wantTouch(idleExpiresAt, stored time.Time, what string) {
	f.t.Helper()
	want := f.newSession()
	f.mustTouch(want.Key, idleExpiresAt, at(10*time.Minute))
	want.IdleExpiresAt = stored
	f.wantLoad(want.Key, at(10*time.Minute), want, what)
}

func touchMovesIdleExpiryForward(f *fixture) {
	f.wantTouch(at(45*time.Minute), at(45*time.Minute), "Touch must move the idle expiry forward and change nothing else")
}

func touchNeverBackwards(f *fixture) {
	f.wantTouch(at(20*time.Minute), at(idleTimeout), "Touch moved the idle expiry backwards")
}

func touchClampedToAbsolute(f *fixture) {
	f.wantTouch(at(2*lifetime), at(lifetime), "Touch must clamp the idle expiry to the absolute expiry")
}

func touchExpiredNotFound(f *fixture) {
	rec := f.newSession()
	now := rec.IdleExpiresAt
	f.wantErr(f.store.Touch(f.ctx, rec.Key, now.Add(idleTimeout), now), session.ErrNotFound, "Touch of an idle-expired session")
	f.wantGone(rec.Key, now, "Touch resurrected an expired session")
}

func touchUnknownNotFound(f *fixture) {
	key := randomKey(f.t)
	f.wantErr(f.store.Touch(f.ctx, key, at(time.Hour), base), session.ErrNotFound, "Touch of a key that was never created")
	f.wantCounts(base, session.Counts{}, "Touch of an unknown key inserted a row")
}

func touchPreviousKeyNotFound(f *fixture) {
	orig := f.newSession()
	newKey := randomKey(f.t)
	f.mustRotate(orig.Key, newKey, refresh(at(grace)), base)
	f.wantErr(f.store.Touch(f.ctx, orig.Key, at(time.Hour), base), session.ErrNotFound, "Touch via a previous key (only the current key may touch)")
	f.wantLoad(newKey, base, rotated(orig, newKey, refresh(at(grace))), "Touch via a previous key changed the session")
}
