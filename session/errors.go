package session

import (
	"context"
	"errors"
	"fmt"
)

// Errors returned by stores and the manager. Test for them with errors.Is: stores
// wrap them with the operation and the underlying cause.
var (
	// ErrNotFound means no live session has that key: it never existed, it was
	// deleted, or its idle or absolute expiry has passed.
	ErrNotFound = errors.New("session: not found or expired")

	// ErrIdleExpired and ErrAbsoluteExpired are what Load returns for a session
	// that exists but has expired. Both match ErrNotFound with errors.Is; they
	// exist so that logs and metrics can tell the two apart.
	ErrIdleExpired     error = &expiredError{"idle timeout passed"}
	ErrAbsoluteExpired error = &expiredError{"absolute lifetime passed"}

	// ErrSuperseded means the key was retired by a privilege rotation (a
	// login, a logout of an elevated mode, a change of owner) moments ago: the
	// session lives on under a new key that the caller does not hold. It
	// grants nothing. It does not match ErrNotFound, because the browser that
	// sent the old token has most likely received the new one already: the
	// runtime must neither clear nor replace its cookie in this response.
	ErrSuperseded = errors.New("session: token superseded by a privilege rotation")

	// ErrConflict means a Save lost an optimistic-concurrency race: the stored
	// version is not the one the caller loaded. From the manager it comes as a
	// *ConflictError (two requests changed a merge=error field) or a
	// *ContentionError (the save kept losing races to other processes).
	ErrConflict = errors.New("session: version conflict")

	// ErrExists means Create or Rotate found the key already taken. Stores never
	// overwrite an existing row to create one.
	ErrExists = errors.New("session: key already exists")

	// ErrUnavailable means the store could not be reached or did not answer in
	// time (connection refused, timeout, cancelled context). It never means "no
	// session": callers must not treat it as an anonymous visitor.
	ErrUnavailable = errors.New("session: store unavailable")

	// ErrCanceled is what the manager returns instead of a store's error when
	// the request's context was canceled (the client went away) before the
	// store answered: nothing is wrong with the store, so it matches neither
	// ErrUnavailable nor any other store error, only context.Canceled. It is
	// logged at debug level and never counted as store_unavailable. A passed
	// deadline is not a cancellation: it stays ErrUnavailable, an outage signal.
	ErrCanceled = errors.New("session: request canceled")

	// ErrTooLarge means a payload exceeds MaxDataSize.
	ErrTooLarge = errors.New("session: data too large")

	// ErrInvalid means an argument is malformed: a key of the wrong length, nil
	// data, an empty owner where one is required, a non-positive batch size.
	ErrInvalid = errors.New("session: invalid argument")

	// ErrCorrupt means a stored row could not be read back (bad key length,
	// undecodable payload). The row is left in place for inspection.
	ErrCorrupt = errors.New("session: corrupt record")
)

// MaxDataSize is the largest encoded session payload a store accepts (1 MiB).
// Sessions are meant to hold identifiers and small state, not documents; the
// bound keeps one visitor from bloating rows and every request that reads them.
const MaxDataSize = 1 << 20

// unavailable wraps cause as an ErrUnavailable for operation op, keeping cause
// reachable through errors.Is / errors.As. Stores build the same error with
// storekit.Unavailable (storekit imports this package, not the reverse).
func unavailable(op string, cause error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, cause)
}

// invalid returns an ErrInvalid describing what was wrong with an argument.
func invalid(op, reason string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, op, reason)
}

// ConflictError is returned by the manager when two requests changed the same
// field and that field's merge policy (session:"...,merge=error") forbids
// choosing a winner. It matches ErrConflict with errors.Is.
type ConflictError struct {
	// Fields holds the wire keys of the fields both requests changed.
	Fields []string
}

// Error implements error.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("session: conflicting changes to %v", e.Fields)
}

// Is makes errors.Is(err, ErrConflict) true for a *ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// ContentionError is returned by the manager when a save kept losing version
// races to writers in other processes (within one process, saves of a session
// queue instead of racing) until MaxRetries or until one more attempt would
// pass the request's deadline. Nothing was written: the request may be
// repeated, which DefaultErrorHandler says with 503 and Retry-After. It
// matches ErrConflict with errors.Is.
type ContentionError struct {
	// Retries is how many reload-merge-save rounds ran before giving up.
	Retries int
	// Reason says what stopped the retries.
	Reason string
}

// Error implements error.
func (e *ContentionError) Error() string {
	return fmt.Sprintf("session: version conflict: %s after %d retries", e.Reason, e.Retries)
}

// Is makes errors.Is(err, ErrConflict) true for a *ContentionError.
func (e *ContentionError) Is(target error) bool { return target == ErrConflict }

// canceledError is a failure of a request whose client went away: it keeps
// the message of what failed, but none of its error classes.
type canceledError struct{ msg string }

// Error implements error.
func (e *canceledError) Error() string { return "session: request canceled: " + e.msg }

// Is makes errors.Is true for ErrCanceled and context.Canceled only.
func (e *canceledError) Is(target error) bool {
	return target == ErrCanceled || target == context.Canceled
}

// canceled returns an outage error (ErrUnavailable, or a bare context error)
// as a cancellation when ctx was canceled rather than timed out: a store call
// or a wait cut short because the client went away says nothing about the
// store. Other errors (not found, conflict, ...) keep their meaning.
func canceled(ctx context.Context, err error) error {
	if err == nil || !errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, ErrCanceled) {
		return err
	}
	if !errors.Is(err, ErrUnavailable) && !errors.Is(err, context.Canceled) {
		return err
	}
	return &canceledError{msg: err.Error()}
}

// expiredError is a not-found error that also says why.
type expiredError struct{ why string }

// Error implements error.
func (e *expiredError) Error() string { return "session: expired: " + e.why }

// Is reports whether target is the sentinel this error matches.
func (e *expiredError) Is(target error) bool { return target == ErrNotFound }
