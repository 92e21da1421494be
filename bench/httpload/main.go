// Command httpload compares the example-style application (a session with a
// counter, a name and a cart) on sessiongen's middleware with pgstore against
// the same application on scs with its pgxstore, on the same PostgreSQL server
// in the same run. Each side gets a fresh database of its own; a Go load
// generator on loopback sends 90% reads and 10% counter increments from
// per-client cookie jars for a fixed duration at each client count, and a
// markdown table of throughput, p50/p99 and the ratio is printed.
//
//	go run ./httpload -duration 15s -clients 8,32
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/bench/ceiling/flagutil"
	"github.com/sessiongen/sessiongen/bench/ceiling/freshdb"
	"github.com/sessiongen/sessiongen/bench/httpload/app"
	"github.com/sessiongen/sessiongen/pgstore"
)

// scsSchema is the table scs's pgxstore README asks for, verbatim.
const scsSchema = `
CREATE TABLE sessions (
	token TEXT PRIMARY KEY,
	data BYTEA NOT NULL,
	expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);`

type config struct {
	duration   time.Duration
	clients    []int
	writeShare float64
	reps       int
	out        string
	profiles   string
}

func main() {
	var cfg config
	var clients string
	flag.DurationVar(&cfg.duration, "duration", 15*time.Second, "length of each measurement")
	flag.StringVar(&clients, "clients", "8,32", "comma-separated concurrent client counts")
	flag.Float64Var(&cfg.writeShare, "writes", 0.1, "share of requests that change the session")
	flag.IntVar(&cfg.reps, "reps", 1, "measure each side this many times per client count, alternating; the median run is reported")
	flag.StringVar(&cfg.out, "out", "", "also write the markdown report to this file")
	flag.StringVar(&cfg.profiles, "cpuprofile", "", "write CPU profiles to PREFIX-<side>-<clients>.pprof")
	flag.Parse()
	var err error
	if cfg.clients, err = flagutil.Ints(clients); err != nil {
		log.Fatalf("httpload: -clients: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	command := flagutil.Command("httpload")
	if err := run(ctx, cfg, command); err != nil {
		log.Fatalf("httpload: %v", err)
	}
}

// side is one application under test.
type side struct {
	name string
	url  string
}

func run(ctx context.Context, cfg config, command string) error {
	oursPool, dropOurs, err := database(ctx, "sessiongen_http_ours_")
	if err != nil {
		return err
	}
	defer dropOurs()
	if err := pgstore.Migrate(ctx, oursPool); err != nil {
		return err
	}
	scsPool, dropSCS, err := database(ctx, "sessiongen_http_scs_")
	if err != nil {
		return err
	}
	defer dropSCS()
	if _, err := scsPool.Exec(ctx, scsSchema); err != nil {
		return err
	}
	scsStore := pgxstore.New(scsPool)
	defer scsStore.StopCleanup()

	sides := []side{
		{name: "sessiongen + pgstore", url: serve(app.Ours(pgstore.New(oursPool), nil))},
		{name: "scs + pgxstore", url: serve(app.SCS(scsStore))},
	}
	table := map[string]map[int]result{}
	for _, n := range cfg.clients {
		for rep := range cfg.reps {
			for _, s := range sides {
				log.Printf("%s, %d clients, run %d", s.name, n, rep+1)
				r, err := measure(ctx, cfg, s, n)
				if err != nil {
					return fmt.Errorf("%s, %d clients: %w", s.name, n, err)
				}
				keepMedian(table, s.name, n, r, rep, cfg.reps)
			}
		}
	}
	return flagutil.WriteReport(cfg.out, func(w io.Writer) { report(w, cfg, command, sides, table) })
}

// measure runs the load against one side, under a CPU profile if asked.
func measure(ctx context.Context, cfg config, s side, clients int) (result, error) {
	if cfg.profiles != "" {
		name := strings.ReplaceAll(strings.Fields(s.name)[0], "/", "_")
		f, err := os.Create(fmt.Sprintf("%s-%s-%d.pprof", cfg.profiles, name, clients))
		if err != nil {
			return result{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return result{}, err
		}
		defer pprof.StopCPUProfile()
	}
	return load(ctx, s.url, clients, cfg.duration, cfg.writeShare)
}

// database creates a fresh database and a pool on it with pgxpool's
// defaults, as both libraries' READMEs use it.
func database(ctx context.Context, prefix string) (*pgxpool.Pool, func(), error) {
	db, err := freshdb.Create(ctx, freshdb.ServerURL(), prefix)
	if err != nil {
		return nil, nil, err
	}
	pool, err := pgxpool.New(ctx, db.URL)
	if err != nil {
		return nil, nil, err
	}
	return pool, func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			log.Print(err)
		}
	}, nil
}

// serve starts h on a loopback port for the life of the process.
func serve(h http.Handler) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return "http://" + l.Addr().String()
}
