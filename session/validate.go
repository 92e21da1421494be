package session

import (
	"context"
	"time"
)

// The helpers below are for Store implementations, so that every store applies
// the same argument rules and reports them with the same errors.

// CheckData validates a payload about to be stored.
func CheckData(op string, data []byte) error {
	if data == nil {
		return Invalid(op, "nil data")
	}
	if len(data) > MaxDataSize {
		return ErrTooLarge
	}
	return nil
}

// CheckRecord validates a record about to be created or saved: its payload and
// its expiry times.
func CheckRecord(op string, rec *Record) error {
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

// CheckLease validates the arguments of Leaser.AcquireLease.
func CheckLease(op, name, holder string, ttl time.Duration) error {
	if name == "" || holder == "" || ttl <= 0 {
		return Invalid(op, "empty name or holder, or non-positive ttl")
	}
	return nil
}

// CheckLoaded decides what Load returns for rec, a row found under key, which
// may be its current or its previous key: nil when the session is usable,
// ErrIdleExpired or ErrAbsoluteExpired for an expired session addressed by its
// current key, and plain ErrNotFound for a previous key whose grace window or
// session has ended (an old token has nothing to learn about expiry).
func (r *Record) CheckLoaded(key Key, now time.Time) error {
	if r.Key == key {
		return r.CheckLive(now)
	}
	if r.PrevKey != key || !now.Before(r.PrevExpiresAt) || !r.Live(now) {
		return ErrNotFound
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

// CheckContext returns an ErrUnavailable wrapping ctx.Err() when ctx is already
// done, so that every store refuses a cancelled call the same way before doing
// any work.
func CheckContext(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return Unavailable(op, err)
	}
	return nil
}
