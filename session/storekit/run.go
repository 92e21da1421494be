package storekit

import "context"

// A Classifier maps an error that a store's driver returned for operation op
// to the contract's errors (session.ErrExists, session.ErrUnavailable, ...),
// keeping the cause reachable through errors.Is and errors.As. It must never
// turn an outage into session.ErrNotFound: a caller would take it for "no
// session". ctx is the call's context, for drivers that report a cancelled
// statement without saying so.
type Classifier func(ctx context.Context, op string, err error) error

// Run runs one store statement the way every store does: it refuses a done
// context before any work (an error matching session.ErrUnavailable and the
// context's error), calls stmt, and passes a failure through classify. A nil
// classify leaves errors as stmt returned them, for stores whose statements
// already speak the contract (memstore). The result is stmt's, also on error.
func Run[T any](ctx context.Context, op string, classify Classifier, stmt func(context.Context) (T, error)) (T, error) {
	if err := CheckContext(ctx, op); err != nil {
		var zero T
		return zero, err
	}
	v, err := stmt(ctx)
	if err != nil && classify != nil {
		err = classify(ctx, op, err)
	}
	return v, err
}

// Exec is Run for a statement that returns nothing but its error (or that
// leaves its result in variables it captured).
func Exec(ctx context.Context, op string, classify Classifier, stmt func(context.Context) error) error {
	if err := CheckContext(ctx, op); err != nil {
		return err
	}
	err := stmt(ctx)
	if err != nil && classify != nil {
		err = classify(ctx, op, err)
	}
	return err
}

// CheckContext returns an error matching session.ErrUnavailable and ctx.Err()
// when ctx is already done, so that every store refuses a cancelled call the
// same way before doing any work. Run and Exec call it; a store calls it
// itself only for work it does outside them.
func CheckContext(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return Unavailable(op, err)
	}
	return nil
}
