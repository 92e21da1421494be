// Command ceiling measures how close pgstore comes to what PostgreSQL itself
// can do on this machine, in one run: pgbench runs a primary-key SELECT of
// Load's columns and a version-checked UPDATE like Save's at each client
// count, then pgstore's Load and Save run at the same concurrency for the same
// duration against the same table, and a markdown table of the ratios is
// printed. docs/bench/ceiling.md explains exactly what each side does.
//
//	go run ./ceiling -duration 20s -clients 1,8,32
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
	rows       int
	raw        bool
	reps       int
	out        string
	cpuProfile string
}

func main() {
	var cfg config
	var clients string
	flag.DurationVar(&cfg.duration, "duration", 20*time.Second, "length of each measurement (whole seconds)")
	flag.StringVar(&clients, "clients", "1,8,32", "comma-separated client counts")
	flag.IntVar(&cfg.rows, "rows", 100_000, "rows in the table")
	flag.BoolVar(&cfg.raw, "raw", true, "also run pgbench's own statements through pgx from Go (tells client cost from store cost)")
	flag.IntVar(&cfg.reps, "reps", 1, "measure every side this many times, alternating, and report the medians")
	flag.StringVar(&cfg.out, "out", "", "also write the markdown report to this file")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of this process (the Go side) to this file")
	flag.Parse()
	var err error
	if cfg.clients, err = flagutil.Ints(clients); err != nil {
		log.Fatalf("ceiling: -clients: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, flagutil.Command("ceiling")); err != nil {
		log.Fatalf("ceiling: %v", err)
	}
}

// row is one line of the report.
type row struct {
	workload      string
	clients       int
	pgbench, ours float64
	raw           float64 // 0 when not measured
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
	poolCfg, err := pgxpool.ParseConfig(db.URL)
	if err != nil {
		return err
	}
	poolCfg.MaxConns = int32(slices.Max(cfg.clients) + 2)
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return err
	}
	defer pool.Close()
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
	var rows []row
	for _, workload := range []func(context.Context, int) (row, error){m.selects, m.updates} {
		for _, n := range cfg.clients {
			r, err := repeat(ctx, cfg.reps, n, workload)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	return flagutil.WriteReport(cfg.out, func(w io.Writer) { report(w, cfg, command, machine, rows) })
}

// measurer runs the three sides of one workload at one client count.
type measurer struct {
	cfg   config
	db    *freshdb.DB
	pool  *pgxpool.Pool
	store *pgstore.Store
	exp   expiries
	data  []byte
}

func (m *measurer) selects(ctx context.Context, n int) (row, error) {
	r := row{workload: "SELECT by key / Load", clients: n}
	log.Printf("select, %d clients: pgbench", n)
	pg, err := runPgbench(ctx, m.db.URL, selectScript(m.cfg.rows), n, m.cfg.duration, nil)
	if err != nil {
		return r, err
	}
	r.pgbench = pg.tps
	log.Printf("select, %d clients: pgstore.Load", n)
	if r.ours, err = drive(ctx, n, m.cfg.duration, ourLoad(m.store, m.cfg.rows)); err != nil {
		return r, err
	}
	if m.cfg.raw {
		log.Printf("select, %d clients: raw pgx", n)
		r.raw, err = drive(ctx, n, m.cfg.duration, rawSelect(m.pool, m.cfg.rows))
	}
	return r, err
}

func (m *measurer) updates(ctx context.Context, n int) (row, error) {
	r := row{workload: "version-checked UPDATE / Save", clients: n}
	if err := resetVersions(ctx, m.pool); err != nil {
		return r, err
	}
	log.Printf("update, %d clients: pgbench", n)
	vars := map[string]string{"i": "0", "data": byteaLiteral(m.data), "idle": m.exp.idle.Format(time.RFC3339)}
	pg, err := runPgbench(ctx, m.db.URL, updateScript(m.cfg.rows, n), n, m.cfg.duration, vars)
	if err != nil {
		return r, err
	}
	saved, err := savedCount(ctx, m.pool)
	if err != nil {
		return r, err
	}
	if saved != pg.transactions {
		return r, fmt.Errorf("pgbench counted %d updates but %d rows changed version: its version check missed", pg.transactions, saved)
	}
	r.pgbench = pg.tps
	if r.ours, err = m.afterReset(ctx, n, "pgstore.Save", ourSave(m.store, m.cfg.rows, n, m.data, m.exp)); err != nil {
		return r, err
	}
	if m.cfg.raw {
		r.raw, err = m.afterReset(ctx, n, "raw pgx", rawUpdate(m.pool, m.cfg.rows, n, m.data, m.exp))
	}
	return r, err
}

// afterReset resets the versions and drives a Go-side update run.
func (m *measurer) afterReset(ctx context.Context, n int, name string, w func(c int) worker) (float64, error) {
	if err := resetVersions(ctx, m.pool); err != nil {
		return 0, err
	}
	log.Printf("update, %d clients: %s", n, name)
	return drive(ctx, n, m.cfg.duration, w)
}

// repeat measures workload at n clients reps times (the sides alternate
// within each repetition) and returns the median of each side: on a shared
// machine one unlucky interval should not decide a ratio.
func repeat(ctx context.Context, reps, n int, workload func(context.Context, int) (row, error)) (row, error) {
	var all []row
	for range reps {
		r, err := workload(ctx, n)
		if err != nil {
			return r, err
		}
		all = append(all, r)
	}
	med := all[0]
	med.pgbench = median(all, func(r row) float64 { return r.pgbench })
	med.ours = median(all, func(r row) float64 { return r.ours })
	med.raw = median(all, func(r row) float64 { return r.raw })
	return med, nil
}

func median(rows []row, field func(row) float64) float64 {
	v := make([]float64, len(rows))
	for i, r := range rows {
		v[i] = field(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}
