package sqlitedb

import (
	"database/sql"
	"io/fs"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/sessiongen/sessiongen/schema"
)

// TestQueryPlans checks that no session statement scans the whole table:
// each must reach its rows through the primary key or an index, whatever the
// table's size. It reads SQLite's EXPLAIN QUERY PLAN of the generated SQL.
func TestQueryPlans(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/plan.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ups, err := fs.Glob(schema.SQLite(), "*.up.sql") // in lexical order: the versions'
	if err != nil || len(ups) == 0 {
		t.Fatalf("migrations: %v, %v", ups, err)
	}
	for _, name := range ups {
		up, err := fs.ReadFile(schema.SQLite(), name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(up)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	for _, tc := range []struct {
		name, query string
		args        int
	}{
		{"CreateSession", createSession, 9},
		{"LoadSession", loadSession, 1},
		{"SaveSession", saveSession, 7},
		{"LiveVersion", liveVersion, 2},
		{"TouchSession", touchSession, 3},
		{"RotateSession", rotateSession, 8},
		{"DeleteSession", deleteSession, 2},
		{"DeleteOwnerSessions", deleteOwnerSessions, 2},
		{"DeleteOwnedSession", deleteOwnedSession, 3},
		{"TrimOwnerSessions", trimOwnerSessions, 7},
		{"ListOwnerSessions", listOwnerSessions, 3},
		{"ListSessions", listSessions, 2},
		{"DeleteExpiredSessions", deleteExpiredSessions, 3},
		{"AcquireLease", acquireLease, 4},
		{"ReleaseLease", releaseLease, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := make([]any, tc.args)
			for i := range args {
				args[i] = int64(1)
			}
			rows, err := db.Query("EXPLAIN QUERY PLAN "+tc.query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notUsed int
				var detail string
				if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for _, step := range plan {
				// "SCAN CONSTANT ROW" is the one-row SELECT of an INSERT ... SELECT.
				if strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW" && !strings.Contains(step, " USING ") {
					t.Errorf("full scan %q in plan %q", step, plan)
				}
			}
		})
	}
}
