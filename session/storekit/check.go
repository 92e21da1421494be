package storekit

import (
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sessiongen/sessiongen/session"
)

// The checks below apply the contract's argument rules, so that every store
// refuses the same arguments with the same errors. Each takes the operation
// name for its error message.

// CheckData validates a payload about to be stored: nil is
// session.ErrInvalid, more than session.MaxDataSize bytes session.ErrTooLarge.
func CheckData(op string, data []byte) error {
	if data == nil {
		return Invalid(op, "nil data")
	}
	if len(data) > session.MaxDataSize {
		return session.ErrTooLarge
	}
	return nil
}

// CheckRecord validates a record about to be created: its payload, its
// expiry times and its sign-in details.
func CheckRecord(op string, rec *session.Record) error {
	if err := CheckData(op, rec.Data); err != nil {
		return err
	}
	if rec.IdleExpiresAt.IsZero() || rec.AbsoluteExpiresAt.IsZero() {
		return Invalid(op, "zero expiry")
	}
	return checkSignIn(op, rec.Device, rec.IPPrefix)
}

// CheckRotation validates the rotation argument of Store.Rotate: a known
// kind, a window end, and its sign-in details.
func CheckRotation(op string, r *session.Rotation) error {
	if r.Kind != session.PrivilegeRotation && r.Kind != session.RefreshRotation {
		return Invalid(op, "unknown rotation kind "+r.Kind.String())
	}
	if r.Until.IsZero() {
		return Invalid(op, "zero window end")
	}
	return checkSignIn(op, r.Device, r.IPPrefix)
}

// checkSignIn validates what a session records about the client that signed
// in: a device summary of at most session.MaxDeviceSize bytes of UTF-8
// without control characters (it is shown to people and written to logs),
// and a network prefix that is either the zero Prefix or valid and masked (so
// that it has one spelling and never carries host bits beyond its length).
func checkSignIn(op, device string, prefix netip.Prefix) error {
	if len(device) > session.MaxDeviceSize || !utf8.ValidString(device) || strings.IndexFunc(device, unicode.IsControl) >= 0 {
		return Invalid(op, "device summary longer than session.MaxDeviceSize, not UTF-8, or with control characters")
	}
	if prefix != (netip.Prefix{}) && (!prefix.IsValid() || prefix != prefix.Masked()) {
		return Invalid(op, "IP prefix not valid and masked")
	}
	return nil
}

// CheckKeep validates the keep argument of Store.TrimOwner.
func CheckKeep(op string, keep int) error {
	if keep < 0 {
		return Invalid(op, "keep must not be negative")
	}
	return nil
}

// CheckOwner validates the owner argument of the owner-addressed methods.
func CheckOwner(op, owner string) error {
	if owner == "" {
		return Invalid(op, "empty owner")
	}
	return nil
}

// CheckLease validates the arguments of session.Leaser.AcquireLease.
func CheckLease(op, name, holder string, ttl time.Duration) error {
	if name == "" || holder == "" || ttl <= 0 {
		return Invalid(op, "empty name or holder, or non-positive ttl")
	}
	return nil
}

// CheckLimit validates a batch or page size.
func CheckLimit(op string, limit int) error {
	if limit <= 0 {
		return Invalid(op, "limit must be positive")
	}
	return nil
}

// CheckLoaded decides what Load returns for rec, a row found under key, which
// may be its current or its previous key: nil when the session is usable,
// session.ErrIdleExpired or session.ErrAbsoluteExpired for an expired session
// addressed by its current key (see CheckLive), session.ErrSuperseded for the
// previous key of a privilege rotation during its window, and plain
// session.ErrNotFound for a previous key whose window or session has ended
// (an old token has nothing to learn about expiry).
func CheckLoaded(rec *session.Record, key session.Key, now time.Time) error {
	if rec.Key == key {
		return CheckLive(rec, now)
	}
	if !InWindow(rec, key, now) {
		return session.ErrNotFound
	}
	if rec.PrevKind != session.RefreshRotation {
		return session.ErrSuperseded
	}
	return nil
}

// InWindow reports whether key is rec's previous key, its window has not
// ended at now, and the session is live: whether the previous key is still
// recognised, as a grace key or as a tombstone.
func InWindow(rec *session.Record, key session.Key, now time.Time) bool {
	return !key.IsZero() && rec.PrevKey == key && now.Before(rec.PrevExpiresAt) && rec.Live(now)
}

// DeletedBy reports whether Delete(key) at now removes rec: always by its
// current key, by its previous key only during the window of a refresh
// rotation (a tombstone deletes nothing).
func DeletedBy(rec *session.Record, key session.Key, now time.Time) bool {
	return rec.Key == key || (rec.PrevKind == session.RefreshRotation && InWindow(rec, key, now))
}

// Loaded returns what Load returns, given row, the row a store's statement
// found under key (or err, the statement's error): the record convert makes
// of it when CheckLoaded lets it through, the zero Record and an error
// otherwise.
func Loaded[Row any](row Row, err error, convert func(op string, row Row) (session.Record, error), key session.Key, now time.Time) (session.Record, error) {
	if err != nil {
		return session.Record{}, err
	}
	rec, err := convert(OpLoad, row)
	if err == nil {
		err = CheckLoaded(&rec, key, now)
	}
	if err != nil {
		return session.Record{}, err
	}
	return rec, nil
}

// CheckLive returns nil when rec is live at now, session.ErrAbsoluteExpired or
// session.ErrIdleExpired (both match session.ErrNotFound) when it is not; when
// both have passed, the absolute one.
func CheckLive(rec *session.Record, now time.Time) error {
	switch {
	case !now.Before(rec.AbsoluteExpiresAt):
		return session.ErrAbsoluteExpired
	case !now.Before(rec.IdleExpiresAt):
		return session.ErrIdleExpired
	}
	return nil
}
