package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// defaultServer is the PostgreSQL server used when SESSIONGEN_TEST_DATABASE_URL
// is unset (the same default as internal/testdb, which this module cannot
// import).
const defaultServer = "postgres://postgres@127.0.0.1:5432/postgres"

// newPostgresDatabase creates an empty database, dropped when the test ends,
// and returns its URL. The example migrates it at start.
func newPostgresDatabase(t *testing.T) string {
	t.Helper()
	server := os.Getenv("SESSIONGEN_TEST_DATABASE_URL")
	if server == "" {
		server = defaultServer
	}
	serverURL, err := url.Parse(server)
	if err != nil {
		t.Fatalf("SESSIONGEN_TEST_DATABASE_URL is not a URL: %v", err)
	}
	random := make([]byte, 6)
	_, _ = rand.Read(random)
	name := "sessiongen_e2e_" + hex.EncodeToString(random)

	admin(t, server, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() { admin(t, server, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)") })

	dbURL := *serverURL
	dbURL.Path = "/" + name
	return dbURL.String()
}

// admin runs one statement on the server's maintenance database.
func admin(t *testing.T, server, statement string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("PostgreSQL does not answer at %s: %v (start it, or set SESSIONGEN_TEST_DATABASE_URL "+
			"to a server where this role may create databases)", redact(server), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, statement); err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
}

// redact hides a password in a server URL.
func redact(server string) string {
	if u, err := url.Parse(server); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}
