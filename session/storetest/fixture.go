package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// base is the instant every time in the suite is built from. It lies in the
// future, so a store that wrongly consults its own clock instead of the now it is
// given sees every session as live and fails the expiry subtests.
var base = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	// idleTimeout and lifetime are the default session's idle and absolute windows.
	idleTimeout = 30 * time.Minute
	lifetime    = 24 * time.Hour
	// grace is the default window in which a rotated-away key still loads.
	grace = time.Minute
	// tick is the smallest step the suite uses: SQL stores keep microseconds.
	tick = time.Microsecond
)

// at returns base+d.
func at(d time.Duration) time.Time { return base.Add(d) }

// fixture is one subtest's store and context, with the helpers that call it.
type fixture struct {
	t     *testing.T
	store session.Store
	ctx   context.Context
}

func newFixture(t *testing.T, newStore func(t *testing.T) session.Store) *fixture {
	t.Helper()
	s := newStore(t)
	if s == nil {
		t.Fatal("newStore returned a nil store")
	}
	return &fixture{t: t, store: s, ctx: t.Context()}
}

// randomKey returns a fresh 256-bit key, so that parallel subtests never collide.
func randomKey(t testing.TB) session.Key {
	var k session.Key
	randomFill(t, k[:])
	return k
}

// randomData returns n random bytes: every byte value occurs, NULs included.
func randomData(t testing.TB, n int) []byte {
	b := make([]byte, n)
	randomFill(t, b)
	return b
}

func randomFill(t testing.TB, b []byte) {
	t.Helper()
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("crypto/rand: %v", err)
	}
}

// The sign-in details of the suite's sessions: every record carries some, so
// that every subtest checks that a store keeps them.
var (
	laptop      = "Firefox 133 on Linux"
	phone       = "Safari 18 on iOS 18"
	homeNet     = netip.MustParsePrefix("203.0.113.0/24")
	mobileNet   = netip.MustParsePrefix("2001:db8:42::/48")
	maxedDevice = strings.Repeat("é", session.MaxDeviceSize/2) // exactly MaxDeviceSize bytes
)

// newRecord returns an anonymous session created at base on a laptop at home
// that idles out after idleTimeout and ends after lifetime; subtests change
// the fields they test.
func (f *fixture) newRecord() session.Record {
	return session.Record{
		Key:               randomKey(f.t),
		Data:              randomData(f.t, 24),
		CreatedAt:         base,
		IdleExpiresAt:     at(idleTimeout),
		AbsoluteExpiresAt: at(lifetime),
		Device:            laptop,
		IPPrefix:          homeNet,
	}
}

// stored returns what Load must return right after rec was created: version 1,
// the idle expiry clamped to the absolute one, no previous key.
func stored(rec session.Record) session.Record {
	rec.Version = 1
	if rec.IdleExpiresAt.After(rec.AbsoluteExpiresAt) {
		rec.IdleExpiresAt = rec.AbsoluteExpiresAt
	}
	rec.PrevKey, rec.PrevExpiresAt, rec.PrevKind = session.Key{}, time.Time{}, 0
	return rec
}

// refresh and privilege return rotations of each kind whose window ends at
// until, signing in again from a phone on a mobile network with remember-me.
func refresh(until time.Time) session.Rotation {
	return session.Rotation{Kind: session.RefreshRotation, Until: until, RememberMe: true, Device: phone, IPPrefix: mobileNet}
}

func privilege(until time.Time) session.Rotation {
	r := refresh(until)
	r.Kind = session.PrivilegeRotation
	return r
}

// rotated returns what Load must return after rec's key was rotated to newKey
// by r.
func rotated(rec session.Record, newKey session.Key, r session.Rotation) session.Record {
	rec.PrevKey, rec.PrevExpiresAt, rec.PrevKind, rec.Key = rec.Key, r.Until, r.Kind, newKey
	rec.RememberMe, rec.Device, rec.IPPrefix = r.RememberMe, r.Device, r.IPPrefix
	return rec
}

// mustCreate creates rec and returns what the store must now hold.
func (f *fixture) mustCreate(rec session.Record) session.Record {
	f.t.Helper()
	if err := f.store.Create(f.ctx, rec); err != nil {
		f.t.Fatalf("Create of a valid new session: %v", err)
	}
	return stored(rec)
}

// newSession creates a default session and returns what the store holds.
func (f *fixture) newSession() session.Record {
	f.t.Helper()
	return f.mustCreate(f.newRecord())
}

// newSessionExpiring creates a default session with the given idle and absolute expiry.
func (f *fixture) newSessionExpiring(idle, absolute time.Time) session.Record {
	f.t.Helper()
	rec := f.newRecord()
	rec.IdleExpiresAt, rec.AbsoluteExpiresAt = idle, absolute
	return f.mustCreate(rec)
}

func (f *fixture) mustLoad(key session.Key, now time.Time, what string) session.Record {
	f.t.Helper()
	rec, err := f.store.Load(f.ctx, key, now)
	if err != nil {
		f.t.Fatalf("%s: Load: %v", what, err)
	}
	return rec
}

// wantLoad loads key at now and compares the result with want.
func (f *fixture) wantLoad(key session.Key, now time.Time, want session.Record, what string) {
	f.t.Helper()
	f.wantRecord(f.mustLoad(key, now, what), want, what)
}

// wantGone fails unless Load of key at now reports ErrNotFound.
func (f *fixture) wantGone(key session.Key, now time.Time, what string) {
	f.t.Helper()
	_, err := f.store.Load(f.ctx, key, now)
	f.wantErr(err, session.ErrNotFound, what)
}

// wantSuperseded fails unless Load of key at now reports ErrSuperseded, with
// no record, and an error that matches neither ErrNotFound (the runtime would
// clear the browser's new cookie) nor ErrUnavailable (it would answer 503
// instead of serving the request anonymously).
func (f *fixture) wantSuperseded(key session.Key, now time.Time, what string) {
	f.t.Helper()
	rec, err := f.store.Load(f.ctx, key, now)
	f.wantErr(err, session.ErrSuperseded, what)
	if errors.Is(err, session.ErrNotFound) {
		f.t.Fatalf("%s: %v matches ErrNotFound too; a superseded token must be told apart from an unknown one", what, err)
	}
	if errors.Is(err, session.ErrUnavailable) {
		f.t.Fatalf("%s: %v matches ErrUnavailable too; a superseded token is an answer, not an outage", what, err)
	}
	if !rec.Key.IsZero() || rec.Data != nil || rec.Owner != "" {
		f.t.Fatalf("%s: Load returned session %s (owner %q) with ErrSuperseded; a tombstone must grant nothing", what, rec.Key.Prefix(), rec.Owner)
	}
}

// mustSave saves rec and checks that the new version is rec.Version+1.
func (f *fixture) mustSave(rec session.Record, now time.Time) int64 {
	f.t.Helper()
	v, err := f.store.Save(f.ctx, rec, now)
	if err != nil {
		f.t.Fatalf("Save of a live session at its current version: %v", err)
	}
	if v != rec.Version+1 {
		f.t.Fatalf("Save returned version %d, want %d (the saved version plus one)", v, rec.Version+1)
	}
	return v
}

func (f *fixture) mustTouch(key session.Key, idleExpiresAt, now time.Time) {
	f.t.Helper()
	if err := f.store.Touch(f.ctx, key, idleExpiresAt, now); err != nil {
		f.t.Fatalf("Touch of a live session: %v", err)
	}
}

func (f *fixture) mustRotate(oldKey, newKey session.Key, r session.Rotation, now time.Time) {
	f.t.Helper()
	if err := f.store.Rotate(f.ctx, oldKey, newKey, r, now); err != nil {
		f.t.Fatalf("Rotate (%s) of a live session to a fresh key: %v", r.Kind, err)
	}
}

func (f *fixture) mustDelete(key session.Key, now time.Time) {
	f.t.Helper()
	if err := f.store.Delete(f.ctx, key, now); err != nil {
		f.t.Fatalf("Delete: %v", err)
	}
}

// wantErr fails unless errors.Is(err, target).
func (f *fixture) wantErr(err, target error, what string) {
	f.t.Helper()
	if !errors.Is(err, target) {
		f.t.Fatalf("%s: got error %v, want one matching %q", what, err, target)
	}
}

// wantCounts fails unless Count at now returns want.
func (f *fixture) wantCounts(now time.Time, want session.Counts, what string) {
	f.t.Helper()
	got, err := f.store.Count(f.ctx, now)
	if err != nil {
		f.t.Fatalf("%s: Count: %v", what, err)
	}
	if got != want {
		f.t.Fatalf("%s: Count = %+v, want %+v", what, got, want)
	}
}

// rows returns every stored row, live or expired, in key order, read with List.
func (f *fixture) rows() []session.Record {
	f.t.Helper()
	const pageSize = 100
	var all []session.Record
	var after session.Key
	for {
		page, err := f.store.List(f.ctx, after, pageSize)
		if err != nil {
			f.t.Fatalf("List: %v", err)
		}
		all = append(all, page...)
		if len(page) < pageSize {
			return all
		}
		next := page[len(page)-1].Key
		if bytes.Compare(next[:], after[:]) <= 0 {
			f.t.Fatalf("List after %s returned a page ending at %s: pagination does not advance", after.Prefix(), next.Prefix())
		}
		after = next
	}
}

// wantRows fails unless the store holds exactly the rows want (in any order),
// field for field.
func (f *fixture) wantRows(want []session.Record, what string) {
	f.t.Helper()
	got := f.rows()
	f.wantKeys(keysOf(got), keysOf(want), what)
	byKey := make(map[session.Key]session.Record, len(want))
	for _, w := range want {
		byKey[w.Key] = w
	}
	for _, g := range got {
		f.wantRecord(g, byKey[g.Key], what)
	}
}

// wantKeys fails unless got and want hold the same keys, ignoring order.
func (f *fixture) wantKeys(got, want []session.Key, what string) {
	f.t.Helper()
	got, want = sortedKeys(got), sortedKeys(want)
	if !slices.Equal(got, want) {
		f.t.Fatalf("%s: keys %s, want %s", what, prefixes(got), prefixes(want))
	}
}

func keysOf(recs []session.Record) []session.Key {
	keys := make([]session.Key, len(recs))
	for i, r := range recs {
		keys[i] = r.Key
	}
	return keys
}

func sortedKeys(keys []session.Key) []session.Key {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, compareKeys)
	return keys
}

func compareKeys(a, b session.Key) int { return bytes.Compare(a[:], b[:]) }

func prefixes(keys []session.Key) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = k.Prefix()
	}
	return "[" + strings.Join(s, " ") + "]"
}

// wantRecord fails unless got equals want field by field, times compared with
// Equal so that a store may return another location.
func (f *fixture) wantRecord(got, want session.Record, what string) {
	f.t.Helper()
	var diffs []string
	differ := func(field string, g, w any) { diffs = append(diffs, fmt.Sprintf("%s = %v, want %v", field, g, w)) }
	if got.Key != want.Key {
		differ("Key", got.Key.Prefix(), want.Key.Prefix())
	}
	if got.Owner != want.Owner {
		differ("Owner", fmt.Sprintf("%q", got.Owner), fmt.Sprintf("%q", want.Owner))
	}
	if !bytes.Equal(got.Data, want.Data) {
		differ("Data", describe(got.Data), describe(want.Data))
	} else if got.Data == nil && want.Data != nil {
		differ("Data", "nil", "empty but non-nil (a nil payload cannot be saved back)")
	}
	if got.Version != want.Version {
		differ("Version", got.Version, want.Version)
	}
	for _, tf := range []struct {
		field     string
		got, want time.Time
	}{
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
		{"IdleExpiresAt", got.IdleExpiresAt, want.IdleExpiresAt},
		{"AbsoluteExpiresAt", got.AbsoluteExpiresAt, want.AbsoluteExpiresAt},
		{"PrevExpiresAt", got.PrevExpiresAt, want.PrevExpiresAt},
	} {
		if !tf.got.Equal(tf.want) {
			differ(tf.field, tf.got, tf.want)
		}
	}
	if got.PrevKey != want.PrevKey {
		differ("PrevKey", got.PrevKey.Prefix(), want.PrevKey.Prefix())
	}
	if got.PrevKind != want.PrevKind {
		differ("PrevKind", got.PrevKind, want.PrevKind)
	}
	if got.RememberMe != want.RememberMe {
		differ("RememberMe", got.RememberMe, want.RememberMe)
	}
	if got.Device != want.Device {
		differ("Device", fmt.Sprintf("%q", got.Device), fmt.Sprintf("%q", want.Device))
	}
	if got.IPPrefix != want.IPPrefix {
		differ("IPPrefix", got.IPPrefix, want.IPPrefix)
	}
	if len(diffs) > 0 {
		f.t.Fatalf("%s:\n\t%s", what, strings.Join(diffs, "\n\t"))
	}
}

// describe shows a payload briefly: sizes up to MaxDataSize make whole dumps useless.
func describe(data []byte) string {
	switch {
	case data == nil:
		return "nil"
	case len(data) <= 16:
		return fmt.Sprintf("%x", data)
	}
	return fmt.Sprintf("%d bytes %x...", len(data), data[:8])
}

// concurrently runs fn(0), ..., fn(n-1) in n goroutines released together, so
// that they overlap as much as the store allows, and waits for all of them.
func concurrently(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}
