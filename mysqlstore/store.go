// Package mysqlstore is the MariaDB / MySQL session.Store, on database/sql with
// go-sql-driver/mysql and the SQL in queries/mysql (compiled by sqlc into
// gen/mysqldb).
//
// Every Store method is one SQL statement in autocommit (Load by a key that
// is no session's current key reads twice, by key and then by previous key):
// no transaction spans a request, Save checks the version and never inserts,
// cleanup deletes small batches in idle-expiry order. The schema comes from schema/mysql; apply it
// with Migrate (or the sessiongen CLI) before use. docs/MYSQL.md explains the
// design, what it guarantees across threads, processes and hosts, and what is
// tested on MariaDB and what is only reviewed for MySQL 8.
package mysqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/gen/mysqldb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// LockWaitTimeout is how long a statement waits for a row lock another
// statement holds before it fails with lock-wait timeout (1205) and is
// retried. The server default, 50 s, would hold a request far past any
// sensible deadline.
const LockWaitTimeout = 5 * time.Second

// dialTimeout bounds connecting when the DSN sets no timeout, so that a server
// that is down answers ErrUnavailable quickly instead of after the operating
// system's TCP timeout.
const dialTimeout = 5 * time.Second

// sqlMode is the sql_mode of every connection: strict, so that a value that
// does not fit fails instead of being truncated with a warning, and without
// the server-dependent modes (ANSI_QUOTES, SIMULTANEOUS_ASSIGNMENT, ...) that
// would change how our statements read. NO_ENGINE_SUBSTITUTION makes the
// migration fail rather than silently create a non-InnoDB table.
const sqlMode = "'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"

// Store is a session.Store and session.Leaser on MariaDB or MySQL. It is safe
// for concurrent use; several processes and hosts may share one database.
type Store struct {
	storekit.Checked // the contract's argument rules, then the statements
	st               *statements
}

var (
	_ session.Store  = (*Store)(nil)
	_ session.Leaser = (*Store)(nil)
)

// statements runs the store's SQL, one statement per method (sessions.go,
// admin.go, lease.go), each through run (errors.go).
type statements struct {
	db *sql.DB
	q  *mysqldb.Queries
	// returning is true on MariaDB, whose DELETE ... RETURNING lets
	// DeleteExpired delete a batch and learn its expiries in one statement;
	// MySQL has no RETURNING and lists the batch first (admin.go).
	returning bool
	// retried, when set (by tests), is told of every statement run again
	// after a deadlock, a lock-wait timeout or a lost connection.
	retried func(op string, err error)
}

// Open connects to the server that dsn names, in go-sql-driver/mysql's syntax
// ("user:password@tcp(host:3306)/dbname?param=value"; the database name is
// required), and returns a store on it. See OpenConfig for what it sets.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		// The driver's parse errors do not quote the DSN, but say nothing of
		// it either; keep the password out regardless.
		return nil, storekit.Invalid("open", "cannot parse MySQL DSN: "+err.Error())
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open for a parsed driver configuration (to set TLS or a dial
// function, say). cfg is not modified: the store connects with a copy on which
// it sets the options its statements rely on, whatever cfg says:
// clientFoundRows (an UPDATE that matched a row reports it even when nothing
// changed), interpolateParams (one round trip per statement instead of a
// prepare, an execute and a close), a strict sql_mode, innodb_lock_wait_timeout
// (LockWaitTimeout) and rejectReadOnly (a server demoted by a failover is left
// at once). It also sets a dial timeout when cfg has none.
//
// OpenConfig connects once, so that a wrong address or password fails here,
// with ErrUnavailable, and reads the server's version to choose between the
// MariaDB and MySQL cleanup statements. It applies no migrations (see Migrate).
func OpenConfig(ctx context.Context, cfg *mysql.Config) (*Store, error) {
	if cfg.DBName == "" {
		return nil, storekit.Invalid("open", "the DSN names no database")
	}
	connector, err := mysql.NewConnector(configure(cfg))
	if err != nil {
		return nil, storekit.Invalid("open", err.Error())
	}
	db := sql.OpenDB(readCommitted{connector})
	// database/sql keeps 2 idle connections by default: under more parallel
	// requests than that, it would close and redial connections all the
	// time. Keep as many idle as may be open, and shed them after a while.
	conns := max(16, 4*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	var version, binlogFormat string
	var logBin bool
	err = db.QueryRowContext(ctx, "SELECT VERSION(), @@log_bin, @@binlog_format").Scan(&version, &logBin, &binlogFormat)
	if err != nil {
		return nil, storekit.Unavailable("open", errors.Join(err, db.Close()))
	}
	if logBin && strings.EqualFold(binlogFormat, "STATEMENT") {
		// InnoDB refuses every write at READ COMMITTED under statement-based
		// logging (error 1665): say so now rather than on each write.
		return nil, errors.Join(storekit.Invalid("open",
			"the server logs binlog_format=STATEMENT, which cannot log writes at READ COMMITTED: use ROW or MIXED"), db.Close())
	}
	st := &statements{db: db, q: mysqldb.New(db), returning: strings.Contains(version, "MariaDB")}
	return &Store{Checked: storekit.Check(st), st: st}, nil
}

// readCommitted is the driver's connector with every new connection set to
// READ COMMITTED. Under InnoDB's default, REPEATABLE READ, the subqueries of
// Create, Rotate and AcquireLease (is this key some session's previous key? is
// the lease taken?) take shared next-key locks, and concurrent Rotates of one
// session deadlocked on them with each other's inserts into the prev_key
// index (8 racers, 40 rounds: 15 deadlocks, 6 still failing after retries; at
// READ COMMITTED none). At READ COMMITTED those reads take no locks; every
// write still locks the rows it changes, and the unique indexes still refuse
// a taken key. The statement is the same on MariaDB and MySQL, unlike the
// session variable's name (tx_isolation, transaction_isolation).
type readCommitted struct{ driver.Connector }

// Connect implements driver.Connector.
func (c readCommitted) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	const setIsolation = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, setIsolation, nil); err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	return conn, nil
}

// configure returns a copy of cfg with the options the store relies on.
func configure(cfg *mysql.Config) *mysql.Config {
	c := cfg.Clone()
	c.ClientFoundRows = true
	c.InterpolateParams = true
	c.RejectReadOnly = true
	c.MultiStatements = false
	if c.Timeout == 0 {
		c.Timeout = dialTimeout
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["sql_mode"] = sqlMode
	c.Params["innodb_lock_wait_timeout"] = fmt.Sprint(int(LockWaitTimeout.Seconds()))
	return c
}

// DB returns the store's database handle, for Migrate and for tools. Its
// connections carry the options OpenConfig sets.
func (s *Store) DB() *sql.DB { return s.st.db }

// Close closes the database handle. Calls after Close fail with
// ErrUnavailable.
func (s *Store) Close() error { return s.st.db.Close() }

// noTime is the zero time the contract uses for "no expiry returned".
var noTime time.Time
