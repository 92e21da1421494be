package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultMaxConns is the pool size ParsePoolConfig (and so storeurl) gives a
// pool whose connection string does not set pool_max_conns.
//
// pgxpool's own default, max(4, number of CPUs), suits reads, which finish in
// tens of microseconds, but caps writes: a durable commit waits for its WAL
// flush, and PostgreSQL flushes the commits that are waiting together (group
// commit), so throughput grows with the number of commits in flight, which
// the pool bounds. Measured on 2 CPUs with 5 ms flushes (docs/bench/ceiling.md,
// "Pool size"): Save at 32 clients ran 5.4x as fast on 32 connections as on
// 4, at a seventh of the median latency. On a fast local disk the server's
// cores are the limit instead, and 32 connections ran as fast as 4 at 32
// clients and 0.82x at 128 (pgbench lost as much). 32 stays under
// PostgreSQL's default max_connections (100) for two or three application
// instances; docs/OPERATIONS.md says how to size it.
const DefaultMaxConns = 32

// ParsePoolConfig parses a PostgreSQL connection string (URL or keyword/value
// form) like pgxpool.ParseConfig, then sets MaxConns to DefaultMaxConns
// unless the string sets pool_max_conns itself, which always wins. Other
// pgx pool parameters (pool_min_conns, pool_max_conn_lifetime, ...) apply as
// usual.
//
// The error does not quote connString (pgx's parse errors may contain the
// password).
func ParsePoolConfig(connString string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("pgstore: cannot parse the PostgreSQL connection string")
	}
	// pgxpool.ParseConfig consumes pool_max_conns: ask pgconn, which keeps
	// every parameter it does not know as a runtime parameter.
	conn, err := pgconn.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("pgstore: cannot parse the PostgreSQL connection string")
	}
	if _, set := conn.RuntimeParams["pool_max_conns"]; !set {
		cfg.MaxConns = DefaultMaxConns
	}
	return cfg, nil
}

// NewPool opens a pool on connString sized by ParsePoolConfig. Like
// pgxpool.NewWithConfig it does not connect yet: the first statement (or
// Ping) does.
func NewPool(ctx context.Context, connString string) (*pgxpool.Pool, error) {
	cfg, err := ParsePoolConfig(connString)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}
