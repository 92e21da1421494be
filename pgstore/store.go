// Package pgstore is the PostgreSQL session.Store, built on a *pgxpool.Pool and
// the SQL in queries/postgres (compiled by sqlc into gen/pgdb).
//
// Every method is one SQL statement: no transaction spans a request. The schema
// comes from schema/postgres; apply it with Migrate (or the sessiongen CLI)
// before use. docs/SCHEMA.md explains the table and its indexes.
package pgstore

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Store is a session.Store and session.Leaser on PostgreSQL. It is safe for
// concurrent use; it holds no state besides the pool.
type Store struct {
	storekit.Checked // the contract's argument rules, then the statements
}

var (
	_ session.Store  = (*Store)(nil)
	_ session.Leaser = (*Store)(nil)
)

// New returns a store on pool. The pool keeps pgx's default exec mode (cached
// prepared statements), the fastest for these short, repeated statements.
//
// Size the pool for writes: pgxpool's default of max(4, CPUs) connections
// caps concurrent Saves, whose commits PostgreSQL can only flush together
// when they are in flight together. NewPool and ParsePoolConfig give a pool
// DefaultMaxConns connections unless the connection string sets
// pool_max_conns; docs/OPERATIONS.md ("Sizing the PostgreSQL pool") has the
// measurements.
func New(pool *pgxpool.Pool) *Store {
	return &Store{storekit.Check(&statements{pool: pool, q: pgdb.New(rawScanDB{pool})})}
}

// statements runs the store's SQL, one statement per method (sessions.go,
// admin.go, lease.go), each through run (errors.go).
type statements struct {
	pool *pgxpool.Pool
	q    *pgdb.Queries
}

// toRecord converts a row read by operation op, refusing keys of the wrong
// length (ErrCorrupt).
func toRecord(op string, row pgdb.SessiongenSession) (session.Record, error) {
	rec := session.Record{
		Data:              row.Data,
		Version:           row.Version,
		CreatedAt:         row.CreatedAt.UTC(),
		IdleExpiresAt:     row.IdleExpiresAt.UTC(),
		AbsoluteExpiresAt: row.AbsoluteExpiresAt.UTC(),
		RememberMe:        row.RememberMe,
		Device:            row.Device,
	}
	if err := storekit.StoredIdentity(op, &rec, row.Key, row.PrevKey, row.IpPrefix); err != nil {
		return session.Record{}, err
	}
	if row.Owner != nil {
		rec.Owner = *row.Owner
	}
	if row.PrevKey != nil && row.PrevRefresh {
		rec.PrevKind = session.RefreshRotation
	}
	if row.PrevExpiresAt != nil {
		rec.PrevExpiresAt = row.PrevExpiresAt.UTC()
	}
	return rec, nil
}

// noTime is the zero time the contract uses for "no expiry returned".
var noTime time.Time
