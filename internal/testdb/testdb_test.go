package testdb

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { Main(m) }

// exists reports whether database name is on the server.
func exists(t *testing.T, name string) bool {
	t.Helper()
	var n int
	err := server.QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func currentDatabase(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) string {
	t.Helper()
	var name string
	if err := q.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestNewIsEmptyAndDropped(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		conn, err := pgx.Connect(context.Background(), New(t))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		name = currentDatabase(t, conn)
		var tables int
		if err := conn.QueryRow(context.Background(),
			"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("new database has %d tables, want 0", tables)
		}
	})
	if name == "" || exists(t, name) {
		t.Errorf("database %q still exists after its test ended", name)
	}
}

func TestPoolIsMigratedAndDropped(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		pool := Pool(t)
		name = currentDatabase(t, pool)
		for _, table := range []string{"sessiongen_sessions", "sessiongen_leases"} {
			var reg *string
			if err := pool.QueryRow(context.Background(), "SELECT to_regclass($1)::text", table).Scan(&reg); err != nil {
				t.Fatal(err)
			}
			if reg == nil {
				t.Errorf("table %s missing from a Pool database", table)
			}
		}
	})
	if name == "" || exists(t, name) {
		t.Errorf("database %q still exists after its test ended", name)
	}
}

// Parallel tests get distinct databases, and writes in one are invisible in
// another.
func TestParallelDatabasesAreIsolated(t *testing.T) {
	names := make(chan string, 4)
	t.Run("group", func(t *testing.T) {
		for range 4 {
			t.Run("db", func(t *testing.T) {
				t.Parallel()
				pool := Pool(t)
				insertLease(t, pool)
				var n int
				if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM sessiongen_leases").Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Errorf("%d lease rows, want only this test's 1", n)
				}
				names <- currentDatabase(t, pool)
			})
		}
	})
	close(names)
	seen := map[string]bool{}
	for name := range names {
		if seen[name] {
			t.Errorf("database %q handed out twice", name)
		}
		seen[name] = true
	}
	if len(seen) != 4 {
		t.Errorf("%d distinct databases, want 4", len(seen))
	}
}

func insertLease(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(context.Background(),
		"INSERT INTO sessiongen_leases (name, holder, expires_at) VALUES ('cleanup', 'me', now())")
	if err != nil {
		t.Fatal(err)
	}
}

// The throwaway cluster really starts, answers and goes away. It is what runs
// the tests on a machine with the binaries but no running server.
func TestThrowawayCluster(t *testing.T) {
	if _, _, err := findBinaries(); err != nil {
		t.Skipf("cannot test the throwaway cluster here: %v", err)
	}
	c, err := startThrowaway()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := open(c.url, pingTimeout)
	if err != nil {
		t.Fatalf("%v (log: %s)", err, c.logTail())
	}
	if got := currentDatabase(t, pool); got != "postgres" {
		t.Errorf("connected to %q, want postgres", got)
	}
	pool.Close()
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := open(c.url, pingTimeout); err == nil {
		t.Error("throwaway cluster still answers after stop")
	}
}

// A server named in the environment that does not answer fails the tests
// with a message naming the variable; testdb never falls back silently.
func TestUnansweringEnvServerFails(t *testing.T) {
	t.Setenv(EnvURL, "postgres://postgres@"+ClosedAddr(t)+"/postgres?connect_timeout=2")
	pool, _, c, err := findServer()
	if err == nil {
		pool.Close()
		if c != nil {
			c.stop()
		}
		t.Fatal("findServer succeeded with a closed port in " + EnvURL)
	}
	if !strings.Contains(err.Error(), EnvURL) {
		t.Errorf("error %q does not name %s", err, EnvURL)
	}
}
