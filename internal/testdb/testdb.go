// Package testdb gives each test its own PostgreSQL database (Pool, New), or
// MariaDB / MySQL database (MySQLStore, MySQLDSN; see mysql.go), created and
// dropped around the test, so that tests run in parallel, in parallel
// packages, and leave nothing behind.
//
// The server is $SESSIONGEN_TEST_DATABASE_URL (a postgres:// URL for a role
// that may create databases) or, when that is unset,
// postgres://postgres@127.0.0.1:5432/postgres. When no server answers there
// and the PostgreSQL binaries (initdb, pg_ctl) are installed, testdb starts a
// throwaway cluster in a temporary directory for the test process. Otherwise
// the test fails saying what to install: database tests never skip.
//
// A package that uses testdb must run its tests through Main:
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
//
// Main removes what testdb made once per process (the migrated template
// database, a throwaway cluster or MariaDB server) when the tests end.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/pgstore"
)

// EnvURL names the environment variable that points the tests at a server.
const EnvURL = "SESSIONGEN_TEST_DATABASE_URL"

// DefaultURL is the server tried when EnvURL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres"

// setupTimeout bounds creating, migrating and dropping a database.
const setupTimeout = 60 * time.Second

var (
	running atomic.Bool // Main is running the tests

	serverOnce sync.Once
	server     *pgxpool.Pool // admin connections to the server's maintenance database
	serverURL  string
	cluster    *throwaway // non-nil when testdb started its own server
	serverErr  error

	templateOnce sync.Once
	template     string // migrated database that Pool clones
	templateErr  error
)

// Main runs the tests of a package that uses testdb, then drops the template
// database and stops the throwaway cluster, if any, and exits with the tests'
// status. Call it from TestMain.
func Main(m *testing.M) {
	running.Store(true)
	code := m.Run()
	if err := shutdown(); err != nil {
		os.Stderr.WriteString("testdb: cleanup: " + err.Error() + "\n")
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// New returns the URL of a fresh, empty database that is dropped when t ends.
func New(t testing.TB) string {
	t.Helper()
	dbURL, _ := create(t, "template0")
	return dbURL
}

// Pool returns a pool on a fresh database that has the sessiongen migrations
// applied. The pool is closed and the database dropped when t ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return migratedPool(t, "")
}

// SerializablePool is Pool on a database whose default transaction isolation
// is SERIALIZABLE, as on CockroachDB: concurrent writes of one row fail with
// SQLSTATE 40001 (serialization_failure) rather than waiting for each other,
// and 40P01 (deadlock_detected) can appear.
func SerializablePool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return migratedPool(t, "serializable")
}

// migratedPool returns a pool on a fresh migrated database, with isolation as
// its default transaction isolation unless it is "".
func migratedPool(t testing.TB, isolation string) *pgxpool.Pool {
	t.Helper()
	connect(t)
	templateOnce.Do(func() { template, templateErr = migrateTemplate() })
	if templateErr != nil {
		t.Fatalf("testdb: migrating the template database: %v", templateErr)
	}
	dbURL, name := create(t, template)
	if isolation != "" {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		// A database default applies to the sessions opened after it is set:
		// the pool below connects afterwards.
		if _, err := server.Exec(ctx, "ALTER DATABASE "+ident(name)+" SET default_transaction_isolation = '"+isolation+"'"); err != nil {
			t.Fatalf("testdb: %v", err)
		}
	}
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	// Registered after create's drop, so it runs before it.
	t.Cleanup(pool.Close)
	return pool
}

// connect finds or starts the server once per process.
func connect(t testing.TB) {
	t.Helper()
	if !running.Load() {
		t.Fatal("testdb: call testdb.Main(m) from TestMain, so that the template database " +
			"and any throwaway cluster are removed when the tests end")
	}
	serverOnce.Do(func() { server, serverURL, cluster, serverErr = findServer() })
	if serverErr != nil {
		t.Fatal(serverErr)
	}
}

// create makes a database cloned from template, drops it when t ends, and
// returns its URL and name.
func create(t testing.TB, template string) (string, string) {
	t.Helper()
	connect(t)
	name := randomName("sessiongen_test_")
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := createDatabase(ctx, name, template); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if err := dropDatabase(ctx, name); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	return databaseURL(name), name
}

// migrateTemplate creates a database and applies the migrations to it, once
// per process, so that each Pool is a cheap file-level clone rather than a
// fresh migration.
func migrateTemplate() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	name := randomName("sessiongen_template_")
	if err := createDatabase(ctx, name, "template0"); err != nil {
		return "", err
	}
	pool, err := pgxpool.New(ctx, databaseURL(name))
	if err != nil {
		return name, err
	}
	// CREATE DATABASE ... TEMPLATE refuses a template with open connections.
	defer pool.Close()
	return name, pgstore.Migrate(ctx, pool)
}

func createDatabase(ctx context.Context, name, template string) error {
	_, err := server.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(template))
	return err
}

func dropDatabase(ctx context.Context, name string) error {
	_, err := server.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
	return err
}

// shutdown drops the template and stops the throwaway servers.
func shutdown() error {
	err := shutdownMySQL()
	if server == nil {
		return err
	}
	if template != "" {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		err = errors.Join(err, dropDatabase(ctx, template))
		cancel()
	}
	server.Close()
	if cluster != nil {
		err = errors.Join(err, cluster.stop())
	}
	return err
}

// databaseURL is the server URL pointed at database name.
func databaseURL(name string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		// findServer parsed it already.
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// randomName returns prefix plus 64 random bits: databases of tests running
// at once, in one process or many, never collide.
func randomName(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
