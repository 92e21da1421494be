package cli

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/janitor"
	"github.com/sessiongen/sessiongen/storeurl"
)

// documentedExitCodes reads the exit status table of docs/OPERATIONS.md.
func documentedExitCodes(t *testing.T) []int {
	t.Helper()
	doc, err := os.ReadFile("../../../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllSubmatch(doc, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		codes = append(codes, n)
	}
	return codes
}

// TestExitCodesMatchTheDocumentedTable runs one command for every meaning of
// docs/OPERATIONS.md's exit status table, on SQLite and PostgreSQL, and checks
// the code it exits with; and that the table lists exactly the codes the
// commands use.
func TestExitCodesMatchTheDocumentedTable(t *testing.T) {
	if got, want := documentedExitCodes(t), []int{exitOK, exitFailure, exitUsage, exitNotLeader}; !slices.Equal(got, want) {
		t.Fatalf("docs/OPERATIONS.md documents exit codes %v, the CLI uses %v", got, want)
	}
	forEachDatabase(t, func(t *testing.T, url string) {
		db := migrated(t, url)
		undecodable := opstest.Record("carol", []byte{0xc1}, time.Now().Add(time.Hour)) // 0xc1 is never used in msgpack
		opstest.Create(t, db.Store, undecodable, opstest.Record("dave", []byte{0x80}, time.Now().Add(time.Hour)))
		db2 := "-database-url=" + url
		cases := []struct {
			meaning string
			args    []string
			code    int
		}{
			{"done", []string{"sessions", "count", db2}, exitOK},
			{"done: revoked", []string{"sessions", "revoke", db2, "-user", "dave"}, exitOK},
			{"done: migrate up on a current database", []string{"migrate", db2, "up"}, exitOK},
			{"unreachable", []string{"sessions", "count", "-database-url", "postgres://app@" + testdb.ClosedAddr(t) + "/app?sslmode=disable"}, exitFailure},
			{"no session matched: revoke", []string{"sessions", "revoke", db2, "-user", "nobody"}, exitFailure},
			{"no session matched: show", []string{"sessions", "show", db2, "0000000000000000"}, exitFailure},
			{"payload could not be decoded", []string{"sessions", "show", db2, undecodable.Key.String()[:16]}, exitFailure},
			{"usage: bad action", []string{"migrate", db2, "sideways"}, exitUsage},
			{"usage: bad flag", []string{"cleanup", db2, "-batch", "-1"}, exitUsage},
			{"usage: force to a version with no migration", []string{"migrate", db2, "force", "99"}, exitUsage},
			{"usage: no command", nil, exitUsage},
			{"usage: unknown command", []string{"frobnicate"}, exitUsage},
			{"help", []string{"help"}, exitOK},
		}
		for _, c := range cases {
			if code, out, errOut := cli(t, c.args...); code != c.code {
				t.Errorf("%s (%v): exit %d, want %d\nstdout %s\nstderr %s", c.meaning, c.args, code, c.code, out, errOut)
			}
		}
		dirtyAndLeaseHeld(t, db, url)
	})
}

// dirtyAndLeaseHeld checks the last rows of the exit table: a cleanup while
// another instance holds the lease exits 3, and a dirty migration exits 1.
func dirtyAndLeaseHeld(t *testing.T, db *storeurl.DB, url string) {
	if ok, err := db.Leaser.AcquireLease(t.Context(), janitor.LeaseName, "elsewhere", time.Minute, time.Now()); !ok || err != nil {
		t.Fatalf("taking the lease: %v %v", ok, err)
	}
	if code, _, errOut := cli(t, "cleanup", "-database-url", url); code != exitNotLeader {
		t.Errorf("cleanup under a held lease: exit %d, want %d: %s", code, exitNotLeader, errOut)
	}

	if db.Kind == storeurl.Dir {
		return // no migrations, so none can be left dirty
	}
	var err error
	const dirty = "UPDATE sessiongen_schema_migrations SET dirty = true"
	if db.Pool != nil {
		_, err = db.Pool.Exec(t.Context(), dirty)
	} else {
		_, err = db.SQL.ExecContext(t.Context(), dirty)
	}
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := cli(t, "migrate", "-database-url", url, "version"); code != exitFailure {
		t.Errorf("migrate version on a dirty database: exit %d, want %d: %s", code, exitFailure, out)
	}
	if code, out, _ := cli(t, "migrate", "-database-url", url, "force", "1"); code != exitOK {
		t.Errorf("migrate force 1 on a dirty database: exit %d, want %d: %s", code, exitOK, out)
	}
}
