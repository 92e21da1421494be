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
	pool *pgxpool.Pool
	q    *pgdb.Queries
}

var (
	_ session.Store  = (*Store)(nil)
	_ session.Leaser = (*Store)(nil)
)

// New returns a store on pool. The pool keeps pgx's default exec mode (cached
// prepared statements), the fastest for these short, repeated statements.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, q: pgdb.New(pool)}
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
	var err error
	if rec.Key, err = storekit.StoredKey(op, "key", row.Key); err != nil {
		return session.Record{}, err
	}
	if rec.IPPrefix, err = storekit.StoredPrefix(op, "ip_prefix", row.IpPrefix); err != nil {
		return session.Record{}, err
	}
	if row.Owner != nil {
		rec.Owner = *row.Owner
	}
	if row.PrevKey != nil {
		if rec.PrevKey, err = storekit.StoredKey(op, "prev_key", row.PrevKey); err != nil {
			return session.Record{}, err
		}
		if row.PrevRefresh {
			rec.PrevKind = session.RefreshRotation
		}
	}
	if row.PrevExpiresAt != nil {
		rec.PrevExpiresAt = row.PrevExpiresAt.UTC()
	}
	return rec, nil
}

// noTime is the zero time the contract uses for "no expiry returned".
var noTime time.Time
