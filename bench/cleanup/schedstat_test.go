package cleanup

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// loadBackends returns the server process ids of the load pool's
// connections: every other backend on the clone's database, asked through the
// cleanup pool.
func loadBackends(b *testing.B, cleanPool *pgxpool.Pool) []int {
	rows, err := cleanPool.Query(context.Background(),
		"SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
	if err != nil {
		b.Fatal(err)
	}
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if rows.Err() != nil || len(pids) != loaders {
		b.Fatalf("load backends %v, %v; want %d", pids, rows.Err(), loaders)
	}
	return pids
}

// runQueue is how long processes spent runnable but waiting for a CPU
// (second field of /proc/PID/schedstat): the part of a load's latency that is
// CPU scheduling. Zero where /proc does not say (server on another machine).
type runQueue struct {
	server, client time.Duration
}

// runQueueWait sums it over the load backends and over this test process's
// own threads.
func runQueueWait(pids []int) runQueue {
	var w runQueue
	for _, pid := range pids {
		w.server += schedWait(fmt.Sprintf("/proc/%d/schedstat", pid))
	}
	threads, _ := os.ReadDir("/proc/self/task")
	for _, t := range threads {
		w.client += schedWait("/proc/self/task/" + t.Name() + "/schedstat")
	}
	return w
}

func (w runQueue) minus(v runQueue) runQueue {
	return runQueue{w.server - v.server, w.client - v.client}
}

func schedWait(path string) time.Duration {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) < 2 {
		return 0
	}
	ns, _ := strconv.ParseInt(f[1], 10, 64)
	return time.Duration(ns)
}

// waitSampler counts what the load backends are waiting on while active
// (pg_stat_activity sampled every millisecond): it tells lock, I/O and WAL
// waits from plain CPU time when the loads' tail moves.
type waitSampler struct {
	stop chan struct{}
	done chan map[string]int
}

// sampleWaits starts sampling when -waits is set (the sampler's own query
// every millisecond is load too, so the reported numbers are taken without).
func sampleWaits(b *testing.B, url string, pids []int) *waitSampler {
	s := &waitSampler{stop: make(chan struct{}), done: make(chan map[string]int, 1)}
	if !*waits {
		s.done <- nil
		return s
	}
	pool := openPool(b, url, 1)
	go func() {
		counts := map[string]int{}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				s.done <- counts
				return
			case <-tick.C:
			}
			rows, err := pool.Query(context.Background(),
				`SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity
				  WHERE pid = ANY($1) AND state = 'active'`, pids)
			if err != nil {
				continue
			}
			for rows.Next() {
				var w string
				if rows.Scan(&w) == nil {
					counts[w]++
				}
			}
			rows.Close()
		}
	}()
	return s
}

func (s *waitSampler) report(b *testing.B, what string) {
	close(s.stop)
	counts := <-s.done
	if counts == nil {
		return
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int { return counts[y] - counts[x] })
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, " %s=%d", k, counts[k])
	}
	b.Logf("%s waits:%s", what, sb.String())
}
