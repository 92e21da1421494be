package storetest

import (
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var rotateTests = []subtest{
	{"KeepsDataAndVersion", rotateKeepsDataAndVersion},
	{"GraceWindowEnds", rotateGraceWindowEnds},
	{"PreviousKeyNeedsLiveSession", rotatePreviousKeyNeedsLiveSession},
	{"PreviousKeyCannotRotate", rotatePreviousKeyCannotRotate},
	{"SecondRotationEndsFirstKey", rotateSecondRotationEndsFirstKey},
	{"NewKeyTaken", rotateNewKeyTaken},
	{"ExpiredOrUnknownNotFound", rotateExpiredOrUnknownNotFound},
	{"SaveUsesNewKey", rotateSaveUsesNewKey},
	{"DeleteViaPreviousKey", rotateDeleteViaPreviousKey},
	{"DeleteViaPreviousKeyAfterGrace", rotateDeleteViaPreviousKeyAfterGrace},
}

// newRotated creates a default session, rotates it to a fresh key with a grace
// window ending at graceUntil, and returns the old key and the rotated session.
func (f *fixture) newRotated(graceUntil time.Time) (oldKey session.Key, rec session.Record) {
	f.t.Helper()
	orig := f.newSession()
	newKey := randomKey(f.t)
	f.mustRotate(orig.Key, newKey, graceUntil, base)
	return orig.Key, rotated(orig, newKey, graceUntil)
}

func rotateKeepsDataAndVersion(f *fixture) {
	orig := f.newSession()
	orig.Owner, orig.Data = "alice", []byte("kept")
	orig.Version = f.mustSave(orig, base) // a version other than 1 must survive too
	newKey := randomKey(f.t)
	f.mustRotate(orig.Key, newKey, at(grace), base)
	want := rotated(orig, newKey, at(grace))
	f.wantLoad(newKey, base, want, "Load via the new key after Rotate must return the session with data and version kept")
	f.wantLoad(orig.Key, base, want, "Load via the previous key within its grace window must return the session under its new current key")
	f.wantCounts(base, session.Counts{Live: 1}, "Rotate must move the session to its new key, not copy it")
}

func rotateGraceWindowEnds(f *fixture) {
	oldKey, rec := f.newRotated(at(grace))
	f.wantLoad(oldKey, at(grace-tick), rec, "the previous key must load the session until its grace window ends")
	f.wantGone(oldKey, at(grace), "the previous key still loaded the session at graceUntil")
	f.wantLoad(rec.Key, at(grace), rec, "the end of the grace window must not affect the new key")
}

func rotatePreviousKeyNeedsLiveSession(f *fixture) {
	oldKey, rec := f.newRotated(at(2 * idleTimeout))
	f.wantGone(oldKey, rec.IdleExpiresAt, "the previous key loaded a session that had expired (its grace window outlasts the session)")
}

func rotatePreviousKeyCannotRotate(f *fixture) {
	oldKey, rec := f.newRotated(at(grace))
	again := randomKey(f.t)
	f.wantErr(f.store.Rotate(f.ctx, oldKey, again, at(grace), base), session.ErrNotFound,
		"Rotate via a previous key (it would make an old token current again)")
	f.wantGone(again, base, "Rotate via a previous key gave the session another key")
	f.wantLoad(rec.Key, base, rec, "Rotate via a previous key changed the session")
}

func rotateSecondRotationEndsFirstKey(f *fixture) {
	first, rec := f.newRotated(at(grace))
	third := randomKey(f.t)
	f.mustRotate(rec.Key, third, at(grace), base)
	want := rotated(rec, third, at(grace))
	f.wantGone(first, base, "the first key still loaded the session after a second rotation")
	f.wantLoad(rec.Key, base, want, "the second key must load the session during its own grace window")
	f.wantLoad(third, base, want, "the third key must load the session")
}

func rotateNewKeyTaken(f *fixture) {
	rec := f.newSession()
	otherCurrent := f.newSession()
	otherPrevious, _ := f.newRotated(at(grace))
	for _, taken := range []struct {
		key  session.Key
		what string
	}{
		{otherCurrent.Key, "Rotate to another session's current key"},
		{otherPrevious, "Rotate to another session's previous key"},
		{rec.Key, "Rotate to the session's own key"},
	} {
		f.wantErr(f.store.Rotate(f.ctx, rec.Key, taken.key, at(grace), base), session.ErrExists, taken.what)
	}
	f.wantLoad(rec.Key, base, rec, "a Rotate that found its new key taken changed the session")
	f.wantLoad(otherCurrent.Key, base, otherCurrent, "a Rotate that found its new key taken changed the session holding it")
}

func rotateExpiredOrUnknownNotFound(f *fixture) {
	newKey := randomKey(f.t)
	f.wantErr(f.store.Rotate(f.ctx, randomKey(f.t), newKey, at(grace), base), session.ErrNotFound, "Rotate of a key that was never created")
	rec := f.newSession()
	now := rec.IdleExpiresAt
	f.wantErr(f.store.Rotate(f.ctx, rec.Key, newKey, now.Add(grace), now), session.ErrNotFound, "Rotate of an idle-expired session")
	f.wantGone(newKey, now, "a Rotate that failed made its new key load a session")
	f.wantCounts(now, session.Counts{Expired: 1}, "a Rotate that failed changed the counts")
}

func rotateSaveUsesNewKey(f *fixture) {
	oldKey, rec := f.newRotated(at(grace))
	loaded := f.mustLoad(oldKey, base, "Load via the previous key")
	loaded.Data = []byte("saved through the current key")
	rec.Data, rec.Version = loaded.Data, f.mustSave(loaded, base)
	f.wantLoad(rec.Key, base, rec, "Save of a record loaded via the previous key (it carries the new key)")
}

func rotateDeleteViaPreviousKey(f *fixture) {
	oldKey, rec := f.newRotated(at(grace))
	f.mustDelete(oldKey, base)
	f.wantGone(rec.Key, base, "Delete via the previous key within its grace window did not delete the session")
	f.wantCounts(base, session.Counts{}, "Delete via the previous key left a row")
}

func rotateDeleteViaPreviousKeyAfterGrace(f *fixture) {
	oldKey, rec := f.newRotated(at(grace))
	f.mustDelete(oldKey, at(grace))
	f.wantLoad(rec.Key, at(grace), rec, "Delete via a previous key after its grace window deleted the session")
}
