package dirstore_test

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
)

// The multi-process test: the test binary re-runs itself as
// TestHelperProcess in several processes at once. Each one first tries to
// take the same lease, then its goroutines increment counters kept in shared
// sessions through Load and a version-checked Save retried on ErrConflict.
// Exact totals show that the flock-protected version check lost no
// increment across processes, and exactly one process may get the lease.
const (
	helperEnvDir  = "DIRSTORE_HELPER_DIR"
	helperEnvID   = "DIRSTORE_HELPER_ID"
	helperEnvNow  = "DIRSTORE_HELPER_NOW"
	helperWorkers = 2  // goroutines per process
	helperRounds  = 60 // increments per goroutine
	counters      = 3  // sessions the increments are spread over
	processes     = 3
)

func counterKey(i int) session.Key { return keyOf("counter-" + strconv.Itoa(i)) }

func TestProcessesShareOneDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	s := tempStore(t)
	ctx := t.Context()
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
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), helperEnvDir+"="+s.Dir(), helperEnvID+"="+strconv.Itoa(p),
			helperEnvNow+"="+strconv.FormatInt(now.UnixMicro(), 10))
		wg.Go(func() { outputs[p], errs[p] = cmd.CombinedOutput() })
	}
	wg.Wait()
	leaders := 0
	for p := range processes {
		if errs[p] != nil {
			t.Fatalf("process %d: %v\n%s", p, errs[p], outputs[p])
		}
		line := opstest.Summary(outputs[p])
		t.Log(line)
		if strings.Contains(line, "lease: true") {
			leaders++
		}
	}
	if leaders != 1 {
		t.Errorf("%d processes got the lease, want exactly 1", leaders)
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
	fmt.Printf("process %s: lease: %v, %d increments, %d conflicts retried\n",
		os.Getenv(helperEnvID), leader, helperWorkers*helperRounds, conflicts[0]+conflicts[1])
}
