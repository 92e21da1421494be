// Package freshdb gives each benchmark run its own PostgreSQL database on a
// shared server, created empty and dropped afterwards, so that runs never see
// each other's rows and leave nothing behind. (The root module's
// internal/testdb does this for tests; the bench module cannot import it.)
package freshdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the benchmarks at a server; it is the
// same one the library's tests read.
const EnvURL = "SESSIONGEN_TEST_DATABASE_URL"

// DefaultURL is the server used when EnvURL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres"

// ServerURL returns $SESSIONGEN_TEST_DATABASE_URL or DefaultURL.
func ServerURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// DB is a database created for one run.
type DB struct {
	// URL points at the new database.
	URL    string
	name   string
	server string
}

// Create makes an empty database named prefix plus 64 random bits on the
// server at serverURL.
func Create(ctx context.Context, serverURL, prefix string) (*DB, error) {
	var b [8]byte
	rand.Read(b[:])
	db := &DB{name: prefix + hex.EncodeToString(b[:]), server: serverURL}
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("freshdb: server URL: %w", err)
	}
	u.Path = "/" + db.name
	db.URL = u.String()
	if err := db.admin(ctx, "CREATE DATABASE "+pgx.Identifier{db.name}.Sanitize()); err != nil {
		return nil, err
	}
	return db, nil
}

// Drop removes the database, closing any connection still open to it.
func (db *DB) Drop(ctx context.Context) error {
	return db.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db.name}.Sanitize()+" WITH (FORCE)")
}

// SetDefaultIsolation makes level ("serializable", "read committed", ...) the
// default transaction isolation of the connections opened afterwards.
func (db *DB) SetDefaultIsolation(ctx context.Context, level string) error {
	return db.admin(ctx, "ALTER DATABASE "+pgx.Identifier{db.name}.Sanitize()+" SET default_transaction_isolation = "+pgx.Identifier{level}.Sanitize())
}

// admin runs one statement on the server's maintenance database.
func (db *DB) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, db.server)
	if err != nil {
		return fmt.Errorf("freshdb: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("freshdb: %s: %w", sql, err)
	}
	return nil
}
