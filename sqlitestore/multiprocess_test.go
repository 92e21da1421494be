package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// The two-process test: the test binary re-runs itself twice as
// TestHelperProcess, and both children increment the same counters in one
// database file at once, through Load and a version-checked Save retried on
// ErrConflict. Exact totals show that no increment was lost and that no
// "database is locked" error reached a caller.
const (
	helperEnvDB   = "SQLITESTORE_HELPER_DB"
	helperEnvID   = "SQLITESTORE_HELPER_ID"
	helperWorkers = 2  // goroutines per process
	helperRounds  = 60 // increments per goroutine
	counters      = 3  // sessions the increments are spread over
	processes     = 2
)

// counterKey is the key of counter i.
func counterKey(i int) session.Key { return keyOf("counter-" + strconv.Itoa(i)) }

func TestTwoProcessesOneFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	path := tempPath(t)
	s := openMigrated(t, path)
	ctx := context.Background()
	now := time.Now()
	for i := range counters {
		if err := s.Create(ctx, liveRecord(counterKey(i), opstest.CounterData(0), now)); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	outputs := make([][]byte, processes)
	errs := make([]error, processes)
	for p := range processes {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnvDB+"="+path, helperEnvID+"="+strconv.Itoa(p))
		wg.Go(func() { outputs[p], errs[p] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for p := range processes {
		if errs[p] != nil {
			t.Fatalf("process %d: %v\n%s", p, errs[p], outputs[p])
		}
		t.Log(opstest.Summary(outputs[p]))
	}

	perCounter := processes * helperWorkers * helperRounds / counters
	for i := range counters {
		rec, err := s.Load(ctx, counterKey(i), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		got := opstest.CounterValue(rec.Data)
		if got != uint64(perCounter) || rec.Version != int64(perCounter)+1 {
			t.Errorf("counter %d = %d at version %d, want %d at version %d", i, got, rec.Version, perCounter, perCounter+1)
		}
	}
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

	var conflicts [helperWorkers]int
	var wg sync.WaitGroup
	errs := make(chan error, helperWorkers)
	for w := range helperWorkers {
		wg.Go(func() {
			for r := range helperRounds {
				n, err := opstest.Increment(s, counterKey((w+r)%counters))
				conflicts[w] += n
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for _, n := range conflicts {
		total += n
	}
	fmt.Printf("process %s: %d increments, %d conflicts retried\n",
		os.Getenv(helperEnvID), helperWorkers*helperRounds, total)
}
