// Package storeurl opens a session store from a database URL, so that the
// sessiongen CLI and applications configure PostgreSQL, MariaDB / MySQL,
// SQLite and the directory store the same way (a flag or DATABASE_URL):
//
//	postgres://user:pass@host:5432/db?sslmode=disable   PostgreSQL (also postgresql://)
//	mysql://user:pass@host:3306/db?tls=true             MariaDB / MySQL (also mariadb://; see MySQLConfig)
//	sqlite:///var/lib/app/sessions.db                   SQLite, absolute path
//	sqlite://sessions.db  file:sessions.db  sessions.db SQLite, relative path
//	dir:///var/lib/app/sessions                         directory store, absolute path
//	dir://sessions  dir:sessions                        directory store, relative path
//
// Any of pgx's connection parameters (pool_max_conns, ...) may follow a
// PostgreSQL URL, go-sql-driver/mysql's (tls, timeout, ...) a MySQL URL, and
// SQLite URI parameters (mode=ro, ...) a SQLite path. A directory URL takes
// one parameter, fsync=off (dirstore.Options.NoSync). A PostgreSQL URL
// without pool_max_conns gets a pool of pgstore.DefaultMaxConns connections,
// sized so that concurrent commits share WAL flushes (pgstore.ParsePoolConfig).
//
// Stores that live in modules of their own (Redis: redisstore) add their URL
// schemes with Register, the way database/sql drivers do: a blank import of
// the store's registering package (github.com/sessiongen/sessiongen/redisstore/redisurl)
// makes Open understand redis:// URLs. The dependency points from the store to
// this package, so this module never pulls the store's client.
package storeurl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/schema"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// Kind names a store implementation.
type Kind string

// The kinds of database Open understands.
const (
	Postgres Kind = "postgres"
	SQLite   Kind = "sqlite"
	Dir      Kind = "dir"
	MySQL    Kind = "mysql"
)

// ErrUnsupported means a URL names no database Open understands.
var ErrUnsupported = errors.New("storeurl: unsupported database URL")

// DB is an open session store and what it takes to migrate and close it.
type DB struct {
	// Kind is the database behind Store.
	Kind Kind
	// Store is the session store.
	Store session.Store
	// Leaser elects the cleanup leader; the SQL and directory stores
	// implement it.
	Leaser session.Leaser
	// Pool is the PostgreSQL pool (nil otherwise), for callers that also keep
	// their own tables there.
	Pool *pgxpool.Pool
	// SQL is the SQLite or MySQL handle (nil otherwise); a MySQL handle's
	// connections carry the options mysqlstore sets.
	SQL *sql.DB

	migrations fs.FS
	migrator   func() (*migrate.Migrate, error)
	up         func(context.Context) error
	close      func()
}

// Open connects to the database that rawURL names and checks that it answers.
// It applies no migrations: call Migrate. The error never contains the URL's
// password.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	if d, ok := driverFor(rawURL); ok {
		return d.open(ctx, rawURL)
	}
	kind, target, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	switch kind {
	case Postgres:
		return openPostgres(ctx, target)
	case MySQL:
		return openMySQL(ctx, target)
	case Dir:
		return openDir(target)
	}
	return openSQLite(target)
}

// Parse tells which kind of database rawURL names and returns what its driver
// opens: the URL itself for PostgreSQL and MySQL, the file path (with any URI
// parameters) for SQLite, the directory (with any parameters) for a
// directory store.
func Parse(rawURL string) (Kind, string, error) {
	if d, ok := driverFor(rawURL); ok {
		return d.Kind, rawURL, nil
	}
	scheme, rest, hasScheme := strings.Cut(rawURL, ":")
	switch {
	case rawURL == "":
		return "", "", fmt.Errorf("%w: empty URL", ErrUnsupported)
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		return Postgres, rawURL, nil
	case hasScheme && (scheme == "mysql" || scheme == "mariadb"):
		return MySQL, rawURL, nil
	case hasScheme && scheme == "sqlite":
		path := strings.TrimPrefix(rest, "//")
		if path == "" || strings.HasPrefix(path, "?") {
			return "", "", fmt.Errorf("%w: sqlite URL without a path", ErrUnsupported)
		}
		return SQLite, path, nil
	case hasScheme && scheme == "file":
		if rest == "" {
			return "", "", fmt.Errorf("%w: file URL without a path", ErrUnsupported)
		}
		return SQLite, rest, nil
	case hasScheme && scheme == "dir":
		path := strings.TrimPrefix(rest, "//")
		if path == "" || strings.HasPrefix(path, "?") {
			return "", "", fmt.Errorf("%w: dir URL without a path", ErrUnsupported)
		}
		return Dir, path, nil
	case !strings.Contains(rawURL, "://") && isSQLiteFileName(rawURL):
		return SQLite, rawURL, nil
	}
	if hasScheme && !strings.ContainsAny(scheme, "/\\. ") {
		return "", "", fmt.Errorf("%w: scheme %q (want postgres://, postgresql://, mysql://, mariadb://, sqlite://, file:, dir: or a path ending in .db)", ErrUnsupported, scheme)
	}
	return "", "", fmt.Errorf("%w: want postgres://, postgresql://, mysql://, mariadb://, sqlite://, file:, dir: or a path ending in .db", ErrUnsupported)
}

// isSQLiteFileName reports whether a bare path looks like a SQLite database.
func isSQLiteFileName(path string) bool {
	name, _, _ := strings.Cut(path, "?")
	for _, ext := range []string{".db", ".sqlite", ".sqlite3"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// Redact returns rawURL with any password replaced by "xxxxx", for logs and
// messages: the password of the user part, and the password and sslpassword
// parameters PostgreSQL accepts in the query. A string that does not parse but
// may hold a password is replaced as a whole.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if strings.ContainsAny(rawURL, "@=") {
			return "(unparsable URL)"
		}
		return rawURL
	}
	q := u.Query()
	redacted := false
	for name := range q {
		if isPasswordParam(name) {
			q.Set(name, "xxxxx")
			redacted = true
		}
	}
	if redacted {
		u.RawQuery = q.Encode()
	}
	if _, has := u.User.Password(); !has && !redacted {
		return rawURL
	}
	return u.Redacted()
}

// Passwords returns the secrets rawURL carries (the user part's password and
// any password parameter), so that a program can make sure none of them reaches
// its output.
func Passwords(rawURL string) []string {
	var secrets []string
	u, err := url.Parse(rawURL)
	if err != nil {
		// Best effort on what url.Parse refuses: scheme://user:password@host...
		if _, rest, ok := strings.Cut(rawURL, "://"); ok {
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				if _, pw, ok := strings.Cut(rest[:at], ":"); ok && pw != "" {
					secrets = append(secrets, pw)
				}
			}
		}
		return secrets
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		secrets = append(secrets, pw)
	}
	for name, values := range u.Query() {
		if isPasswordParam(name) {
			for _, v := range values {
				if v != "" {
					secrets = append(secrets, v)
				}
			}
		}
	}
	return secrets
}

// isPasswordParam reports whether a URL query parameter carries a secret.
func isPasswordParam(name string) bool {
	return strings.Contains(strings.ToLower(name), "password")
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	// pgstore.DefaultMaxConns connections unless the URL says pool_max_conns:
	// enough for concurrent commits to share WAL flushes.
	cfg, err := pgstore.ParsePoolConfig(rawURL)
	if err != nil {
		// pgx's parse errors quote the connection string, password included.
		return nil, fmt.Errorf("%w: cannot parse PostgreSQL URL", ErrUnsupported)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, storekit.Unavailable("connect", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, storekit.Unavailable("connect", err)
	}
	store := pgstore.New(pool)
	return &DB{
		Kind:       Postgres,
		Store:      store,
		Leaser:     store,
		Pool:       pool,
		migrations: schema.Postgres(),
		migrator:   func() (*migrate.Migrate, error) { return pgstore.NewMigrator(pool) },
		up:         func(ctx context.Context) error { return pgstore.Migrate(ctx, pool) },
		close:      pool.Close,
	}, nil
}

func openSQLite(path string) (*DB, error) {
	store, err := sqlitestore.Open(path)
	if err != nil {
		return nil, err
	}
	db := store.DB()
	return &DB{
		Kind:       SQLite,
		Store:      store,
		Leaser:     store,
		SQL:        db,
		migrations: schema.SQLite(),
		migrator:   func() (*migrate.Migrate, error) { return sqliteMigrator(path) },
		up:         func(ctx context.Context) error { return sqlitestore.Migrate(ctx, db) },
		close:      func() { _ = store.Close() },
	}, nil
}

// openDir opens a directory store; path may end in ?fsync=off. Its Migrate
// creates or checks the layout; it has no migrations (ErrNoMigrations).
func openDir(target string) (*DB, error) {
	path, query, _ := strings.Cut(target, "?")
	var opts dirstore.Options
	params, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%w: dir URL parameters: %v", ErrUnsupported, err)
	}
	for name, values := range params {
		if name != "fsync" || len(values) != 1 || (values[0] != "off" && values[0] != "on") {
			return nil, fmt.Errorf("%w: dir URL parameter %q (the only one is fsync=off)", ErrUnsupported, name)
		}
		opts.NoSync = values[0] == "off"
	}
	store, err := dirstore.Open(path, opts)
	if err != nil {
		return nil, err
	}
	return &DB{
		Kind:       Dir,
		Store:      store,
		Leaser:     store,
		migrations: noMigrations,
		migrator:   func() (*migrate.Migrate, error) { return nil, ErrNoMigrations },
		up:         store.Migrate,
		close:      func() { _ = store.Close() },
	}, nil
}

// sqliteMigrator gives the migrator a handle of its own: closing a
// golang-migrate sqlite migrator closes its handle, and the store's must stay
// open.
func sqliteMigrator(path string) (*migrate.Migrate, error) {
	own, err := sqlitestore.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := sqlitestore.NewMigrator(own.DB())
	if err != nil {
		_ = own.Close()
		return nil, err
	}
	return m, nil
}

// Migrate applies every pending migration of the embedded schema; an
// up-to-date database is not an error. For a directory store it creates (or
// checks) the layout and repairs what crashed writers left behind.
func (d *DB) Migrate(ctx context.Context) error { return d.up(ctx) }

// Migrator returns a golang-migrate instance on the embedded schema, for
// stepping down, forcing a version or reading it. Close it before Close.
func (d *DB) Migrator() (*migrate.Migrate, error) { return d.migrator() }

// Migrations returns the embedded golang-migrate files Migrate applies
// (NNNNNN_name.up.sql / .down.sql), e.g. to check a version exists.
func (d *DB) Migrations() fs.FS { return d.migrations }

// Close releases the connections.
func (d *DB) Close() { d.close() }
