package session

import (
	"context"
	"net/netip"
	"strconv"
	"time"
)

// Record is one stored session as a Store sees it.
type Record struct {
	// Key is the SHA-256 of the session's current token.
	Key Key
	// Owner is the user the session belongs to, "" for an anonymous session. It is
	// indexed so that a user's sessions can be listed and revoked together.
	Owner string
	// Data is the msgpack encoding of the session struct.
	Data []byte
	// Version counts saves; it starts at 1 and Save increments it. It is the
	// optimistic-concurrency token: a save names the version it loaded.
	Version int64
	// CreatedAt is when the session was created.
	CreatedAt time.Time
	// IdleExpiresAt is when the session expires unless touched. Stores keep it at
	// or before AbsoluteExpiresAt and never move it backwards.
	IdleExpiresAt time.Time
	// AbsoluteExpiresAt is the hard end of the session, however active it is.
	AbsoluteExpiresAt time.Time
	// PrevKey is the key the session had before its last rotation. Until
	// PrevExpiresAt it is recognised: as a grace key after a RefreshRotation
	// (it still loads the session) or as a tombstone after a
	// PrivilegeRotation (Load answers ErrSuperseded). Zero when the session
	// was never rotated.
	PrevKey Key
	// PrevExpiresAt is the end of PrevKey's window.
	PrevExpiresAt time.Time
	// PrevKind is the kind of the rotation that retired PrevKey: what PrevKey
	// still does. It is the zero PrivilegeRotation when PrevKey is zero.
	PrevKind RotationKind

	// RememberMe makes the session's cookie persistent (it outlives the
	// browser's session, up to AbsoluteExpiresAt) for this session only.
	// Create, Rotate and Save write it.
	RememberMe bool
	// Device is a short description of the browser and system that signed
	// in ("Firefox on Linux"): at most MaxDeviceSize bytes of UTF-8, "" when
	// unknown. Create and Rotate write it.
	Device string
	// IPPrefix is the network the client signed in from: its address
	// truncated to a prefix (never a whole address), in canonical masked
	// form; the zero Prefix when unknown. Create and Rotate write it.
	IPPrefix netip.Prefix
}

// MaxDeviceSize bounds Record.Device: a summary such as "Chrome 131 on
// Android 15", never a whole User-Agent header.
const MaxDeviceSize = 128

// RotationKind says what a rotated-away key still does during its window.
// A session keeps the kind of its last rotation with its previous key
// (Record.PrevKind).
type RotationKind uint8

const (
	// PrivilegeRotation is the rotation on a change of privilege: a login, the
	// logout of an elevated mode, any change of owner (Session.Rotate). Its
	// previous key is a tombstone until its window ends: Load by it answers
	// ErrSuperseded and returns nothing, Delete by it deletes nothing, and it
	// can rotate or save nothing. A token planted or seen before the login is
	// worth nothing after it, and requests still in flight with it are told
	// apart from an unknown token, so that the runtime does not clear the
	// browser's new cookie in their response. It is the zero value: a record
	// whose kind was lost errs on the safe side.
	PrivilegeRotation RotationKind = iota
	// RefreshRotation replaces the token with no change of privilege
	// (Session.RefreshToken). Its previous key keeps loading the session
	// until its window ends, so that requests already in flight with it
	// still work.
	RefreshRotation
)

// String returns "privilege" or "refresh".
func (k RotationKind) String() string {
	switch k {
	case PrivilegeRotation:
		return "privilege"
	case RefreshRotation:
		return "refresh"
	}
	return "RotationKind(" + strconv.Itoa(int(k)) + ")"
}

// Rotation is what Store.Rotate writes besides the new key.
type Rotation struct {
	// Kind is what the old key does until Until: see RotationKind.
	Kind RotationKind
	// Until ends the old key's window: then it is unknown (ErrNotFound).
	Until time.Time
	// RememberMe, Device and IPPrefix replace the session's own: a rotation
	// is a new sign-in, perhaps from another network.
	RememberMe bool
	Device     string
	IPPrefix   netip.Prefix
}

// Live reports whether the record is neither idle- nor absolute-expired at now.
// A record is expired from the instant its expiry is reached.
func (r *Record) Live(now time.Time) bool {
	return now.Before(r.IdleExpiresAt) && now.Before(r.AbsoluteExpiresAt)
}

// Counts is the result of Store.Count.
type Counts struct {
	// Live is the number of sessions that load at the given time.
	Live int64
	// Expired is the number of rows that await cleanup.
	Expired int64
}

// Store persists sessions. Every method is one round trip (one SQL statement for
// the SQL stores) unless its paragraph says otherwise, and takes the current
// time from the caller, so that expiry is decided by the manager's clock, which
// tests can replace.
//
// Key-addressed methods accept a session's current key; Load and Delete also
// accept a previous key during its window, as its RotationKind allows. Errors
// match ErrNotFound, ErrSuperseded, ErrConflict, ErrExists, ErrInvalid,
// ErrTooLarge, ErrCorrupt or ErrUnavailable with errors.Is. The conformance
// suite in session/storetest defines the contract precisely; every store must
// pass it unchanged.
type Store interface {
	// Create inserts rec with Version 1, whatever rec.Version says, and no
	// previous key. It writes every other field, RememberMe, Device and
	// IPPrefix included. It never overwrites: a key already in use, as a
	// current or previous key (tombstones included), yields ErrExists.
	Create(ctx context.Context, rec Record) error

	// Load returns the live session whose current key is key, or whose
	// previous key is key while now is before PrevExpiresAt and PrevKind is
	// RefreshRotation. The returned record always carries the current key. A
	// previous key of a PrivilegeRotation during its window yields
	// ErrSuperseded (which does not match ErrNotFound) and no record. A
	// session that exists under its current key but has expired yields
	// ErrIdleExpired or ErrAbsoluteExpired (which match ErrNotFound; when both
	// have passed, the absolute one); an expired session addressed by a
	// previous key, or a previous key after its window, yields plain
	// ErrNotFound.
	Load(ctx context.Context, key Key, now time.Time) (Record, error)

	// Save writes rec.Owner, rec.Data and rec.RememberMe, and moves the idle
	// expiry forward to rec.IdleExpiresAt, on the live session whose current
	// key is rec.Key, provided its version is still rec.Version. It returns
	// the new version. ErrConflict when the session is live under another
	// version, ErrNotFound when there is no live session under that current
	// key. Save never inserts: a deleted or expired session cannot come back.
	Save(ctx context.Context, rec Record, now time.Time) (int64, error)

	// Touch moves the idle expiry of the live session whose current key is key
	// forward to idleExpiresAt (never backwards, never past the absolute expiry)
	// without changing its version. ErrNotFound when there is no such session.
	Touch(ctx context.Context, key Key, idleExpiresAt, now time.Time) error

	// Rotate gives the live session whose current key is oldKey the key newKey,
	// keeping owner, data, version, creation and expiry, and makes oldKey its
	// previous key of kind r.Kind until r.Until (replacing any earlier
	// previous key, which becomes unknown). It writes r.RememberMe, r.Device
	// and r.IPPrefix. A previous key cannot be rotated (ErrNotFound), so a
	// request carrying an old token can never make it current again.
	// ErrExists when newKey is taken.
	Rotate(ctx context.Context, oldKey, newKey Key, r Rotation, now time.Time) error

	// Delete removes the session whose current key is key, or whose previous
	// key is key during its window when PrevKind is RefreshRotation. A
	// tombstone (a PrivilegeRotation's previous key) deletes nothing.
	// Deleting an absent session is not an error.
	Delete(ctx context.Context, key Key, now time.Time) error

	// DeleteOwner removes every session of owner, expired ones included, except
	// the one whose current key is except (the zero Key spares none), and
	// returns how many went. An empty owner yields ErrInvalid.
	DeleteOwner(ctx context.Context, owner string, except Key) (int64, error)

	// DeleteOwned removes the live session whose current key is key, provided
	// its owner is owner, in one step: "log out that device" without listing
	// the owner's sessions first. ErrNotFound when no live session of owner
	// has that current key (it may belong to someone else: nothing is
	// deleted). An empty owner yields ErrInvalid.
	DeleteOwned(ctx context.Context, owner string, key Key, now time.Time) error

	// TrimOwner enforces a cap on an owner's sessions: it removes every
	// session of owner except the one whose current key is except and the
	// keep most recently used others that are live, and returns how many
	// went. Recency is the idle expiry (the last save or touch plus the idle
	// timeout), later first, then CreatedAt, newer first, then key order;
	// expired sessions are removed whatever keep says. keep may be 0. An
	// empty owner or a negative keep yields ErrInvalid.
	TrimOwner(ctx context.Context, owner string, except Key, keep int, now time.Time) (int64, error)

	// ListOwner returns up to limit live sessions of owner, newest (CreatedAt)
	// first, key order breaking ties. Records carry every field but Data,
	// which is nil: a device list reads metadata only, however large the
	// sessions are. An empty owner or a non-positive limit yields ErrInvalid.
	ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]Record, error)

	// List returns up to limit sessions, live or expired, whose current key
	// sorts after after, in key order: keyset pagination for admin tools.
	// Start from the zero Key; continue from the last key returned.
	List(ctx context.Context, after Key, limit int) ([]Record, error)

	// Count returns how many sessions are live and how many are expired at now.
	Count(ctx context.Context, now time.Time) (Counts, error)

	// DeleteExpired deletes up to limit sessions whose idle expiry lies in
	// [from, now], earliest first, and returns how many went and the latest
	// expiry it deleted. Pass that expiry as the next call's from (keyset
	// pagination: the index is never rescanned from its start); a batch smaller
	// than limit means nothing expired is left.
	DeleteExpired(ctx context.Context, from, now time.Time, limit int) (deleted int, last time.Time, err error)
}

// Leaser is implemented by stores that can elect a single cleanup leader across
// processes and hosts. It uses a lease row, not advisory locks, so that it works
// on every database that speaks the store's SQL (CockroachDB's advisory locks are
// no-ops).
type Leaser interface {
	// AcquireLease takes the lease called name for holder until now+ttl, or
	// renews it when holder already has it. It returns false, with no error,
	// while another holder's lease is unexpired.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)

	// ReleaseLease gives up holder's lease called name; releasing a lease held
	// by someone else, or by no one, does nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
}
