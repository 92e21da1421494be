package storekit

import (
	"time"

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

// CheckRecord validates a record about to be created: its payload and its
// expiry times.
func CheckRecord(op string, rec *session.Record) error {
	if err := CheckData(op, rec.Data); err != nil {
		return err
	}
	if rec.IdleExpiresAt.IsZero() || rec.AbsoluteExpiresAt.IsZero() {
		return Invalid(op, "zero expiry")
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
// addressed by its current key (see CheckLive), and plain session.ErrNotFound
// for a previous key whose grace window or session has ended (an old token has
// nothing to learn about expiry).
func CheckLoaded(rec *session.Record, key session.Key, now time.Time) error {
	if rec.Key == key {
		return CheckLive(rec, now)
	}
	if rec.PrevKey != key || !now.Before(rec.PrevExpiresAt) || !rec.Live(now) {
		return session.ErrNotFound
	}
	return nil
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
