package storetest

import (
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var ownerTests = []subtest{
	{"ListOwnerLiveNewestFirst", listOwnerLiveNewestFirst},
	{"ListOwnerSeesOwnerSetBySave", listOwnerSeesOwnerSetBySave},
	{"DeleteOwnerSparesExcept", deleteOwnerSparesExcept},
	{"DeleteOwnerZeroExceptSparesNone", deleteOwnerZeroExceptSparesNone},
	{"DeleteOwnerUnknownOwner", deleteOwnerUnknownOwner},
	{"EmptyOwnerInvalid", ownerEmptyOwnerInvalid},
}

// ownedSessions is a store with three live sessions of alice (created one second
// apart, oldest first), one of bob and one anonymous session.
type ownedSessions struct {
	alice          []session.Record
	bob, anonymous session.Record
}

func (f *fixture) newOwnedSessions() ownedSessions {
	f.t.Helper()
	var s ownedSessions
	for i := range 3 {
		s.alice = append(s.alice, f.newOwnedSession("alice", base.Add(time.Duration(i)*time.Second)))
	}
	s.bob = f.newOwnedSession("bob", base)
	s.anonymous = f.newOwnedSession("", base)
	return s
}

func (f *fixture) newOwnedSession(owner string, createdAt time.Time) session.Record {
	f.t.Helper()
	rec := f.newRecord()
	rec.Owner, rec.CreatedAt = owner, createdAt
	return f.mustCreate(rec)
}

// wantListOwner fails unless ListOwner(owner, now) returns exactly want, in order.
func (f *fixture) wantListOwner(owner string, now time.Time, want []session.Record, what string) {
	f.t.Helper()
	got, err := f.store.ListOwner(f.ctx, owner, now)
	if err != nil {
		f.t.Fatalf("%s: ListOwner(%q): %v", what, owner, err)
	}
	if len(got) != len(want) {
		f.t.Fatalf("%s: ListOwner(%q) returned keys %s, want %s", what, owner, prefixes(keysOf(got)), prefixes(keysOf(want)))
	}
	for i := range got {
		f.wantRecord(got[i], want[i], what)
	}
}

// wantDeleteOwner calls DeleteOwner and checks how many sessions it reports gone.
func (f *fixture) wantDeleteOwner(owner string, except session.Key, want int64, what string) {
	f.t.Helper()
	n, err := f.store.DeleteOwner(f.ctx, owner, except)
	if err != nil {
		f.t.Fatalf("%s: DeleteOwner(%q): %v", what, owner, err)
	}
	if n != want {
		f.t.Fatalf("%s: DeleteOwner(%q) reported %d sessions deleted, want %d", what, owner, n, want)
	}
}

func listOwnerLiveNewestFirst(f *fixture) {
	s := f.newOwnedSessions()
	// alice's newest session has already idled out: it must not be listed.
	expired := f.newRecord()
	expired.Owner, expired.CreatedAt, expired.IdleExpiresAt = "alice", at(time.Minute), at(2*time.Minute)
	f.mustCreate(expired)
	now := at(3 * time.Minute)
	f.wantListOwner("alice", now, []session.Record{s.alice[2], s.alice[1], s.alice[0]},
		"ListOwner must return the owner's live sessions, newest (CreatedAt) first")
	f.wantListOwner("bob", now, []session.Record{s.bob}, "ListOwner must return only that owner's sessions")
	f.wantListOwner("carol", now, nil, "ListOwner of an owner without sessions")
}

func listOwnerSeesOwnerSetBySave(f *fixture) {
	rec := f.newSession()
	rec.Owner = "alice" // the anonymous visitor logs in
	rec.Version = f.mustSave(rec, base)
	f.wantListOwner("alice", base, []session.Record{rec}, "ListOwner must see an owner set by Save")
}

func deleteOwnerSparesExcept(f *fixture) {
	s := f.newOwnedSessions()
	f.wantDeleteOwner("alice", s.alice[1].Key, 2, "DeleteOwner must delete all but the excepted session")
	f.wantRows([]session.Record{s.alice[1], s.bob, s.anonymous}, "DeleteOwner must spare the excepted session and other owners'")
}

func deleteOwnerZeroExceptSparesNone(f *fixture) {
	s := f.newOwnedSessions()
	f.wantDeleteOwner("alice", session.Key{}, 3, "DeleteOwner with the zero except key must delete every session of the owner")
	f.wantRows([]session.Record{s.bob, s.anonymous}, "DeleteOwner must leave other owners' sessions alone")
}

func deleteOwnerUnknownOwner(f *fixture) {
	s := f.newOwnedSessions()
	f.wantDeleteOwner("carol", session.Key{}, 0, "DeleteOwner of an owner without sessions")
	f.wantRows(append([]session.Record{s.bob, s.anonymous}, s.alice...), "DeleteOwner of an owner without sessions deleted something")
}

func ownerEmptyOwnerInvalid(f *fixture) {
	s := f.newOwnedSessions()
	_, err := f.store.DeleteOwner(f.ctx, "", session.Key{})
	f.wantErr(err, session.ErrInvalid, "DeleteOwner of the empty owner (anonymous sessions have no owner to revoke)")
	_, err = f.store.ListOwner(f.ctx, "", base)
	f.wantErr(err, session.ErrInvalid, "ListOwner of the empty owner")
	f.wantRows(append([]session.Record{s.bob, s.anonymous}, s.alice...), "DeleteOwner of the empty owner deleted sessions")
}
