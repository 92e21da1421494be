// Package burst measures parallel requests of one visitor on PostgreSQL: a
// burst of 16 or 64 requests on one session, spread over two application
// instances (two managers, two connection pools) on one database, each request
// setting its own field through a plain setter. It reports store calls per
// request, refused requests per request (HTTP status other than 200) and
// requests per second, at READ COMMITTED and at SERIALIZABLE isolation
// (CockroachDB's default). Results and the command: docs/BENCHMARKS.md.
package burst

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/bench/ceiling/freshdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/httpsuite"
)

// BenchmarkBurst: one op is one burst of n parallel requests on one session.
func BenchmarkBurst(b *testing.B) {
	for _, iso := range []string{"read committed", "serializable"} {
		for _, n := range []int{16, 64} {
			name := fmt.Sprintf("isolation=%s/burst=%d", map[string]string{"read committed": "rc", "serializable": "serializable"}[iso], n)
			b.Run(name, func(b *testing.B) { runBurst(b, iso, n) })
		}
	}
}

// calls counts store calls and events of one instance.
type calls struct {
	store    atomic.Int64
	retried  atomic.Int64
	contends atomic.Int64
}

func (c *calls) Event(e session.Event) {
	switch e {
	case session.EventConflictRetried:
		c.retried.Add(1)
	case session.EventConflictFailed:
		c.contends.Add(1)
	}
}
func (c *calls) StoreCall(string, time.Duration, error) { c.store.Add(1) }

// instance is one application process: its own pool and manager.
type instance struct {
	srv   *httptest.Server
	calls *calls
}

func newInstance(b *testing.B, dbURL string) *instance {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 16 // commits need concurrency to share WAL flushes (STACK-NOTES)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	in := &instance{calls: &calls{}}
	m := httpsuite.NewShopperManager(pgstore.New(pool))
	m.Cookie = session.CookieConfig{Prefix: session.NoPrefix, AllowInsecure: true} // plain HTTP
	m.Logger = slog.New(slog.DiscardHandler)
	m.Metrics = in.calls
	in.srv = httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.From(r.Context())
		slot, _ := strconv.Atoi(r.URL.Query().Get("slot"))
		v, _ := strconv.ParseInt(r.URL.Query().Get("v"), 10, 64)
		setSlot(s, slot, v)
		w.WriteHeader(http.StatusOK)
	})))
	b.Cleanup(in.srv.Close)
	return in
}

// setSlot sets field S<slot> through its setter.
func setSlot(s httpsuite.ShopperSession, slot int, v int64) {
	[...]func(int64){
		s.SetS0, s.SetS1, s.SetS2, s.SetS3, s.SetS4, s.SetS5, s.SetS6, s.SetS7,
		s.SetS8, s.SetS9, s.SetS10, s.SetS11, s.SetS12, s.SetS13, s.SetS14, s.SetS15,
	}[slot%16](v)
}

func runBurst(b *testing.B, isolation string, n int) {
	ctx := context.Background()
	db, err := freshdb.Create(ctx, freshdb.ServerURL(), "sessiongen_burst_")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Drop(context.Background()); err != nil {
			b.Error(err)
		}
	})
	if err := db.SetDefaultIsolation(ctx, isolation); err != nil {
		b.Fatal(err)
	}
	{
		pool, err := pgxpool.New(ctx, db.URL)
		if err != nil {
			b.Fatal(err)
		}
		err = pgstore.Migrate(ctx, pool)
		pool.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	apps := []*instance{newInstance(b, db.URL), newInstance(b, db.URL)}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	b.Cleanup(client.CloseIdleConnections)
	do := func(base, path, cookie string) (int, []*http.Cookie) {
		req, _ := http.NewRequest(http.MethodPost, base+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return 0, nil
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Cookies()
	}
	code, cookies := do(apps[0].srv.URL, "/?slot=0&v=0", "")
	if code != http.StatusOK || len(cookies) != 1 {
		b.Fatalf("creating the session: %d, cookies %v", code, cookies)
	}
	cookie := cookies[0].Name + "=" + cookies[0].Value
	var refused, requests atomic.Int64
	callsBefore := apps[0].calls.store.Load() + apps[1].calls.store.Load()
	start := time.Now()
	round := 0
	for b.Loop() {
		round++
		go1 := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-go1
				code, _ := do(apps[i%2].srv.URL, fmt.Sprintf("/?slot=%d&v=%d", i, round), cookie)
				requests.Add(1)
				if code != http.StatusOK {
					refused.Add(1)
				}
			})
		}
		close(go1)
		wg.Wait()
	}
	elapsed := time.Since(start)
	storeCalls := apps[0].calls.store.Load() + apps[1].calls.store.Load() - callsBefore
	req := float64(requests.Load())
	b.ReportMetric(float64(storeCalls)/req, "store-calls/req")
	b.ReportMetric(float64(refused.Load())/req, "refused/req")
	b.ReportMetric(float64(apps[0].calls.retried.Load()+apps[1].calls.retried.Load())/req, "retries/req")
	b.ReportMetric(req/elapsed.Seconds(), "req/s")
}
