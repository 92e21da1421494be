package faulttest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// recoveryBudget bounds how long the application may take to serve again
// after the server is back.
const recoveryBudget = 30 * time.Second

// worker is one visitor incrementing its own counter in a loop.
type worker struct {
	v         *visitor
	acked     int64 // 200s: increments the application acknowledged
	failed    int64 // everything else: the increment may or may not be stored
	recovered atomic.Bool
	problems  []string // failures that were not a clean 503 without cookie
}

// PostgreSQL stopped with -m immediate under load, then started again: see
// outageUnderLoad.
func TestImmediateStopUnderLoad(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	outageUnderLoad(t, server{
		store:    pgstore.New(pool),
		stop:     c.StopImmediate,
		start:    c.Start,
		sessions: func() int { return rows(t, pool) },
	})
}

// server is a database server a test takes down and brings back, and a store
// on it.
type server struct {
	store       session.Store
	stop, start func()
	// sessions counts the stored sessions (for outageUnderLoad).
	sessions func() int
}

// outageUnderLoad stops srv under load and starts it again: while it is down
// every request is a 503 without Set-Cookie and no session is created;
// afterwards the same application serves again without a restart, and every
// acknowledged increment is stored.
func outageUnderLoad(t *testing.T, srv server) {
	a := serveStore(t, srv.store, nil)

	workers := make([]*worker, 4)
	for i := range workers {
		workers[i] = &worker{v: newVisitor(t, a)}
		workers[i].v.mustDo(http.MethodPost, "/hello")
	}
	var restarted atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.loop(stop, &restarted) })
	}

	time.Sleep(500 * time.Millisecond) // load before the fault
	srv.stop()
	time.Sleep(300 * time.Millisecond) // let the workers hit the outage
	newcomer := newVisitor(t, a).do(http.MethodPost, "/hello")
	returning := workers[0].v.do(http.MethodGet, "/")
	for name, r := range map[string]reply{"new visitor": newcomer, "returning visitor": returning} {
		if r.err != nil || r.code != http.StatusServiceUnavailable || r.setCookie {
			t.Errorf("%s while the server is down: status %d, Set-Cookie %v, error %v; want 503 without cookie",
				name, r.code, r.setCookie, r.err)
		}
	}
	time.Sleep(700 * time.Millisecond)
	srv.start()
	restarted.Store(true)
	restartedAt := time.Now()
	for !allRecovered(workers) && time.Since(restartedAt) < recoveryBudget {
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("every worker served again %s after the server accepted connections", time.Since(restartedAt).Round(10*time.Millisecond))
	time.Sleep(300 * time.Millisecond) // some load after the recovery
	close(stop)
	wg.Wait()

	var acked, failed int64
	for i, w := range workers {
		if !w.recovered.Load() {
			t.Errorf("worker %d got no 200 within %s of the restart", i, recoveryBudget)
		}
		for _, p := range w.problems {
			t.Errorf("worker %d: %s", i, p)
		}
		stored := w.v.count()
		if stored < w.acked || stored > w.acked+w.failed {
			t.Errorf("worker %d: %d increments stored, %d acknowledged and %d failed: want between %d and %d",
				i, stored, w.acked, w.failed, w.acked, w.acked+w.failed)
		}
		acked += w.acked
		failed += w.failed
		t.Logf("worker %d: acknowledged %d, failed %d, stored %d", i, w.acked, w.failed, stored)
	}
	if failed == 0 {
		t.Error("no request failed: the outage was not observed")
	}
	if n := srv.sessions(); n != len(workers) {
		t.Errorf("%d sessions stored, want the %d started before the outage", n, len(workers))
	}
	t.Logf("total: %d increments acknowledged, %d failed with 503", acked, failed)
}

// loop increments until stop, tallying outcomes. Any failure must be a
// 503 without a cookie.
func (w *worker) loop(stop <-chan struct{}, restarted *atomic.Bool) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		r := w.v.do(http.MethodPost, "/incr")
		if r.err == nil && r.code == http.StatusOK {
			w.acked++
			if restarted.Load() {
				w.recovered.Store(true)
			}
			continue
		}
		w.failed++
		if r.err != nil || r.code != http.StatusServiceUnavailable || r.setCookie {
			w.problems = append(w.problems, fmt.Sprintf("status %d, Set-Cookie %v, error %v, body %q",
				r.code, r.setCookie, r.err, r.body))
		}
		time.Sleep(5 * time.Millisecond) // do not spin while the server is down
	}
}

func allRecovered(workers []*worker) bool {
	for _, w := range workers {
		if !w.recovered.Load() {
			return false
		}
	}
	return true
}

// A server restart while the application is idle costs the visitors nothing:
// the first request afterwards succeeds on the stale pool, through pgstore's
// one retry of an idempotent statement whose connection had died.
func TestRestartWhileIdle(t *testing.T) {
	c := startCluster(t)
	cfg, err := pgxpool.ParseConfig(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	// pgxpool pings a connection on acquire only when it has been idle for
	// over a second, so whether the stale connection is caught there depends
	// on how fast this machine restarts the server. Never pinging makes the
	// test see the case of a fast restart every time: the store must cope.
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pgstore.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	restartWhileIdle(t, server{store: pgstore.New(pool), stop: c.StopImmediate, start: c.Start})
}

// restartWhileIdle increments once, stops and starts srv with no traffic in
// between, and wants the first request afterwards to succeed on the pool
// that still holds the dead connection.
func restartWhileIdle(t *testing.T, srv server) {
	t.Helper()
	a := serveStore(t, srv.store, nil)
	v := newVisitor(t, a)
	v.mustDo(http.MethodPost, "/incr")
	srv.stop()
	srv.start()
	if r := v.do(http.MethodPost, "/incr"); r.err != nil || r.code != http.StatusOK || r.body != "2" {
		t.Errorf("first request after the restart: status %d, body %q, error %v; want 200 and count 2\nlog:\n%s",
			r.code, r.body, r.err, a.log)
	}
}
