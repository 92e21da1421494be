package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// SQLSTATE codes and classes the store maps to contract errors.
const (
	uniqueViolation = "23505"
	checkViolation  = "23514"
	// queryCanceled is statement_timeout (or a cancel request): the server did
	// not answer in time, which for a caller is an outage, not a bad request.
	queryCanceled = "57014"
	// serializationFailure and deadlockDetected abort the statement's
	// transaction: under SERIALIZABLE isolation (CockroachDB's default, or a
	// PostgreSQL database set to it), a concurrent write of the same row, or
	// a read-write dependency, fails one of the writers with them instead of
	// making it wait. Nothing was written: the statement may run again.
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	// Class 08 (connection exception), 53 (insufficient resources: too many
	// connections, disk full) and 57P (operator intervention: shutdown, crash
	// recovery, cannot connect now) mean the server cannot serve us right now.
	classConnection = "08"
	classResources  = "53"
	classOperator   = "57P"
)

// Whether a statement may run twice with the same outcome as once. Only such
// statements are retried when the server ended the connection mid-call, since
// the first attempt may in rare cases have committed before the connection
// died; statements that fail before any byte reached the server (SafeToRetry)
// are retried whatever they are.
const (
	idempotent    = true
	notIdempotent = false
)

// serializationAttempts bounds how many times a statement runs while it keeps
// failing with serializationFailure or deadlockDetected.
const serializationAttempts = 3

// run runs one statement through storekit.Run. When it failed on a
// connection the server had already dropped (pgconn.SafeToRetry: nothing was
// sent; a FATAL "terminating connection" from a server that is shutting down,
// restarting or ended the backend; or the connection simply died mid-call),
// every pooled connection is probably stale: the pool is reset so that the next
// attempt dials afresh. The statement is then retried once if that is safe:
// always after SafeToRetry, and after a FATAL only when it is repeatable
// (idempotent). One retry keeps an outage quick to surface as ErrUnavailable;
// none is made once ctx is done.
//
// A statement that failed with serializationFailure or deadlockDetected is run
// again at once, up to serializationAttempts in all, whatever it is: its
// transaction was rolled back, so a repeat cannot apply anything twice, and
// every statement is a single one whose conditions (the version check of Save,
// the key checks of Create and Rotate) decide afresh. After the last attempt
// classify reports it as a conflict.
func run[T any](s *statements, ctx context.Context, op string, repeatable bool, stmt func(context.Context) (T, error)) (T, error) {
	return storekit.Run(ctx, op, classify, func(ctx context.Context) (T, error) {
		v, err := stmt(ctx)
		if err != nil && (pgconn.SafeToRetry(err) || serverEndedConnection(err) || connectionLost(err)) {
			s.pool.Reset()
			if ctx.Err() == nil && (pgconn.SafeToRetry(err) || repeatable) {
				v, err = stmt(ctx)
			}
		}
		for try := 1; try < serializationAttempts && rolledBack(err) && ctx.Err() == nil; try++ {
			v, err = stmt(ctx)
		}
		return v, err
	})
}

// rolledBack reports a statement that the server aborted to keep
// transactions serializable (serializationFailure, deadlockDetected).
func rolledBack(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == serializationFailure || pgErr.Code == deadlockDetected)
}

// exec is run for a statement that returns nothing but its error.
func exec(s *statements, ctx context.Context, op string, repeatable bool, stmt func(context.Context) error) error {
	_, err := run(s, ctx, op, repeatable, func(ctx context.Context) (struct{}, error) { return struct{}{}, stmt(ctx) })
	return err
}

// serverEndedConnection reports an error of class 57P (admin or crash
// shutdown, cannot connect now, database dropped): the server sends these as
// FATAL and closes the connection.
func serverEndedConnection(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, classOperator)
}

// connectionLost reports a connection that died under a statement: after a
// fast server restart, the first statement on each stale pooled connection
// fails this way, not with a SafeToRetry error (measured in internal/faulttest).
func connectionLost(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}

// classify is pgstore's storekit.Classifier: it maps a pgx error to the
// contract's errors, keeping the cause reachable through errors.Is /
// errors.As. An outage never looks like "no session": pgx.ErrNoRows is the
// only error that becomes ErrNotFound.
func classify(_ context.Context, op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return session.ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == uniqueViolation:
			return fmt.Errorf("%w: %s: %w", session.ErrExists, op, err)
		case pgErr.Code == serializationFailure, pgErr.Code == deadlockDetected:
			// Still aborted after serializationAttempts: like a lost version
			// race, resolved by reloading and trying again later.
			return fmt.Errorf("%w: %s: %w", session.ErrConflict, op, err)
		case pgErr.Code == queryCanceled:
			return storekit.Unavailable(op, err)
		case pgErr.Code == checkViolation:
			return fmt.Errorf("%w: %s: %w", session.ErrInvalid, op, err)
		case strings.HasPrefix(pgErr.Code, classConnection), strings.HasPrefix(pgErr.Code, classResources),
			strings.HasPrefix(pgErr.Code, classOperator):
			return storekit.Unavailable(op, err)
		}
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	if unreachable(err) {
		return storekit.Unavailable(op, err)
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// unreachable reports whether err means the server could not be reached or
// did not answer in time, as opposed to rejecting the statement.
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) ||
		errors.As(err, &connectErr) ||
		errors.As(err, &netErr) ||
		pgconn.Timeout(err) ||
		pgconn.SafeToRetry(err)
}
