package dirstore_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/internal/opstest"
)

// The multi-process test: the test binary re-runs itself as
// TestHelperProcess in several processes at once. Each one first tries to
// take the same lease, then its goroutines increment counters kept in shared
// sessions through Load and a version-checked Save retried on ErrConflict.
// Exact totals show that the flock-protected version check lost no
// increment across processes, and exactly one process may get the lease.
const (
	helperEnvDir = "DIRSTORE_HELPER_DIR"
	helperEnvID  = "DIRSTORE_HELPER_ID"
	helperEnvNow = "DIRSTORE_HELPER_NOW"
)

// work: 3 processes of 2 goroutines, 60 increments each, over 3 sessions.
var work = opstest.Counters{N: 3, Processes: 3, Workers: 2, Rounds: 60}

func TestProcessesShareOneDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	s := tempStore(t)
	now := time.Now()
	work.Seed(t, s, now)
	lines := work.Start(t, "TestHelperProcess", func(p int) []string {
		return []string{helperEnvDir + "=" + s.Dir(), helperEnvID + "=" + strconv.Itoa(p),
			helperEnvNow + "=" + strconv.FormatInt(now.UnixMicro(), 10)}
	})
	leaders := 0
	for _, line := range lines {
		if strings.Contains(line, "lease: true") {
			leaders++
		}
	}
	if leaders != 1 {
		t.Errorf("%d processes got the lease, want exactly 1", leaders)
	}
	work.Check(t, s)
}

// TestHelperProcess is one of TestProcessesShareOneDirectory's processes; it
// does nothing unless started by that test.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnvDir)
	if dir == "" {
		t.Skip("helper process for TestProcessesShareOneDirectory")
	}
	s, err := dirstore.Open(dir, dirstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	micros, _ := strconv.ParseInt(os.Getenv(helperEnvNow), 10, 64)
	leader, err := s.AcquireLease(ctx, "cleanup", "process "+os.Getenv(helperEnvID), time.Hour, time.UnixMicro(micros))
	if err != nil {
		t.Fatal(err)
	}

	conflicts := work.Work(t, s)
	fmt.Printf("process %s: lease: %v, %d increments, %d conflicts retried\n",
		os.Getenv(helperEnvID), leader, work.Increments(), conflicts)
}
