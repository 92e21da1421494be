package mysqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/session"
)

// Every server error and connection failure the store can meet maps to the
// contract error a caller can act on, and only the ones that are safe to run
// again are retried: a statement the server rolled back (deadlock, lock-wait
// timeout) always, one whose connection died only when it is idempotent.
// The real servers produce these in the other tests (a duplicate key in the
// conformance suite, lost connections in internal/faulttest); deadlocks and
// lock-wait timeouts cannot be produced on demand against single-statement
// autocommit writes, so their handling is pinned here.
func TestErrorClasses(t *testing.T) {
	serverErr := func(n uint16) error { return fmt.Errorf("exec: %w", &mysql.MySQLError{Number: n, Message: "m"}) }
	for _, tc := range []struct {
		name              string
		err               error
		want              error
		retried, retriedN bool // retried when idempotent, when not
	}{
		{"no rows", sql.ErrNoRows, session.ErrNotFound, false, false},
		{"duplicate key", serverErr(1062), session.ErrExists, false, false},
		{"column cannot be null", serverErr(1048), session.ErrInvalid, false, false},
		{"data too long", serverErr(1406), session.ErrInvalid, false, false},
		{"out of range", serverErr(1264), session.ErrInvalid, false, false},
		{"CHECK failed (MariaDB)", serverErr(4025), session.ErrInvalid, false, false},
		{"CHECK failed (MySQL)", serverErr(3819), session.ErrInvalid, false, false},
		{"deadlock", serverErr(1213), session.ErrUnavailable, true, true},
		{"lock-wait timeout", serverErr(1205), session.ErrUnavailable, true, true},
		{"server shutting down", serverErr(1053), session.ErrUnavailable, true, false},
		{"connection killed", serverErr(1927), session.ErrUnavailable, true, false},
		{"read-only server", serverErr(1290), session.ErrUnavailable, false, false},
		{"too many connections", serverErr(1040), session.ErrUnavailable, false, false},
		{"statement timeout (MariaDB)", serverErr(1969), session.ErrUnavailable, false, false},
		{"statement timeout (MySQL)", serverErr(3024), session.ErrUnavailable, false, false},
		{"connection lost", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), session.ErrUnavailable, true, false},
		{"invalid connection", mysql.ErrInvalidConn, session.ErrUnavailable, true, false},
		{"bad connection", driver.ErrBadConn, session.ErrUnavailable, true, false},
		{"store closed", errors.New("sql: database is closed"), session.ErrUnavailable, false, false},
		{"context ended", context.DeadlineExceeded, session.ErrUnavailable, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(context.Background(), "op", tc.err)
			if !errors.Is(got, tc.want) {
				t.Errorf("classify(%v) = %v, want %v", tc.err, got, tc.want)
			}
			if tc.want != session.ErrNotFound && errors.Is(got, session.ErrNotFound) {
				t.Errorf("classify(%v) = %v: an error other than no rows reads as not found", tc.err, got)
			}
			if tc.err != sql.ErrNoRows && !errors.Is(got, tc.err) {
				t.Errorf("classify(%v) = %v: the cause is not reachable with errors.Is", tc.err, got)
			}
			if r := retryable(tc.err, idempotent); r != tc.retried {
				t.Errorf("retryable(%v, idempotent) = %v, want %v", tc.err, r, tc.retried)
			}
			if r := retryable(tc.err, notIdempotent); r != tc.retriedN {
				t.Errorf("retryable(%v, not idempotent) = %v, want %v", tc.err, r, tc.retriedN)
			}
		})
	}
}
