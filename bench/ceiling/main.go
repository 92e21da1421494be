// Command ceiling measures how close pgstore comes to what PostgreSQL itself
// and pgx can do on this machine, comparing like with like: for Load and for
// Save, pgbench (prepared), raw pgx and pgstore run the very statement
// pgstore sends (taken from gen/pgdb), with the same parameters; raw pgx also
// scans the same columns into the same Go types. The sides alternate within
// each round, rounds repeat (-reps), and the report gives per-round ratios
// with the load average beside them. docs/bench/ceiling.md explains each side.
//
//	go run ./ceiling -duration 10s -clients 1,8,32 -reps 3
//
// With -pool-sizes, it measures pgstore.Save instead at each client count on
// pools of each size (docs/bench/ceiling.md, "Pool size").
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/bench/ceiling/flagutil"
	"github.com/sessiongen/sessiongen/bench/ceiling/freshdb"
	"github.com/sessiongen/sessiongen/pgstore"
)

type config struct {
	duration   time.Duration
	clients    []int
	poolSizes  []int
	rows       int
	reps       int
	out        string
	cpuProfile string
	// commitDelay, when set, makes every WAL flush of the benchmark's
	// database take at least this long (see slowFlushes).
	commitDelay time.Duration
}

func main() {
	var cfg config
	var clients, poolSizes string
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "length of each measurement (whole seconds)")
	flag.StringVar(&clients, "clients", "1,8,32", "comma-separated client counts")
	flag.StringVar(&poolSizes, "pool-sizes", "", "if set (e.g. 4,32,64): measure Save on pools of these sizes instead of the ceiling")
	flag.IntVar(&cfg.rows, "rows", 100_000, "rows in the table")
	flag.IntVar(&cfg.reps, "reps", 3, "rounds per cell; the sides alternate within each round")
	flag.StringVar(&cfg.out, "out", "", "also write the markdown report to this file")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of this process (the Go side) to this file")
	flag.DurationVar(&cfg.commitDelay, "commit-delay", 0, "if set (e.g. 5ms): every WAL flush waits this long first, as on a disk that slow (PostgreSQL's commit_delay with commit_siblings=0, on the benchmark's database only)")
	flag.Parse()
	var err error
	if cfg.clients, err = flagutil.Ints(clients); err != nil {
		log.Fatalf("ceiling: -clients: %v", err)
	}
	if poolSizes != "" {
		if cfg.poolSizes, err = flagutil.Ints(poolSizes); err != nil {
			log.Fatalf("ceiling: -pool-sizes: %v", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, flagutil.Command("ceiling")); err != nil {
		log.Fatalf("ceiling: %v", err)
	}
}

func run(ctx context.Context, cfg config, command string) (err error) {
	db, err := freshdb.Create(ctx, freshdb.ServerURL(), "sessiongen_ceiling_")
	if err != nil {
		return err
	}
	defer func() {
		dropCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if dropErr := db.Drop(dropCtx); err == nil {
			err = dropErr
		}
	}()
	pool, err := openPool(ctx, db.URL, slices.Max(cfg.clients)+2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if cfg.commitDelay > 0 {
		if err := slowFlushes(ctx, pool, cfg.commitDelay); err != nil {
			return err
		}
	}
	if err := pgstore.Migrate(ctx, pool); err != nil {
		return err
	}
	exp := newExpiries()
	log.Printf("filling %d rows of %d bytes", cfg.rows, dataSize)
	if err := fill(ctx, pool, cfg.rows, exp); err != nil {
		return err
	}
	machine, err := describeMachine(ctx, pool)
	if err != nil {
		return err
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	m := &measurer{cfg: cfg, db: db, pool: pool, store: pgstore.New(pool), exp: exp, data: make([]byte, dataSize)}
	rand.Read(m.data)
	if len(cfg.poolSizes) > 0 {
		rows, err := m.poolTable(ctx)
		if err != nil {
			return err
		}
		return flagutil.WriteReport(cfg.out, func(w io.Writer) { poolReport(w, cfg, command, machine, rows) })
	}
	var rows []row
	for _, w := range []workload{m.loads(), m.saves()} {
		for _, n := range cfg.clients {
			r, err := m.rounds(ctx, w, n)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	return flagutil.WriteReport(cfg.out, func(w io.Writer) { report(w, cfg, command, machine, rows) })
}

// slowFlushes makes every WAL flush of the pool's database wait delay before
// it starts, for every connection opened from now on (pgbench's included):
// PostgreSQL's commit_delay, with commit_siblings=0 so that the wait is not
// skipped when few transactions are open. The commits that arrive while one
// waits join its flush, as they would join a flush in progress on a slow
// disk, so the server behaves as on a disk whose flush takes delay longer:
// how a machine whose fsync takes milliseconds (network storage, a cloud
// volume) meets a small pool, measured on one whose fsync is fast.
func slowFlushes(ctx context.Context, pool *pgxpool.Pool, delay time.Duration) error {
	_, err := pool.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN
		EXECUTE format('ALTER DATABASE %%I SET commit_delay = %d', current_database());
		EXECUTE format('ALTER DATABASE %%I SET commit_siblings = 0', current_database());
	END $$`, delay.Microseconds()))
	if err != nil {
		return fmt.Errorf("commit_delay: %w", err)
	}
	pool.Reset() // the connections open so far keep the old settings
	return nil
}

// openPool opens a pool of size connections on dbURL.
func openPool(ctx context.Context, dbURL string, size int) (*pgxpool.Pool, error) {
	poolCfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	poolCfg.MaxConns = int32(size)
	return pgxpool.NewWithConfig(ctx, poolCfg)
}

// measurer runs the sides of the workloads.
type measurer struct {
	cfg   config
	db    *freshdb.DB
	pool  *pgxpool.Pool
	store *pgstore.Store
	exp   expiries
	data  []byte
}

// A workload is a name and its sides, which run in turn at one client count.
type workload struct {
	name  string
	sides []side
}

// A side measures one way of doing the workload's work at n clients, in
// operations per second.
type side struct {
	name    string
	measure func(ctx context.Context, n int) (float64, error)
}

// The sides every report names; bare is a diagnostic (the statement without
// decoding a column), measured for Load only.
const (
	sidePgbench = "pgbench"
	sideRaw     = "raw pgx"
	sideBare    = "raw pgx, no scan"
	sideStore   = "pgstore"
)

func (m *measurer) loads() workload {
	goSide := func(name string, w func(c int) worker) side {
		return side{name, func(ctx context.Context, n int) (float64, error) {
			d, err := drive(ctx, n, m.cfg.duration, w)
			return d.opsPerSec, err
		}}
	}
	return workload{name: "Load (hit)", sides: []side{
		{sidePgbench, func(ctx context.Context, n int) (float64, error) {
			script, err := loadScript(m.cfg.rows)
			if err != nil {
				return 0, err
			}
			res, err := runPgbench(ctx, m.db.URL, script, n, m.cfg.duration, nil)
			return res.tps, err
		}},
		goSide(sideRaw, rawLoad(m.pool, m.cfg.rows)),
		goSide(sideBare, bareLoad(m.pool, m.cfg.rows)),
		goSide(sideStore, ourLoad(m.store, m.cfg.rows, m.exp)),
	}}
}

// saves resets the versions before every side, so that each starts from
// the same table and the walk's versions hold.
func (m *measurer) saves() workload {
	goSide := func(name string, w func(rows, clients int, data []byte, exp expiries) func(c int) worker) side {
		return side{name, func(ctx context.Context, n int) (float64, error) {
			if err := resetVersions(ctx, m.pool); err != nil {
				return 0, err
			}
			d, err := drive(ctx, n, m.cfg.duration, w(m.cfg.rows, n, m.data, m.exp))
			return d.opsPerSec, err
		}}
	}
	return workload{name: "Save", sides: []side{
		{sidePgbench, m.pgbenchSave},
		goSide(sideRaw, func(rows, clients int, data []byte, exp expiries) func(c int) worker {
			return rawSave(m.pool, rows, clients, data, exp)
		}),
		goSide(sideStore, func(rows, clients int, data []byte, exp expiries) func(c int) worker {
			return ourSave(m.store, rows, clients, data, exp)
		}),
	}}
}

// pgbenchSave runs Save's statement in pgbench on n connections, from a
// reset table, and checks that every update it counted did happen.
func (m *measurer) pgbenchSave(ctx context.Context, n int) (float64, error) {
	if err := resetVersions(ctx, m.pool); err != nil {
		return 0, err
	}
	script, err := saveScript(m.cfg.rows, n)
	if err != nil {
		return 0, err
	}
	res, err := runPgbench(ctx, m.db.URL, script, n, m.cfg.duration, saveVars(m.data, m.exp))
	if err != nil {
		return 0, err
	}
	saved, err := savedCount(ctx, m.pool)
	if err != nil {
		return 0, err
	}
	if saved != res.transactions {
		return 0, fmt.Errorf("pgbench counted %d updates but %d rows changed version: its version check missed", res.transactions, saved)
	}
	return res.tps, nil
}

// round is one pass over a workload's sides: operations per second per side
// and the 1-minute load average before and after.
type round struct {
	ops        map[string]float64
	loadBefore float64
	loadAfter  float64
}

// row is one line of the report: a workload at one client count.
type row struct {
	workload string
	clients  int
	sides    []string
	rounds   []round
}

// rounds measures w at n clients cfg.reps times. The order of the sides
// rotates from round to round, so that none always runs first (on a cold
// cache) or last.
func (m *measurer) rounds(ctx context.Context, w workload, n int) (row, error) {
	r := row{workload: w.name, clients: n}
	for _, s := range w.sides {
		r.sides = append(r.sides, s.name)
	}
	for rep := range m.cfg.reps {
		rd := round{ops: map[string]float64{}, loadBefore: loadAverage()}
		for k := range w.sides {
			s := w.sides[(rep+k)%len(w.sides)]
			log.Printf("%s, %d clients, round %d: %s", w.name, n, rep+1, s.name)
			v, err := s.measure(ctx, n)
			if err != nil {
				return r, fmt.Errorf("%s, %s, %d clients: %w", w.name, s.name, n, err)
			}
			rd.ops[s.name] = v
			log.Printf("  %.0f/s", v)
		}
		rd.loadAfter = loadAverage()
		r.rounds = append(r.rounds, rd)
	}
	return r, nil
}
