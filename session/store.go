package session

import (
	"context"
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
	// PrevKey is the key the session had before its last rotation; it still
	// loads the session until PrevExpiresAt (the grace window). Zero when the
	// session was never rotated.
	PrevKey Key
	// PrevExpiresAt is the end of PrevKey's grace window.
	PrevExpiresAt time.Time
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
// the SQL stores) and takes the current time from the caller, so that expiry is
// decided by the manager's clock, which tests can replace.
//
// Key-addressed methods accept a session's current key; Load and Delete also
// accept its previous key while that key's grace window lasts. Errors match
// ErrNotFound, ErrConflict, ErrExists, ErrInvalid, ErrTooLarge, ErrCorrupt or
// ErrUnavailable with errors.Is. The conformance suite in session/storetest
// defines the contract precisely; every store must pass it unchanged.
type Store interface {
	// Create inserts rec with Version 1, whatever rec.Version says. It never
	// overwrites: a key already in use, as a current or previous key, yields
	// ErrExists.
	Create(ctx context.Context, rec Record) error

	// Load returns the live session whose current key is key, or whose
	// previous key is key while now is before PrevExpiresAt. The returned
	// record always carries the current key. A session that exists under its
	// current key but has expired yields ErrIdleExpired or ErrAbsoluteExpired
	// (which match ErrNotFound; when both have passed, the absolute one); an
	// expired session addressed by a previous key yields plain ErrNotFound.
	Load(ctx context.Context, key Key, now time.Time) (Record, error)

	// Save writes rec.Owner and rec.Data, and moves the idle expiry forward to
	// rec.IdleExpiresAt, on the live session whose current key is rec.Key,
	// provided its version is still rec.Version. It returns the new version.
	// ErrConflict when the session is live under another version, ErrNotFound
	// when there is no live session under that current key. Save never
	// inserts: a deleted or expired session cannot come back.
	Save(ctx context.Context, rec Record, now time.Time) (int64, error)

	// Touch moves the idle expiry of the live session whose current key is key
	// forward to idleExpiresAt (never backwards, never past the absolute expiry)
	// without changing its version. ErrNotFound when there is no such session.
	Touch(ctx context.Context, key Key, idleExpiresAt, now time.Time) error

	// Rotate gives the live session whose current key is oldKey the key newKey,
	// keeping data and version, and keeps oldKey valid for loads until
	// graceUntil. A previous key cannot be rotated (ErrNotFound), so a request
	// carrying an old token can never make it current again. ErrExists when
	// newKey is taken.
	Rotate(ctx context.Context, oldKey, newKey Key, graceUntil, now time.Time) error

	// Delete removes the session whose current key, or previous key still in
	// its grace window, is key. Deleting an absent session is not an error.
	Delete(ctx context.Context, key Key, now time.Time) error

	// DeleteOwner removes every session of owner, expired ones included, except
	// the one whose current key is except (the zero Key spares none), and
	// returns how many went. An empty owner yields ErrInvalid.
	DeleteOwner(ctx context.Context, owner string, except Key) (int64, error)

	// ListOwner returns the live sessions of owner, newest first. An empty
	// owner yields ErrInvalid.
	ListOwner(ctx context.Context, owner string, now time.Time) ([]Record, error)

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
