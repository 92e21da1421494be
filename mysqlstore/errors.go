package mysqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Server error numbers the store maps to contract errors. MariaDB and MySQL
// share them except where noted.
const (
	errDupEntry = 1062
	// The server rolled the statement back: in autocommit, nothing of it
	// remains, so running it again is safe whatever it is.
	errLockDeadlock    = 1213
	errLockWaitTimeout = 1205
	// A value the schema refuses: a NULL, a too-long owner, a failed CHECK
	// (MariaDB 4025, MySQL 3819).
	errBadNull          = 1048
	errDataTooLong      = 1406
	errCheckMariaDB     = 4025
	errCheckMySQL       = 3819
	errOutOfRangeColumn = 1264
)

// unavailableErrors are server errors that mean the server cannot serve us
// right now, as opposed to refusing the statement.
var unavailableErrors = map[uint16]bool{
	1040: true, // too many connections
	1203: true, // user has too many connections
	1226: true, // a user resource limit was reached
	1044: true, // access denied to the database (while connecting)
	1045: true, // access denied for the user (while connecting)
	1049: true, // unknown database (while connecting)
	1021: true, // disk full
	1041: true, // out of memory
	1053: true, // server shutdown in progress
	1152: true, // connection aborted
	1184: true, // connection aborted
	1158: true, // network read error
	1159: true, // network read timeout
	1160: true, // network write error
	1161: true, // network write timeout
	1290: true, // --read-only (a demoted primary during failover)
	1792: true, // read-only transaction
	1836: true, // read-only mode
	1317: true, // statement interrupted (KILL QUERY)
	1927: true, // connection killed
	1969: true, // MariaDB max_statement_time exceeded
	3024: true, // MySQL max_execution_time exceeded
	4031: true, // MySQL closed the connection as idle
}

// connectionErrors are the server errors that also end the connection: the
// statement may or may not have run.
var connectionErrors = map[uint16]bool{1053: true, 1152: true, 1184: true, 1927: true, 4031: true}

// Whether a statement may run twice with the same outcome as once. Only such
// statements are retried when the connection died under them, since the first
// attempt may have committed before it did. Statements the server rolled back
// (deadlock, lock-wait timeout) are retried whatever they are.
const (
	idempotent    = true
	notIdempotent = false
)

// maxAttempts bounds the runs of one statement: a deadlock victim or a
// statement on a dead connection gets two more tries, each after a short
// random pause so that the statements that collided do not collide again.
const maxAttempts = 3

// run runs one statement through storekit.Run (which refuses a done context
// and classifies the final error), running it again when that is safe (see
// retryable).
func run[T any](s *statements, ctx context.Context, op string, repeatable bool, stmt func(context.Context) (T, error)) (T, error) {
	return storekit.Run(ctx, op, classify, func(ctx context.Context) (T, error) {
		for attempt := 1; ; attempt++ {
			v, err := stmt(ctx)
			if err == nil || attempt == maxAttempts || !retryable(err, repeatable) || !pause(ctx, attempt) {
				return v, err
			}
			if s.retried != nil {
				s.retried(op, err)
			}
		}
	})
}

// exec is run for a statement that returns nothing but its error.
func exec(s *statements, ctx context.Context, op string, repeatable bool, stmt func(context.Context) error) error {
	_, err := run(s, ctx, op, repeatable, func(ctx context.Context) (struct{}, error) { return struct{}{}, stmt(ctx) })
	return err
}

// retryable reports whether a failed statement may run again: always when the
// server rolled it back (a deadlock victim, a lock-wait timeout), and when the
// connection died under it only if it is idempotent. A statement that failed
// before any byte was sent (driver.ErrBadConn) has been retried by
// database/sql already, on another connection.
func retryable(err error, repeatable bool) bool {
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch {
		case myErr.Number == errLockDeadlock, myErr.Number == errLockWaitTimeout:
			return true
		case connectionErrors[myErr.Number]:
			return repeatable
		}
		return false
	}
	return repeatable && connectionLost(err)
}

// pause waits a random time that grows with attempt, and reports false when
// ctx ends first.
func pause(ctx context.Context, attempt int) bool {
	d := time.Duration(rand.Int64N(int64(time.Millisecond) << attempt))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// connectionLost reports a connection that died under a statement: after a
// server restart or a killed connection the first statement on it fails this
// way.
func connectionLost(err error) bool {
	return errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, sql.ErrConnDone)
}

// classify is mysqlstore's storekit.Classifier: it maps a driver error to the
// contract's errors, keeping the cause reachable through errors.Is /
// errors.As. An outage never looks like "no session": sql.ErrNoRows is the
// only error that becomes ErrNotFound.
func classify(_ context.Context, op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return session.ErrNotFound
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch n := myErr.Number; {
		case n == errDupEntry:
			return fmt.Errorf("%w: %s: %w", session.ErrExists, op, err)
		case n == errBadNull, n == errDataTooLong, n == errCheckMariaDB, n == errCheckMySQL, n == errOutOfRangeColumn:
			return fmt.Errorf("%w: %s: %w", session.ErrInvalid, op, err)
		case n == errLockDeadlock, n == errLockWaitTimeout, unavailableErrors[n]:
			// Contention that outlasted the retries is the store failing
			// to serve in time, like an outage.
			return storekit.Unavailable(op, err)
		}
		return fmt.Errorf("mysqlstore: %s: %w", op, err)
	}
	// Not the server refusing the statement: the connection failed (refused,
	// lost, timed out), ctx ended, or the store was closed.
	return storekit.Unavailable(op, err)
}
