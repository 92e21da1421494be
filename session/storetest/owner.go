package storetest

import (
	"fmt"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var ownerTests = []subtest{
	{"ListOwnerLiveNewestFirst", listOwnerLiveNewestFirst},
	{"ListOwnerSeesOwnerSetBySave", listOwnerSeesOwnerSetBySave},
	{"ListOwnerReadsNoData", listOwnerReadsNoData},
	{"ListOwnerLimit", listOwnerLimit},
	{"DeleteOwnerSparesExcept", deleteOwnerSparesExcept},
	{"DeleteOwnerZeroExceptSparesNone", deleteOwnerZeroExceptSparesNone},
	{"DeleteOwnerUnknownOwner", deleteOwnerUnknownOwner},
	{"DeleteOwnedDeletesOneOfTheOwners", deleteOwnedDeletesOneOfTheOwners},
	{"DeleteOwnedRefusesAStrangersSession", deleteOwnedRefusesAStrangersSession},
	{"DeleteOwnedNeedsCurrentLiveKey", deleteOwnedNeedsCurrentLiveKey},
	{"TrimOwnerKeepsMostRecentlyUsed", trimOwnerKeepsMostRecentlyUsed},
	{"TrimOwnerAlwaysSparesExcept", trimOwnerAlwaysSparesExcept},
	{"TrimOwnerRemovesExpired", trimOwnerRemovesExpired},
	{"TrimOwnerTiesNewestFirst", trimOwnerTiesNewestFirst},
	{"TrimOwnerUnderCapRemovesNothing", trimOwnerUnderCapRemovesNothing},
	{"EmptyOwnerInvalid", ownerEmptyOwnerInvalid},
	{"InvalidLimitOrKeep", ownerInvalidLimitOrKeep},
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

// newUsedSession creates a live session of owner last used so that its idle
// expiry is idle (created at base, ending after lifetime).
func (f *fixture) newUsedSession(owner string, idle time.Time) session.Record {
	f.t.Helper()
	rec := f.newRecord()
	rec.Owner, rec.IdleExpiresAt = owner, idle
	return f.mustCreate(rec)
}

// listOwner calls ListOwner with a limit that holds every session of the suite.
func (f *fixture) listOwner(owner string, now time.Time, limit int, what string) []session.Record {
	f.t.Helper()
	got, err := f.store.ListOwner(f.ctx, owner, now, limit)
	if err != nil {
		f.t.Fatalf("%s: ListOwner(%q, limit %d): %v", what, owner, limit, err)
	}
	return got
}

// wantListOwner fails unless ListOwner(owner, now, limit) returns exactly want,
// in order, every field but Data, and no Data at all.
func (f *fixture) wantListOwner(owner string, now time.Time, limit int, want []session.Record, what string) {
	f.t.Helper()
	got := f.listOwner(owner, now, limit, what)
	if len(got) != len(want) {
		f.t.Fatalf("%s: ListOwner(%q, limit %d) returned keys %s, want %s", what, owner, limit, prefixes(keysOf(got)), prefixes(keysOf(want)))
	}
	for i := range got {
		if got[i].Data != nil {
			f.t.Fatalf("%s: ListOwner returned %s with Data; it must read metadata only (Data nil)", what, describe(got[i].Data))
		}
		w := want[i]
		w.Data = got[i].Data
		f.wantRecord(got[i], w, what)
	}
}

// wantOwnerCount calls an owner-wide delete and checks how many sessions it
// reports gone.
func (f *fixture) wantOwnerCount(n int64, err error, want int64, what string) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
	if n != want {
		f.t.Fatalf("%s: reported %d sessions deleted, want %d", what, n, want)
	}
}

// wantDeleteOwner calls DeleteOwner and checks how many sessions it reports gone.
func (f *fixture) wantDeleteOwner(owner string, except session.Key, want int64, what string) {
	f.t.Helper()
	n, err := f.store.DeleteOwner(f.ctx, owner, except)
	f.wantOwnerCount(n, err, want, what)
}

// wantTrimOwner calls TrimOwner and checks how many sessions it reports gone.
func (f *fixture) wantTrimOwner(owner string, except session.Key, keep int, now time.Time, want int64, what string) {
	f.t.Helper()
	n, err := f.store.TrimOwner(f.ctx, owner, except, keep, now)
	f.wantOwnerCount(n, err, want, what)
}

func listOwnerLiveNewestFirst(f *fixture) {
	s := f.newOwnedSessions()
	// alice's newest session has already idled out: it must not be listed.
	expired := f.newRecord()
	expired.Owner, expired.CreatedAt, expired.IdleExpiresAt = "alice", at(time.Minute), at(2*time.Minute)
	f.mustCreate(expired)
	now := at(3 * time.Minute)
	f.wantListOwner("alice", now, 10, []session.Record{s.alice[2], s.alice[1], s.alice[0]},
		"ListOwner must return the owner's live sessions, newest (CreatedAt) first")
	f.wantListOwner("bob", now, 10, []session.Record{s.bob}, "ListOwner must return only that owner's sessions")
	f.wantListOwner("carol", now, 10, nil, "ListOwner of an owner without sessions")
}

func listOwnerSeesOwnerSetBySave(f *fixture) {
	rec := f.newSession()
	rec.Owner = "alice" // the anonymous visitor logs in
	rec.Version = f.mustSave(rec, base)
	f.wantListOwner("alice", base, 10, []session.Record{rec}, "ListOwner must see an owner set by Save")
}

func listOwnerReadsNoData(f *fixture) {
	large := f.newRecord()
	large.Owner, large.Data = "alice", randomData(f.t, session.MaxDataSize)
	large.CreatedAt = at(time.Second) // the newest
	want := f.mustCreate(large)
	_, rotatedRec := f.newRotated(privilege(at(grace)))
	rotatedRec.Owner = "alice"
	rotatedRec.Version = f.mustSave(rotatedRec, base)
	f.wantListOwner("alice", base, 10, []session.Record{want, rotatedRec},
		"ListOwner must return every field but Data (previous key and sign-in details included)")
}

func listOwnerLimit(f *fixture) {
	s := f.newOwnedSessions()
	for limit, want := range map[int][]session.Record{
		1: {s.alice[2]},
		2: {s.alice[2], s.alice[1]},
		3: {s.alice[2], s.alice[1], s.alice[0]},
		4: {s.alice[2], s.alice[1], s.alice[0]},
	} {
		f.wantListOwner("alice", base, limit, want, fmt.Sprintf("ListOwner with limit %d must return the newest %d sessions", limit, len(want)))
	}
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

func deleteOwnedDeletesOneOfTheOwners(f *fixture) {
	s := f.newOwnedSessions()
	if err := f.store.DeleteOwned(f.ctx, "alice", s.alice[1].Key, base); err != nil {
		f.t.Fatalf("DeleteOwned of one of the owner's live sessions: %v", err)
	}
	f.wantGone(s.alice[1].Key, base, "Load after DeleteOwned")
	f.wantRows([]session.Record{s.alice[0], s.alice[2], s.bob, s.anonymous}, "DeleteOwned must delete that session and only that one")
}

func deleteOwnedRefusesAStrangersSession(f *fixture) {
	s := f.newOwnedSessions()
	for _, target := range []struct {
		key  session.Key
		what string
	}{
		{s.bob.Key, "DeleteOwned of another owner's session"},
		{s.anonymous.Key, "DeleteOwned of an anonymous session"},
		{randomKey(f.t), "DeleteOwned of an unknown key"},
	} {
		f.wantErr(f.store.DeleteOwned(f.ctx, "alice", target.key, base), session.ErrNotFound, target.what)
	}
	f.wantRows(append([]session.Record{s.bob, s.anonymous}, s.alice...), "DeleteOwned of a session that is not the owner's deleted something")
}

func deleteOwnedNeedsCurrentLiveKey(f *fixture) {
	expired := f.newUsedSession("alice", at(time.Minute))
	oldKey, rec := f.newRotated(refresh(at(time.Hour)))
	rec.Owner = "alice"
	rec.Version = f.mustSave(rec, base)
	now := at(2 * time.Minute) // the previous key's window is still open
	f.wantErr(f.store.DeleteOwned(f.ctx, "alice", expired.Key, now), session.ErrNotFound, "DeleteOwned of an expired session (it is on no device list)")
	f.wantErr(f.store.DeleteOwned(f.ctx, "alice", oldKey, now), session.ErrNotFound, "DeleteOwned via a previous key (device lists name current keys)")
	f.wantLoad(rec.Key, now, rec, "DeleteOwned via a previous key deleted the session")
	f.wantCounts(now, session.Counts{Live: 1, Expired: 1}, "DeleteOwned of an expired session or via a previous key deleted something")
}

func trimOwnerKeepsMostRecentlyUsed(f *fixture) {
	// Five sessions of alice, created in order, used in another order: the
	// idle expiry, not the creation time, says which were used last.
	var used []session.Record
	for _, minutes := range []time.Duration{50, 10, 40, 20, 30} {
		used = append(used, f.newUsedSession("alice", at(minutes*time.Minute)))
	}
	current := used[1] // the one signing in now: the least recently used
	bob := f.newUsedSession("bob", at(time.Minute))
	f.wantTrimOwner("alice", current.Key, 2, base, 2, "TrimOwner to two sessions besides the current one")
	f.wantRows([]session.Record{used[0], used[1], used[2], bob},
		"TrimOwner must keep the current session and the most recently used others (latest idle expiry), and leave other owners alone")
}

func trimOwnerAlwaysSparesExcept(f *fixture) {
	s := f.newOwnedSessions()
	f.wantTrimOwner("alice", s.alice[0].Key, 0, base, 2, "TrimOwner keeping no other session")
	f.wantRows([]session.Record{s.alice[0], s.bob, s.anonymous}, "TrimOwner with keep 0 must leave only the excepted session")
	f.wantTrimOwner("bob", session.Key{}, 0, base, 1, "TrimOwner with keep 0 and no except")
	f.wantRows([]session.Record{s.alice[0], s.anonymous}, "TrimOwner with keep 0 and the zero except must remove every session of the owner")
}

func trimOwnerRemovesExpired(f *fixture) {
	live := f.newUsedSession("alice", at(2*time.Hour))
	f.newUsedSession("alice", at(time.Minute)) // idles out
	ended := f.newRecord()
	ended.Owner, ended.IdleExpiresAt, ended.AbsoluteExpiresAt = "alice", at(time.Minute), at(time.Minute)
	f.mustCreate(ended)
	f.wantTrimOwner("alice", session.Key{}, 5, at(time.Hour), 2, "TrimOwner must remove the owner's expired sessions, however many it may keep")
	f.wantRows([]session.Record{live}, "TrimOwner must keep live sessions within keep")
}

func trimOwnerTiesNewestFirst(f *fixture) {
	var same []session.Record
	for i := range 3 { // the same idle expiry, created a second apart
		rec := f.newRecord()
		rec.Owner, rec.CreatedAt = "alice", base.Add(time.Duration(i)*time.Second)
		same = append(same, f.mustCreate(rec))
	}
	f.wantTrimOwner("alice", session.Key{}, 2, base, 1, "TrimOwner among sessions used alike")
	f.wantRows(same[1:], "TrimOwner must break ties of idle expiry by CreatedAt, keeping the newest")
}

func trimOwnerUnderCapRemovesNothing(f *fixture) {
	s := f.newOwnedSessions()
	f.wantTrimOwner("alice", s.alice[0].Key, 2, base, 0, "TrimOwner of an owner at the cap")
	f.wantTrimOwner("carol", session.Key{}, 0, base, 0, "TrimOwner of an owner without sessions")
	f.wantRows(append([]session.Record{s.bob, s.anonymous}, s.alice...), "TrimOwner within the cap removed something")
}

func ownerEmptyOwnerInvalid(f *fixture) {
	s := f.newOwnedSessions()
	_, err := f.store.DeleteOwner(f.ctx, "", session.Key{})
	f.wantErr(err, session.ErrInvalid, "DeleteOwner of the empty owner (anonymous sessions have no owner to revoke)")
	_, err = f.store.ListOwner(f.ctx, "", base, 10)
	f.wantErr(err, session.ErrInvalid, "ListOwner of the empty owner")
	f.wantErr(f.store.DeleteOwned(f.ctx, "", s.anonymous.Key, base), session.ErrInvalid, "DeleteOwned with the empty owner")
	_, err = f.store.TrimOwner(f.ctx, "", session.Key{}, 0, base)
	f.wantErr(err, session.ErrInvalid, "TrimOwner of the empty owner")
	f.wantRows(append([]session.Record{s.bob, s.anonymous}, s.alice...), "an owner method with the empty owner deleted sessions")
}

func ownerInvalidLimitOrKeep(f *fixture) {
	s := f.newOwnedSessions()
	for _, limit := range []int{0, -1} {
		_, err := f.store.ListOwner(f.ctx, "alice", base, limit)
		f.wantErr(err, session.ErrInvalid, fmt.Sprintf("ListOwner with limit %d", limit))
	}
	_, err := f.store.TrimOwner(f.ctx, "alice", session.Key{}, -1, base)
	f.wantErr(err, session.ErrInvalid, "TrimOwner with a negative keep")
	f.wantRows(append([]session.Record{s.bob, s.anonymous}, s.alice...), "TrimOwner with a negative keep deleted sessions")
}
