package storetest

import (
	"github.com/sessiongen/sessiongen/session"
)

var deleteTests = []subtest{
	{"Removes", deleteRemoves},
	{"AbsentIsNotAnError", deleteAbsentIsNotAnError},
	{"NoResurrection", deleteNoResurrection},
	{"ExpiredSession", deleteExpiredSession},
}

func deleteRemoves(f *fixture) {
	gone := f.newSession()
	kept := f.newSession()
	f.mustDelete(gone.Key, base)
	f.wantGone(gone.Key, base, "Load after Delete")
	f.wantRows([]session.Record{kept}, "Delete must remove the row and only that row")
}

func deleteAbsentIsNotAnError(f *fixture) {
	f.mustDelete(randomKey(f.t), base)
	rec := f.newSession()
	f.mustDelete(rec.Key, base)
	f.mustDelete(rec.Key, base) // a second logout of the same session
}

func deleteNoResurrection(f *fixture) {
	rec := f.newSession()
	f.mustDelete(rec.Key, base)
	f.wantSaveNotFound(rec, base, "Save after Delete")
	f.wantErr(f.store.Touch(f.ctx, rec.Key, at(idleTimeout+grace), base), session.ErrNotFound, "Touch after Delete")
	f.wantErr(f.store.Rotate(f.ctx, rec.Key, randomKey(f.t), privilege(at(grace)), base), session.ErrNotFound, "Rotate after Delete")
	f.wantRows(nil, "Save, Touch or Rotate after Delete resurrected the session")
}

func deleteExpiredSession(f *fixture) {
	rec := f.newSession()
	f.mustDelete(rec.Key, rec.IdleExpiresAt)
	f.wantCounts(base, session.Counts{}, "Delete of an expired session must remove its row")
}
