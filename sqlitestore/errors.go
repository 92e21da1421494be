package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// classify is sqlitestore's storekit.Classifier: it maps a database error to
// the contract's errors, keeping the cause reachable through errors.Is /
// errors.As. No row is ErrNotFound (the methods whose statement matched no row
// for another reason say so themselves), a uniqueness violation is a taken
// key (ErrExists) and any other constraint a malformed argument (ErrInvalid).
// Everything else is the store failing to serve: SQLITE_BUSY or
// SQLITE_LOCKED after the busy timeout, a read-only or corrupt file, a closed
// handle, a cancelled context, a missing schema. It becomes ErrUnavailable, so
// that no failure can ever look like "no session" to the caller.
func classify(ctx context.Context, op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return session.ErrNotFound
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%w: %s: %w", session.ErrExists, op, err)
		}
		if sqliteErr.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
			return fmt.Errorf("%w: %s: %w", session.ErrInvalid, op, err)
		}
	}
	// The driver reports a statement interrupted by cancellation as
	// SQLITE_INTERRUPT; keep the context's reason reachable too.
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = errors.Join(ctxErr, err)
	}
	return storekit.Unavailable(op, err)
}
