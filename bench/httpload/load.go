package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"time"
)

// result is one side's measurement at one client count.
type result struct {
	requests  int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration // sorted
}

func (r result) throughput() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// percentile returns the p-th percentile latency (0 < p < 100).
func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(float64(len(r.latencies)-1)*p/100)]
}

// load drives baseURL with clients visitors for d. Each visitor has its own
// cookie jar: it starts a session (untimed), then loops until the deadline,
// sending a write (POST /incr) with probability writeShare and a read
// (GET /) otherwise, one request at a time. It stops by itself at the deadline.
func load(ctx context.Context, baseURL string, clients int, d time.Duration, writeShare float64) (result, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	visitors := make([]*http.Client, clients)
	for i := range visitors {
		jar, _ := cookiejar.New(nil)
		visitors[i] = &http.Client{Transport: transport, Jar: jar, Timeout: 10 * time.Second}
		if err := send(ctx, visitors[i], http.MethodPost, baseURL+"/start"); err != nil {
			return result{}, fmt.Errorf("starting a session: %w", err)
		}
	}
	var mu sync.Mutex
	var total result
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i, c := range visitors {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			lat := make([]time.Duration, 0, 1<<14)
			errs := 0
			for time.Now().Before(deadline) && ctx.Err() == nil {
				method, path := http.MethodGet, "/"
				if rng.Float64() < writeShare {
					method, path = http.MethodPost, "/incr"
				}
				t0 := time.Now()
				if err := send(ctx, c, method, baseURL+path); err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			total.latencies = append(total.latencies, lat...)
			total.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	total.requests = len(total.latencies)
	slices.Sort(total.latencies)
	return total, ctx.Err()
}

// send makes one request and reads the whole response, which must be 200.
func send(ctx context.Context, c *http.Client, method, url string) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, strings.TrimSpace(string(body)))
	}
	return err
}
