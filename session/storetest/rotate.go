package storetest

import (
	"net/netip"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var rotateTests = []subtest{
	{"KeepsDataAndVersion", rotateKeepsDataAndVersion},
	{"WritesSignInDetails", rotateWritesSignInDetails},
	{"GraceWindowEnds", rotateGraceWindowEnds},
	{"PrivilegeLeavesTombstone", rotatePrivilegeLeavesTombstone},
	{"TombstoneWindowEnds", rotateTombstoneWindowEnds},
	{"TombstoneDeletesNothing", rotateTombstoneDeletesNothing},
	{"TombstoneWritesNothing", rotateTombstoneWritesNothing},
	{"KindIsPerSession", rotateKindIsPerSession},
	{"PreviousKeyNeedsLiveSession", rotatePreviousKeyNeedsLiveSession},
	{"PreviousKeyCannotRotate", rotatePreviousKeyCannotRotate},
	{"SecondRotationEndsFirstKey", rotateSecondRotationEndsFirstKey},
	{"SecondRotationSetsKind", rotateSecondRotationSetsKind},
	{"NewKeyTaken", rotateNewKeyTaken},
	{"ExpiredOrUnknownNotFound", rotateExpiredOrUnknownNotFound},
	{"InvalidRotationRejected", rotateInvalidRotationRejected},
	{"SaveUsesNewKey", rotateSaveUsesNewKey},
	{"DeleteViaPreviousKey", rotateDeleteViaPreviousKey},
	{"DeleteViaPreviousKeyAfterGrace", rotateDeleteViaPreviousKeyAfterGrace},
}

// kinds are both rotation kinds, for the promises that hold for either.
var kinds = []func(until time.Time) session.Rotation{refresh, privilege}

// newRotated creates a default session, rotates it to a fresh key by r (at
// base), and returns the old key and the rotated session.
func (f *fixture) newRotated(r session.Rotation) (oldKey session.Key, rec session.Record) {
	f.t.Helper()
	orig := f.newSession()
	newKey := randomKey(f.t)
	f.mustRotate(orig.Key, newKey, r, base)
	return orig.Key, rotated(orig, newKey, r)
}

func rotateKeepsDataAndVersion(f *fixture) {
	for _, kind := range kinds {
		orig := f.newSession()
		orig.Owner, orig.Data = "alice", []byte("kept")
		orig.Version = f.mustSave(orig, base) // a version other than 1 must survive too
		newKey := randomKey(f.t)
		r := kind(at(grace))
		f.mustRotate(orig.Key, newKey, r, base)
		want := rotated(orig, newKey, r)
		f.wantLoad(newKey, base, want, r.Kind.String()+" Rotate: Load via the new key must return the session with owner, data, version and times kept")
	}
	f.wantCounts(base, session.Counts{Live: 2}, "Rotate must move the session to its new key, not copy it")
}

func rotateWritesSignInDetails(f *fixture) {
	orig := f.newSession() // a laptop at home, not remembered
	newKey := randomKey(f.t)
	r := privilege(at(grace)) // a phone on a mobile network, remembered
	f.mustRotate(orig.Key, newKey, r, base)
	got := f.mustLoad(newKey, base, "Load after Rotate")
	if !got.RememberMe || got.Device != phone || got.IPPrefix != mobileNet {
		f.t.Fatalf("Rotate must replace RememberMe, Device and IPPrefix with the rotation's: got %v, %q, %v", got.RememberMe, got.Device, got.IPPrefix)
	}
	// And back to none: a zero Rotation's details clear them.
	third := randomKey(f.t)
	f.mustRotate(newKey, third, session.Rotation{Kind: session.PrivilegeRotation, Until: at(grace)}, base)
	f.wantLoad(third, base, rotated(rotated(orig, newKey, r), third, session.Rotation{Kind: session.PrivilegeRotation, Until: at(grace)}),
		"Rotate with no sign-in details must clear the session's (they describe the last sign-in)")
}

func rotateGraceWindowEnds(f *fixture) {
	oldKey, rec := f.newRotated(refresh(at(grace)))
	f.wantLoad(oldKey, base, rec, "Load via the previous key of a refresh rotation within its window must return the session under its new current key")
	f.wantLoad(oldKey, at(grace-tick), rec, "the previous key of a refresh rotation must load the session until its window ends")
	f.wantGone(oldKey, at(grace), "the previous key of a refresh rotation still loaded the session at Until")
	f.wantLoad(rec.Key, at(grace), rec, "the end of the window must not affect the new key")
}

func rotatePrivilegeLeavesTombstone(f *fixture) {
	oldKey, rec := f.newRotated(privilege(at(grace)))
	f.wantSuperseded(oldKey, base, "Load via the previous key of a privilege rotation (a login) within its window")
	f.wantSuperseded(oldKey, at(grace-tick), "Load via the previous key of a privilege rotation one microsecond before its window ends")
	f.wantLoad(rec.Key, base, rec, "the new key of a privilege rotation must load the session")
	f.wantCounts(base, session.Counts{Live: 1}, "a tombstone must not count as a session")
}

func rotateTombstoneWindowEnds(f *fixture) {
	oldKey, rec := f.newRotated(privilege(at(grace)))
	f.wantGone(oldKey, at(grace), "the previous key of a privilege rotation after its window (a tombstone ends as an unknown key)")
	f.wantLoad(rec.Key, at(grace), rec, "the end of the tombstone's window must not affect the new key")
}

func rotateTombstoneDeletesNothing(f *fixture) {
	oldKey, rec := f.newRotated(privilege(at(grace)))
	f.mustDelete(oldKey, base)
	f.wantLoad(rec.Key, base, rec, "Delete via a tombstone (the key before a login) deleted the logged-in session")
	f.wantSuperseded(oldKey, base, "Delete via a tombstone must leave the tombstone as it was")
}

func rotateTombstoneWritesNothing(f *fixture) {
	oldKey, rec := f.newRotated(privilege(at(grace)))
	stale := rec
	stale.Key, stale.Owner, stale.Data = oldKey, "mallory", []byte("through the tombstone")
	for _, version := range []int64{rec.Version, rec.Version + 1} {
		stale.Version = version
		f.wantSaveNotFound(stale, base, "Save via a tombstone")
	}
	f.wantErr(f.store.Touch(f.ctx, oldKey, at(2*idleTimeout), base), session.ErrNotFound, "Touch via a tombstone")
	f.wantErr(f.store.DeleteOwned(f.ctx, "mallory", oldKey, base), session.ErrNotFound, "DeleteOwned via a tombstone")
	f.wantLoad(rec.Key, base, rec, "Save, Touch or DeleteOwned via a tombstone changed the session")
}

func rotateKindIsPerSession(f *fixture) {
	refreshedOld, refreshed := f.newRotated(refresh(at(grace)))
	loggedInOld, loggedIn := f.newRotated(privilege(at(grace)))
	f.wantLoad(refreshedOld, base, refreshed, "a refresh rotation's previous key must load its session while another session holds a tombstone")
	f.wantSuperseded(loggedInOld, base, "a privilege rotation's previous key while another session holds a grace key")
	f.wantLoad(loggedIn.Key, base, loggedIn, "Load must report the kind of the session's own last rotation")
}

func rotatePreviousKeyNeedsLiveSession(f *fixture) {
	for _, kind := range kinds {
		oldKey, rec := f.newRotated(kind(at(2 * idleTimeout)))
		f.wantGone(oldKey, rec.IdleExpiresAt, "the previous key of an expired session (its window outlasts the session), "+rec.PrevKind.String())
	}
}

func rotatePreviousKeyCannotRotate(f *fixture) {
	for _, kind := range kinds {
		oldKey, rec := f.newRotated(kind(at(grace)))
		again := randomKey(f.t)
		for _, r := range []session.Rotation{refresh(at(grace)), privilege(at(grace))} {
			f.wantErr(f.store.Rotate(f.ctx, oldKey, again, r, base), session.ErrNotFound,
				"Rotate via a previous key (it would make an old token current again), "+rec.PrevKind.String())
		}
		f.wantGone(again, base, "Rotate via a previous key gave the session another key")
		f.wantLoad(rec.Key, base, rec, "Rotate via a previous key changed the session")
	}
}

func rotateSecondRotationEndsFirstKey(f *fixture) {
	first, rec := f.newRotated(refresh(at(grace)))
	third := randomKey(f.t)
	f.mustRotate(rec.Key, third, refresh(at(grace)), base)
	want := rotated(rec, third, refresh(at(grace)))
	f.wantGone(first, base, "the first key still loaded the session after a second rotation")
	f.wantLoad(rec.Key, base, want, "the second key must load the session during its own grace window")
	f.wantLoad(third, base, want, "the third key must load the session")
}

func rotateSecondRotationSetsKind(f *fixture) {
	// A refresh, then a login: the refreshed key is a tombstone now, whatever
	// the first rotation was.
	first, rec := f.newRotated(refresh(at(grace)))
	third := randomKey(f.t)
	f.mustRotate(rec.Key, third, privilege(at(grace)), base)
	f.wantSuperseded(rec.Key, base, "the previous key after a refresh and then a privilege rotation")
	f.wantGone(first, base, "the first key after two rotations")
	// A login, then a refresh: the login's key is a grace key now.
	loginOld, loggedIn := f.newRotated(privilege(at(grace)))
	fourth := randomKey(f.t)
	f.mustRotate(loggedIn.Key, fourth, refresh(at(grace)), base)
	f.wantLoad(loggedIn.Key, base, rotated(loggedIn, fourth, refresh(at(grace))), "the previous key after a privilege and then a refresh rotation")
	f.wantGone(loginOld, base, "the pre-login key after two rotations")
}

func rotateNewKeyTaken(f *fixture) {
	rec := f.newSession()
	otherCurrent := f.newSession()
	otherPrevious, _ := f.newRotated(refresh(at(grace)))
	otherTombstone, _ := f.newRotated(privilege(at(grace)))
	for _, taken := range []struct {
		key  session.Key
		what string
	}{
		{otherCurrent.Key, "Rotate to another session's current key"},
		{otherPrevious, "Rotate to another session's previous key"},
		{otherTombstone, "Rotate to another session's tombstone"},
		{rec.Key, "Rotate to the session's own key"},
	} {
		f.wantErr(f.store.Rotate(f.ctx, rec.Key, taken.key, refresh(at(grace)), base), session.ErrExists, taken.what)
	}
	f.wantLoad(rec.Key, base, rec, "a Rotate that found its new key taken changed the session")
	f.wantLoad(otherCurrent.Key, base, otherCurrent, "a Rotate that found its new key taken changed the session holding it")
	f.wantSuperseded(otherTombstone, base, "a Rotate that found its new key taken as a tombstone changed the tombstone")
}

func rotateExpiredOrUnknownNotFound(f *fixture) {
	newKey := randomKey(f.t)
	f.wantErr(f.store.Rotate(f.ctx, randomKey(f.t), newKey, privilege(at(grace)), base), session.ErrNotFound, "Rotate of a key that was never created")
	rec := f.newSession()
	now := rec.IdleExpiresAt
	f.wantErr(f.store.Rotate(f.ctx, rec.Key, newKey, privilege(now.Add(grace)), now), session.ErrNotFound, "Rotate of an idle-expired session")
	f.wantGone(newKey, now, "a Rotate that failed made its new key load a session")
	f.wantCounts(now, session.Counts{Expired: 1}, "a Rotate that failed changed the counts")
}

func rotateInvalidRotationRejected(f *fixture) {
	rec := f.newSession()
	for _, bad := range []struct {
		r    session.Rotation
		what string
	}{
		{session.Rotation{Kind: session.RefreshRotation + 1, Until: at(grace)}, "an unknown rotation kind"},
		{session.Rotation{Kind: session.PrivilegeRotation}, "a zero Until"},
		{session.Rotation{Until: at(grace), Device: maxedDevice + "x"}, "a device summary over session.MaxDeviceSize"},
		{session.Rotation{Until: at(grace), Device: "Firefox\n200 OK"}, "a device summary with a control character"},
		{session.Rotation{Until: at(grace), Device: "\xff\xfe"}, "a device summary that is not UTF-8"},
		{session.Rotation{Until: at(grace), IPPrefix: netip.MustParsePrefix("203.0.113.7/24")}, "an IP prefix with host bits (a whole address)"},
	} {
		newKey := randomKey(f.t)
		f.wantErr(f.store.Rotate(f.ctx, rec.Key, newKey, bad.r, base), session.ErrInvalid, "Rotate with "+bad.what)
		f.wantGone(newKey, base, "Rotate with "+bad.what+" gave the session a new key")
	}
	f.wantLoad(rec.Key, base, rec, "a rejected Rotate changed the session")
}

func rotateSaveUsesNewKey(f *fixture) {
	oldKey, rec := f.newRotated(refresh(at(grace)))
	loaded := f.mustLoad(oldKey, base, "Load via the previous key")
	loaded.Data = []byte("saved through the current key")
	rec.Data, rec.Version = loaded.Data, f.mustSave(loaded, base)
	f.wantLoad(rec.Key, base, rec, "Save of a record loaded via the previous key (it carries the new key)")
}

func rotateDeleteViaPreviousKey(f *fixture) {
	oldKey, rec := f.newRotated(refresh(at(grace)))
	f.mustDelete(oldKey, base)
	f.wantGone(rec.Key, base, "Delete via the previous key of a refresh rotation within its window did not delete the session")
	f.wantCounts(base, session.Counts{}, "Delete via the previous key left a row")
}

func rotateDeleteViaPreviousKeyAfterGrace(f *fixture) {
	oldKey, rec := f.newRotated(refresh(at(grace)))
	f.mustDelete(oldKey, at(grace))
	f.wantLoad(rec.Key, at(grace), rec, "Delete via a previous key after its window deleted the session")
}
