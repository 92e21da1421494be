package session

import "context"

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
