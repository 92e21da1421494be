package pgstore

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// NewWithPgxScan is New with the generated queries scanning through pgx's
// own Row.Scan instead of rawScanDB: the reference the tests compare the raw
// decoding with.
func NewWithPgxScan(pool *pgxpool.Pool) session.Store {
	return storekit.Check(&statements{pool: pool, q: pgdb.New(pool)})
}
