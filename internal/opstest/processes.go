package opstest

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// Counters is the work of a multi-process test: Processes copies of the test
// binary, re-run as a helper test, each with Workers goroutines that increment
// the counters Rounds times each, spread over N shared sessions. Exact totals
// afterwards show that no increment was lost across processes.
type Counters struct {
	N, Processes, Workers, Rounds int
}

// CounterKey is the key of counter i: the SHA-256 of a fixed token, as the
// runtime derives keys, so that every process finds the same sessions.
func CounterKey(i int) session.Key { return KeyOf("counter-" + strconv.Itoa(i)) }

// Seed creates the counters at zero, live for a day after now.
func (c Counters) Seed(t testing.TB, store session.Store, now time.Time) {
	t.Helper()
	for i := range c.N {
		Create(t, store, LiveRecord(CounterKey(i), CounterData(0), now))
	}
}

// Start runs c.Processes copies of the test binary as the test named helper,
// process p with the environment env(p) added, waits for all of them and
// returns each one's SummaryMarker line. A process that fails fails t with
// its output.
func (c Counters) Start(t *testing.T, helper string, env func(p int) []string) []string {
	t.Helper()
	var wg sync.WaitGroup
	outputs := make([][]byte, c.Processes)
	errs := make([]error, c.Processes)
	for p := range c.Processes {
		cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), env(p)...)
		wg.Go(func() { outputs[p], errs[p] = cmd.CombinedOutput() })
	}
	wg.Wait()
	lines := make([]string, c.Processes)
	for p := range c.Processes {
		if errs[p] != nil {
			t.Fatalf("process %d: %v\n%s", p, errs[p], outputs[p])
		}
		lines[p] = Summary(outputs[p])
		t.Log(lines[p])
	}
	return lines
}

// Work is one helper process's share: c.Workers goroutines incrementing the
// counters in turn through store. Failures are reported to t; it returns how
// many conflicts were retried, and prints nothing (the helper prints its
// summary, with SummaryMarker).
func (c Counters) Work(t testing.TB, store session.Store) (conflicts int) {
	perWorker := make([]int, c.Workers)
	var wg sync.WaitGroup
	errs := make(chan error, c.Workers)
	for w := range c.Workers {
		wg.Go(func() {
			for r := range c.Rounds {
				n, err := Increment(store, CounterKey((w+r)%c.N))
				perWorker[w] += n
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
	for _, n := range perWorker {
		conflicts += n
	}
	return conflicts
}

// Increments is how many increments one helper process makes.
func (c Counters) Increments() int { return c.Workers * c.Rounds }

// Check fails t unless every counter holds its exact share of all the
// processes' increments, at the version that many saves give.
func (c Counters) Check(t testing.TB, store session.Store) {
	t.Helper()
	perCounter := c.Processes * c.Workers * c.Rounds / c.N
	for i := range c.N {
		rec, err := store.Load(t.Context(), CounterKey(i), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		got := CounterValue(rec.Data)
		if got != uint64(perCounter) || rec.Version != int64(perCounter)+1 {
			t.Errorf("counter %d = %d at version %d, want %d at version %d", i, got, rec.Version, perCounter, perCounter+1)
		}
	}
}
