package testdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/mysqlstore"
)

// The MariaDB / MySQL side of testdb: each test gets a database of its own on
// $SESSIONGEN_TEST_MYSQL_DSN (a go-sql-driver/mysql DSN without a database
// name, for a user that may create databases) or, when that is unset, on
// root@tcp(127.0.0.1:3306)/. When no server answers there and the MariaDB
// server binaries (mariadbd, mariadb-install-db) are installed, testdb starts
// a throwaway server in a temporary directory for the test process, and Main
// stops it. Databases are named after the test process; those of processes
// that no longer run (a killed test run) are dropped when the next run first
// connects.

// EnvMySQLDSN names the environment variable that points the tests at a
// MariaDB or MySQL server.
const EnvMySQLDSN = "SESSIONGEN_TEST_MYSQL_DSN"

// DefaultMySQLDSN is the server tried when EnvMySQLDSN is unset.
const DefaultMySQLDSN = "root@tcp(127.0.0.1:3306)/"

// mysqlPrefix starts the name of every database testdb makes on a MySQL
// server; the process id and a random suffix follow.
const mysqlPrefix = "sessiongen_test_"

var (
	mysqlOnce    sync.Once
	mysqlAdmin   *sql.DB // connections without a database, for CREATE / DROP DATABASE
	mysqlConfig  *mysql.Config
	mysqlErr     error
	mysqlCleanup = func() error { return nil } // stops a throwaway server once one runs
)

// MySQLDSN returns the DSN of a fresh, empty database that is dropped when t
// ends.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	connectMySQL(t)
	name := randomName(mysqlPrefix + strconv.Itoa(os.Getpid()) + "_")
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if _, err := mysqlAdmin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if _, err := mysqlAdmin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	cfg := mysqlConfig.Clone()
	cfg.DBName = name
	return cfg.FormatDSN()
}

// MySQLStore returns a store on a fresh database with the sessiongen
// migrations applied. The store is closed and the database dropped when t
// ends.
func MySQLStore(t testing.TB) *mysqlstore.Store {
	t.Helper()
	return OpenMySQL(t, MySQLDSN(t), true)
}

// OpenMySQL opens a store on dsn, migrated when migrate is true, and closes it
// when t ends (before a database made by MySQLDSN is dropped).
func OpenMySQL(t testing.TB, dsn string, migrate bool) *mysqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	s, err := mysqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if migrate {
		if err := mysqlstore.Migrate(ctx, s.DB()); err != nil {
			t.Fatalf("testdb: migrating: %v", err)
		}
	}
	return s
}

// connectMySQL finds or starts the server once per process and sweeps the
// databases that killed test runs left behind.
func connectMySQL(t testing.TB) {
	t.Helper()
	if !running.Load() {
		t.Fatal("testdb: call testdb.Main(m) from TestMain, so that a throwaway MariaDB server " +
			"is stopped when the tests end")
	}
	mysqlOnce.Do(func() {
		mysqlAdmin, mysqlConfig, mysqlErr = findMySQL()
		if mysqlErr == nil {
			mysqlErr = sweepMySQL()
		}
	})
	if mysqlErr != nil {
		t.Fatal(mysqlErr)
	}
}

// findMySQL connects to the configured server, or starts a throwaway one when
// the default one does not answer.
func findMySQL() (*sql.DB, *mysql.Config, error) {
	target, fromEnv := os.LookupEnv(EnvMySQLDSN)
	if !fromEnv || target == "" {
		target, fromEnv = DefaultMySQLDSN, false
	}
	cfg, err := mysql.ParseDSN(target)
	if err != nil {
		return nil, nil, fmt.Errorf("testdb: %s: %v", EnvMySQLDSN, err)
	}
	db, err := openMySQLAdmin(cfg)
	if err == nil {
		return db, cfg, nil
	}
	if fromEnv {
		return nil, nil, fmt.Errorf("testdb: %s=%q does not answer: %v", EnvMySQLDSN, target, err)
	}
	server, startErr := startMariaDB(MariaDBOptions{Settings: fastMariaDBSettings})
	if startErr != nil {
		return nil, nil, fmt.Errorf("testdb: no MariaDB/MySQL server answers at %s (%v), and none could be started: %v. "+
			"Start one, set %s to a server DSN, or install the MariaDB server (Debian/Ubuntu: apt-get install mariadb-server)",
			DefaultMySQLDSN, err, startErr, EnvMySQLDSN)
	}
	mysqlCleanup = server.stop
	cfg, _ = mysql.ParseDSN(server.dsn)
	db, err = openMySQLAdmin(cfg)
	if err != nil {
		err = fmt.Errorf("testdb: throwaway MariaDB started but does not answer: %v (log: %s)", err, server.logTail())
		return nil, nil, errors.Join(err, server.stop())
	}
	return db, cfg, nil
}

// openMySQLAdmin returns a handle on cfg's server, without a database, once a
// round trip has succeeded.
func openMySQLAdmin(cfg *mysql.Config) (*sql.DB, error) {
	cfg = cfg.Clone()
	cfg.DBName = ""
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sweepMySQL drops the databases of test processes that no longer run: a
// test run killed halfway cannot drop its own.
func sweepMySQL() error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	rows, err := mysqlAdmin.QueryContext(ctx,
		"SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE ?",
		strings.ReplaceAll(mysqlPrefix, "_", `\_`)+"%")
	if err != nil {
		return fmt.Errorf("testdb: listing databases: %w", err)
	}
	var stale []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		if pid, ok := ownerPID(name); ok && !processRuns(pid) {
			stale = append(stale, name)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, name := range stale {
		if _, err := mysqlAdmin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			return fmt.Errorf("testdb: dropping stale database %s: %w", name, err)
		}
	}
	return nil
}

// ownerPID reads the process id from a database name made by MySQLDSN.
func ownerPID(name string) (int, bool) {
	pidPart, _, ok := strings.Cut(strings.TrimPrefix(name, mysqlPrefix), "_")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(pidPart)
	return pid, err == nil && pid > 0
}

// shutdownMySQL closes the admin handle and stops a throwaway server.
func shutdownMySQL() error {
	if mysqlAdmin != nil {
		mysqlAdmin.Close()
	}
	return mysqlCleanup()
}
