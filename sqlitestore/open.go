// Package sqlitestore is the embedded SQLite session.Store: pure Go
// (modernc.org/sqlite, no cgo), on the SQL in queries/sqlite compiled by sqlc
// into gen/sqlitedb.
//
// It has the semantics of the PostgreSQL store: every operation is one SQL
// statement (Save and Rotate add a read on their failure path only, to say
// why nothing changed), Save checks the version and never inserts, cleanup is
// keyset-paginated by idle expiry. Several goroutines and several processes
// may share one database file: Open puts it in WAL mode and makes every
// connection wait for the write lock (busy_timeout) instead of failing.
// Apply the schema with Migrate (or the sessiongen CLI) before use;
// docs/SQLITE.md explains the design.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/sessiongen/sessiongen/gen/sqlitedb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// BusyTimeout is how long a statement waits for another connection or process
// to release the database's write lock before failing with ErrUnavailable.
const BusyTimeout = 5 * time.Second

// connectionPragmas are run by the driver on every new pooled connection
// (modernc's _pragma DSN parameter), so no connection ever runs with SQLite's
// defaults: busy_timeout first (the driver orders it first, and the others may
// need to wait for a lock), then WAL so that readers never block the writer,
// synchronous=NORMAL (durable at every checkpoint, and safe from corruption in
// WAL mode, without an fsync per commit), and foreign_keys for any future
// schema that relies on it.
var connectionPragmas = []string{
	"busy_timeout(" + strconv.FormatInt(BusyTimeout.Milliseconds(), 10) + ")",
	"journal_mode(WAL)",
	"synchronous(NORMAL)",
	"foreign_keys(1)",
}

// Store is a session.Store and session.Leaser on a SQLite database. It is safe
// for concurrent use by several goroutines, and several processes may open the
// same file.
type Store struct {
	storekit.Checked // the contract's argument rules, then the statements
	st               *statements
}

// statements runs the store's SQL (sessions.go, admin.go, lease.go): reads
// through storekit.Run, writes through write (writegate.go).
type statements struct {
	db    *sql.DB
	stmts *stmtCache
	q     *sqlitedb.Queries
	gate  writeGate // queues this store's writers (see writegate.go)
}

var (
	_ session.Store  = (*Store)(nil)
	_ session.Leaser = (*Store)(nil)
)

// Open opens (creating it if missing) the SQLite database at path, with WAL,
// a busy timeout of BusyTimeout, synchronous=NORMAL and foreign keys on every
// pooled connection. path is a file name, optionally followed by SQLite URI
// parameters such as "?mode=ro". Open applies no migrations (see Migrate). It
// connects once, so that a file that is not a database, or cannot be opened,
// fails here with ErrUnavailable rather than on the first request.
//
// path must name a file: ":memory:" and "" (a private temporary database)
// would give each pooled connection a database of its own, so they are
// refused with ErrInvalid; use memstore for a store in memory.
func Open(path string) (*Store, error) {
	if file, _, _ := strings.Cut(path, "?"); file == "" || file == ":memory:" {
		return nil, storekit.Invalid("open", "path must name a database file")
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, storekit.Unavailable("open", err)
	}
	// Readers run in parallel under WAL while writers queue on the file's
	// write lock; a few connections beyond the core count keep readers from
	// waiting behind a writer without multiplying lock contention. Idle
	// connections are kept: a new one re-runs the pragmas and re-reads the
	// schema.
	conns := max(4, runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	ctx, cancel := context.WithTimeout(context.Background(), 2*BusyTimeout)
	defer cancel()
	if err := ping(ctx, db); err != nil {
		return nil, storekit.Unavailable("open", errors.Join(err, db.Close()))
	}
	return New(db), nil
}

// ping connects and reads the schema, which is where SQLite notices a file
// that is not a database (opening it is lazy).
func ping(ctx context.Context, db *sql.DB) error {
	var n int64
	return db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n)
}

// New returns a store on db, a database/sql handle of the modernc "sqlite"
// driver. Prefer Open, which configures every connection for concurrent use;
// with New that is the caller's job.
func New(db *sql.DB) *Store {
	stmts := &stmtCache{db: db}
	st := &statements{db: db, stmts: stmts, q: sqlitedb.New(stmts), gate: newWriteGate()}
	return &Store{Checked: storekit.Check(st), st: st}
}

// DB returns the store's database handle, for Migrate and for tools.
func (s *Store) DB() *sql.DB { return s.st.db }

// Close closes the store's prepared statements and the database. Calls after
// Close fail with ErrUnavailable.
func (s *Store) Close() error { return errors.Join(s.st.stmts.close(), s.st.db.Close()) }

// dsn builds the driver's data source name for path: a "file:" URI, so that
// SQLite honours URI parameters given after path (mode=ro, say), with the
// connection pragmas appended.
func dsn(path string) string {
	file, params, _ := strings.Cut(path, "?")
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(uriEscaper.Replace(file))
	b.WriteString("?")
	if params != "" {
		b.WriteString(params)
		b.WriteString("&")
	}
	for i, p := range connectionPragmas {
		if i > 0 {
			b.WriteString("&")
		}
		b.WriteString("_pragma=")
		b.WriteString(p)
	}
	return b.String()
}

// uriEscaper escapes the characters that would end or alter the path part of
// a SQLite URI; SQLite decodes %HH escapes in it.
var uriEscaper = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
