package cleanup

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/janitor"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// The data set of the issue: expired sessions to clean next to live ones that
// keep being read, each with a ~300-byte payload.
const (
	expiredRows = 1_000_000
	liveRows    = 100_000
	payloadSize = 300
)

// The foreground load: loaders goroutines, each loading a random live session
// every loadEvery (8 x 500/s = 4,000 loads/s, about a tenth of this machine's
// primary-key ceiling: a busy site, not a saturated server), for
// baselineFor before the cleanup and throughout it.
const (
	loaders     = 8
	loadEvery   = 2 * time.Millisecond
	baselineFor = 5 * time.Second
	warmUpFor   = 2 * time.Second
)

// BenchmarkCleanup reports, per batch size:
//
//	rows/s        cleanup throughput (target >= 100,000)
//	base-p50-µs   load latency without cleanup
//	base-p99-µs
//	during-p50-µs load latency while the cleanup runs
//	during-p99-µs
//	p99-ratio     during-p99 / base-p99 (target <= 2)
//
// Run it once per size: go test -run XXX -bench Cleanup -benchtime 1x ./cleanup/
func BenchmarkCleanup(b *testing.B) {
	// Seeding takes most of a minute, so it is done once, into a template
	// database that every iteration clones in seconds.
	tmpl, now := seededTemplate(b)
	liveKeys := make([]session.Key, liveRows)
	for i := range liveKeys {
		liveKeys[i] = keyOf(expiredRows + 1 + i)
	}
	// Duty below 1 pauses between batches (janitor.Options.Duty): it trades
	// throughput for room left to the concurrent loads.
	for _, c := range benchCases(b) {
		batch := c.batch
		b.Run(c.String(), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				url := tmpl.clone(b)
				loadPool, cleanPool := openPool(b, url, loaders), openPool(b, url, 1)
				if os.Getenv("SESSIONGEN_BENCH_RENICE_CLEANUP") != "" {
					reniceBackend(b, cleanPool)
				}
				backends := loadBackends(b, cleanPool)
				warmUp(b, cleanPool)
				measureLoads(b, pgstore.New(loadPool), liveKeys, now, func() { time.Sleep(warmUpFor) })
				waitBefore := runQueueWait(backends)
				ws := sampleWaits(b, url, backends)
				base := measureLoads(b, pgstore.New(loadPool), liveKeys, now, func() { time.Sleep(baselineFor) })
				ws.report(b, "baseline")
				ws = sampleWaits(b, url, backends)
				waitBase := runQueueWait(backends).minus(waitBefore)

				var (
					res janitor.Result
					err error
				)
				b.StartTimer()
				during := measureLoads(b, pgstore.New(loadPool), liveKeys, now, func() {
					res, err = janitor.Sweep(context.Background(), pgstore.New(cleanPool), janitor.Options{
						Batch: batch,
						Duty:  c.duty,
						Now:   func() time.Time { return now },
					})
				})
				b.StopTimer()
				ws.report(b, "during")
				waitDuring := runQueueWait(backends).minus(waitBefore).minus(waitBase)
				if err != nil || res.Deleted != expiredRows {
					b.Fatalf("cleanup: %+v, %v; want %d deleted", res, err, expiredRows)
				}
				b.ReportMetric(float64(res.Deleted)/res.Elapsed.Seconds(), "rows/s")
				b.ReportMetric(micros(base.p50), "base-p50-µs")
				b.ReportMetric(micros(base.p99), "base-p99-µs")
				b.ReportMetric(micros(during.p50), "during-p50-µs")
				b.ReportMetric(micros(during.p99), "during-p99-µs")
				b.ReportMetric(float64(during.p99)/float64(base.p99), "p99-ratio")
				b.ReportMetric(micros(waitBase.server)/float64(base.n), "base-srv-runq-µs/load")
				b.ReportMetric(micros(waitBase.client)/float64(base.n), "base-cli-runq-µs/load")
				b.ReportMetric(micros(waitDuring.server)/float64(during.n), "during-srv-runq-µs/load")
				b.ReportMetric(micros(waitDuring.client)/float64(during.n), "during-cli-runq-µs/load")
				b.Logf("batch %d: %d rows in %v (%d batches); loads: baseline %d, during %d",
					batch, res.Deleted, res.Elapsed.Round(time.Millisecond), res.Batches, base.n, during.n)
			}
		})
	}
}

func openPool(b *testing.B, url string, conns int32) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns, cfg.MinConns = conns, conns
	if conns == 1 && os.Getenv("SESSIONGEN_BENCH_ASYNC_CLEANUP") != "" {
		cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	// Open every connection now, not lazily during the measurement.
	held := make([]*pgxpool.Conn, conns)
	for i := range held {
		if held[i], err = pool.Acquire(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range held {
		c.Release()
	}
	return pool
}

// keyOf is the key of session number i, as seed computes it in SQL:
// sha256 of i as a big-endian int8.
func keyOf(i int) session.Key {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(i))
	return sha256.Sum256(n[:])
}

// seed fills the table in one statement per kind: sessions
// 1..expiredRows expired over the last 11 days (seven per second, so that
// batches split runs of equal expiry), the next liveRows live for the next
// hours. It then vacuums and analyses, so that every run starts from the
// same settled table, and returns the "now" the rows were made for.
func seed(b *testing.B, pool *pgxpool.Pool) time.Time {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	const insert = `
INSERT INTO sessiongen_sessions (key, owner, data, version, created_at, idle_expires_at, absolute_expires_at)
SELECT sha256(int8send(i)), NULL,
       convert_to(substr(repeat(md5(i::text), 10), 1, $4), 'UTF8'), 1,
       t - interval '1 day', t, t + interval '1 day'
  FROM generate_series($2::bigint, $3::bigint) AS i,
       LATERAL (SELECT $1::timestamptz + ($5::float8 * (i - $2::bigint)) * interval '1 second' AS t) AS at`
	start := time.Now()
	steps := []struct {
		sql  string
		args []any
	}{
		// Expired: from now-1s backwards, 7 per second.
		{insert, []any{now.Add(-time.Second), 1, expiredRows, payloadSize, -1.0 / 7}},
		// Live: from now+1min onwards, one every 0.1 s.
		{insert, []any{now.Add(time.Minute), expiredRows + 1, expiredRows + liveRows, payloadSize, 0.1}},
		{"VACUUM ANALYZE sessiongen_sessions", nil},
	}
	for _, s := range steps {
		if _, err := pool.Exec(ctx, s.sql, s.args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	counts, err := pgstore.New(pool).Count(ctx, now)
	if err != nil || counts != (session.Counts{Live: liveRows, Expired: expiredRows}) {
		b.Fatalf("seeded %+v, %v", counts, err)
	}
	b.Logf("seeded %d rows in %v", expiredRows+liveRows, time.Since(start).Round(time.Millisecond))
	return now
}

// latencies summarises one measurement.
type latencies struct {
	n        int
	p50, p99 time.Duration
}

// measureLoads runs the paced foreground load while work runs, and returns the
// latency percentiles of the loads that ran meanwhile.
func measureLoads(b *testing.B, store session.Store, keys []session.Key, now time.Time, work func()) latencies {
	// Loads finish when told to stop: cancelling one in flight would close
	// its connection and open a new one for the next measurement.
	ctx, stopping := context.Background(), make(chan struct{})
	stop := func() { close(stopping) }
	var (
		mu  sync.Mutex
		all []time.Duration
		wg  sync.WaitGroup
	)
	for g := range loaders {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), uint64(now.UnixNano())))
			var mine []time.Duration
			tick := time.NewTicker(loadEvery)
			defer tick.Stop()
			for {
				select {
				case <-stopping:
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
					return
				case <-tick.C:
				}
				t := time.Now()
				if _, err := store.Load(ctx, keys[rng.IntN(len(keys))], now); err != nil {
					b.Errorf("load: %v", err)
					continue
				}
				mine = append(mine, time.Since(t))
			}
		})
	}
	work()
	stop()
	wg.Wait()
	slices.Sort(all)
	if len(all) == 0 {
		b.Fatal("no load completed")
	}
	return latencies{n: len(all), p50: all[len(all)/2], p99: all[len(all)*99/100]}
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// reniceBackend lowers the CPU priority of the pool's single server process
// (nice 19), for the experiment in docs/bench/cleanup.md that tells CPU
// scheduling latency from other causes of the loads' p99. It needs the server
// on this machine and the right to renice its processes.
func reniceBackend(b *testing.B, pool *pgxpool.Pool) {
	var pid int
	if err := pool.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command("renice", "-n", "19", "-p", strconv.Itoa(pid)).CombinedOutput(); err != nil {
		b.Fatalf("renice %d: %v: %s", pid, err, out)
	}
}

// warmUp reads the clone's table and indexes into the OS cache and the
// primary key and live rows into shared buffers, so that the baseline is the
// steady state of a running site, not a cold start: a fresh clone's first
// loads read from disk.
func warmUp(b *testing.B, pool *pgxpool.Pool) {
	for _, sql := range []string{
		"CREATE EXTENSION IF NOT EXISTS pg_prewarm",
		"SELECT pg_prewarm('sessiongen_sessions', 'read')",
		"SELECT pg_prewarm(indexrelid, 'read') FROM pg_index WHERE indrelid = 'sessiongen_sessions'::regclass",
		"SELECT pg_prewarm('sessiongen_sessions_pkey')",
		"SELECT count(*) FROM sessiongen_sessions WHERE idle_expires_at > now()",
	} {
		if _, err := pool.Exec(context.Background(), sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
}
