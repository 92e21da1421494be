package cleanup

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/pgstore"
)

// ctidStore is pgstore with a proposed DeleteExpired: the batch is picked by
// the expiry index as before, but deleted by physical row id (a TID scan)
// instead of joining back on the primary key. Measured here because the
// planner turns the key join into a hash join over a sequential scan of the
// whole table for batches in the thousands (docs/bench/cleanup.md).
//
// Safety is unchanged: a row that a concurrent Save or Touch updated between
// the pick and the delete has a new row id, so the delete skips it, and the
// expiry is re-checked on the row that is deleted.
type ctidStore struct {
	*pgstore.Store
	pool *pgxpool.Pool
}

const deleteExpiredByCtid = `
WITH deleted AS (
    DELETE FROM sessiongen_sessions
     WHERE ctid = ANY (ARRAY(
               SELECT d.ctid FROM sessiongen_sessions d
                WHERE d.idle_expires_at >= $1 AND d.idle_expires_at <= $2
                ORDER BY d.idle_expires_at
                LIMIT $3))
       AND idle_expires_at <= $2
    RETURNING idle_expires_at
)
SELECT count(*), COALESCE(max(idle_expires_at), $1) FROM deleted`

// DeleteExpired implements session.Store.
func (s ctidStore) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	var (
		n    int
		last time.Time
	)
	err := s.pool.QueryRow(ctx, deleteExpiredByCtid, from, now, limit).Scan(&n, &last)
	return n, last.UTC(), err
}
