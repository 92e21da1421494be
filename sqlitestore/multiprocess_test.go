package sqlitestore_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// The two-process test: the test binary re-runs itself twice as
// TestHelperProcess, and both children increment the same counters in one
// database file at once, through Load and a version-checked Save retried on
// ErrConflict. Exact totals show that no increment was lost and that no
// "database is locked" error reached a caller.
const (
	helperEnvDB = "SQLITESTORE_HELPER_DB"
	helperEnvID = "SQLITESTORE_HELPER_ID"
)

// work: 2 processes of 2 goroutines, 60 increments each, over 3 sessions.
var work = opstest.Counters{N: 3, Processes: 2, Workers: 2, Rounds: 60}

func TestTwoProcessesOneFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	path := tempPath(t)
	s := openMigrated(t, path)
	work.Seed(t, s, time.Now())
	work.Start(t, "TestHelperProcess", func(p int) []string {
		return []string{helperEnvDB + "=" + path, helperEnvID + "=" + strconv.Itoa(p)}
	})
	work.Check(t, s)
}

// TestHelperProcess is one of TestTwoProcessesOneFile's writers; it does
// nothing unless started by that test.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnvDB)
	if path == "" {
		t.Skip("helper process for TestTwoProcessesOneFile")
	}
	s, err := sqlitestore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conflicts := work.Work(t, s)
	fmt.Printf("process %s: %d increments, %d conflicts retried\n", os.Getenv(helperEnvID), work.Increments(), conflicts)
}
