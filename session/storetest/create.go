package storetest

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var createTests = []subtest{
	{"VersionStartsAtOne", createVersionStartsAtOne},
	{"NeverOverwrites", createNeverOverwrites},
	{"PreviousKeyIsTaken", createPreviousKeyIsTaken},
	{"KeepsNoReferenceToData", createKeepsNoReferenceToData},
	{"NilDataInvalid", createNilDataInvalid},
	{"DataSizeLimit", createDataSizeLimit},
	{"ZeroExpiryInvalid", createZeroExpiryInvalid},
	{"IdleExpiryClampedToAbsolute", createIdleExpiryClampedToAbsolute},
	{"WritesSignInDetails", createWritesSignInDetails},
	{"InvalidSignInDetailsRejected", createInvalidSignInDetailsRejected},
}

func createVersionStartsAtOne(f *fixture) {
	for _, v := range []int64{0, 1, 42, -7} {
		rec := f.newRecord()
		rec.Version = v
		want := f.mustCreate(rec)
		f.wantLoad(rec.Key, base, want, fmt.Sprintf("Create with Version %d must store Version 1", v))
	}
}

func createNeverOverwrites(f *fixture) {
	orig := f.newSession()
	dup := f.newRecord()
	dup.Key, dup.Owner = orig.Key, "mallory"
	f.wantErr(f.store.Create(f.ctx, dup), session.ErrExists, "Create of a key that is already a session's current key")
	f.wantLoad(orig.Key, base, orig, "Create with a taken key overwrote the existing session")
	f.wantCounts(base, session.Counts{Live: 1}, "Create with a taken key added a row")
}

func createPreviousKeyIsTaken(f *fixture) {
	refreshedOld, refreshed := f.newRotated(refresh(at(grace)))
	tombstone, loggedIn := f.newRotated(privilege(at(grace)))

	for _, old := range []session.Key{refreshedOld, tombstone} {
		dup := f.newRecord()
		dup.Key = old
		f.wantErr(f.store.Create(f.ctx, dup), session.ErrExists, "Create of a key that is another session's previous key (grace key or tombstone)")
	}
	f.wantLoad(refreshedOld, base, refreshed, "Create with a previous key disturbed the rotated session")
	f.wantSuperseded(tombstone, base, "Create with a tombstone's key disturbed the tombstone")
	f.wantLoad(loggedIn.Key, base, loggedIn, "Create with a tombstone's key disturbed the session")
	f.wantCounts(base, session.Counts{Live: 2}, "Create with a previous key added a row")
}

func createKeepsNoReferenceToData(f *fixture) {
	rec := f.newRecord()
	rec.Data = []byte{1, 2, 3}
	f.mustCreate(rec)
	rec.Data[0] = 9
	got := f.mustLoad(rec.Key, base, "Load after Create")
	if got.Data[0] != 1 {
		f.t.Fatalf("Create kept a reference to the caller's Data: changing the slice afterwards changed the stored session")
	}
}

func createNilDataInvalid(f *fixture) {
	rec := f.newRecord()
	rec.Data = nil
	f.wantErr(f.store.Create(f.ctx, rec), session.ErrInvalid, "Create with nil Data")
	f.wantGone(rec.Key, base, "Create with nil Data stored a session")
}

func createDataSizeLimit(f *fixture) {
	tooLarge := f.newRecord()
	tooLarge.Data = randomData(f.t, session.MaxDataSize+1)
	f.wantErr(f.store.Create(f.ctx, tooLarge), session.ErrTooLarge, "Create with Data one byte over session.MaxDataSize")
	f.wantGone(tooLarge.Key, base, "Create with too large Data stored a session")

	largest := f.newRecord()
	largest.Data = randomData(f.t, session.MaxDataSize)
	want := f.mustCreate(largest)
	f.wantLoad(largest.Key, base, want, "Data of exactly session.MaxDataSize bytes must be stored whole")
}

func createZeroExpiryInvalid(f *fixture) {
	idle := f.newRecord()
	idle.IdleExpiresAt = time.Time{}
	f.wantErr(f.store.Create(f.ctx, idle), session.ErrInvalid, "Create with a zero IdleExpiresAt")
	f.wantGone(idle.Key, base, "Create with a zero IdleExpiresAt stored a session")

	absolute := f.newRecord()
	absolute.AbsoluteExpiresAt = time.Time{}
	f.wantErr(f.store.Create(f.ctx, absolute), session.ErrInvalid, "Create with a zero AbsoluteExpiresAt")
	f.wantGone(absolute.Key, base, "Create with a zero AbsoluteExpiresAt stored a session")
}

func createIdleExpiryClampedToAbsolute(f *fixture) {
	rec := f.newRecord()
	rec.AbsoluteExpiresAt = at(2 * time.Hour)
	rec.IdleExpiresAt = at(lifetime)
	f.mustCreate(rec)
	got := f.mustLoad(rec.Key, base, "Load after Create")
	if !got.IdleExpiresAt.Equal(rec.AbsoluteExpiresAt) {
		f.t.Fatalf("Create with an idle expiry after the absolute expiry stored IdleExpiresAt %v, want it clamped to AbsoluteExpiresAt %v",
			got.IdleExpiresAt, rec.AbsoluteExpiresAt)
	}
}

func createWritesSignInDetails(f *fixture) {
	for _, details := range []struct {
		remember bool
		device   string
		prefix   netip.Prefix
	}{
		{true, phone, mobileNet},
		{false, "", netip.Prefix{}},                                 // nothing known
		{true, maxedDevice, netip.MustParsePrefix("192.0.2.0/24")},  // the longest summary
		{false, "Chrome", netip.MustParsePrefix("198.51.100.7/32")}, // masked, if not truncated: the runtime truncates, the store keeps
		{false, "Chrome", netip.MustParsePrefix("::/0")},
	} {
		rec := f.newRecord()
		rec.RememberMe, rec.Device, rec.IPPrefix = details.remember, details.device, details.prefix
		want := f.mustCreate(rec)
		f.wantLoad(rec.Key, base, want, fmt.Sprintf("Create must store RememberMe %v, Device %q and IPPrefix %v", details.remember, details.device, details.prefix))
	}
}

func createInvalidSignInDetailsRejected(f *fixture) {
	for _, bad := range []struct {
		device string
		prefix netip.Prefix
		what   string
	}{
		{maxedDevice + "x", homeNet, "a device summary over session.MaxDeviceSize"},
		{"Firefox\x00", homeNet, "a device summary with a NUL"},
		{"\xc3\x28", homeNet, "a device summary that is not UTF-8"},
		{laptop, netip.MustParsePrefix("203.0.113.7/24"), "an IP prefix with host bits set"},
	} {
		rec := f.newRecord()
		rec.Device, rec.IPPrefix = bad.device, bad.prefix
		f.wantErr(f.store.Create(f.ctx, rec), session.ErrInvalid, "Create with "+bad.what)
		f.wantGone(rec.Key, base, "Create with "+bad.what+" stored a session")
	}
}
