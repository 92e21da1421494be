package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/redisstore"
	"github.com/gomodule/redigo/redis"
	"github.com/redis/rueidis"

	ours "github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/redisstore/internal/redistest"
	"github.com/sessiongen/sessiongen/session"
)

func TestMain(m *testing.M) {
	redistest.Main(m) // stops every node this binary started, BenchmarkMasters' clusters included
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// payload is a typical encoded session: a few hundred bytes.
var payload = func() []byte { b := make([]byte, 256); _, _ = rand.Read(b); return b }()

func newKey() session.Key {
	var k session.Key
	_, _ = rand.Read(k[:])
	return k
}

func newRecord() session.Record {
	return session.Record{Key: newKey(), Data: payload, CreatedAt: t0,
		IdleExpiresAt: t0.Add(30 * time.Minute), AbsoluteExpiresAt: t0.Add(24 * time.Hour)}
}

// openOurs opens our store on addrs under a fresh prefix.
func openOurs(b *testing.B, opts ours.Options, addrs ...string) (*ours.Store, rueidis.Client) {
	c, err := rueidis.NewClient(ours.ClientOptions(addrs))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	opts.Prefix = redistest.Prefix()
	s, err := ours.New(c, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { deletePrefix(c, opts.Prefix) })
	return s, c
}

func deletePrefix(c rueidis.Client, prefix string) {
	ctx := context.Background()
	for _, n := range c.Nodes() {
		var cursor uint64
		for {
			e, err := n.Do(ctx, n.B().Scan().Cursor(cursor).Match(prefix+"*").Count(1000).Build()).AsScanEntry()
			if err != nil {
				break
			}
			for _, k := range e.Elements {
				_ = n.Do(ctx, n.B().Unlink().Key(k).Build()).Error()
			}
			if cursor = e.Cursor; cursor == 0 {
				break
			}
		}
	}
}

// openSCS opens scs's redisstore (redigo pool) on addr under a fresh prefix.
func openSCS(b *testing.B, addr string) *redisstore.RedisStore {
	pool := &redis.Pool{MaxIdle: 64, Dial: func() (redis.Conn, error) { return redis.Dial("tcp", addr) }}
	b.Cleanup(func() { pool.Close() })
	prefix := redistest.Prefix()
	b.Cleanup(func() {
		conn := pool.Get()
		defer conn.Close()
		keys, _ := redis.Strings(conn.Do("KEYS", prefix+"*"))
		for _, k := range keys {
			_, _ = conn.Do("DEL", k)
		}
	})
	return redisstore.NewWithPrefix(pool, prefix)
}

// BenchmarkPeerLoad: load one existing session, ours (HGETALL of a hash) and
// scs's (GET of a string), on one server, one goroutine and in parallel.
func BenchmarkPeerLoad(b *testing.B) {
	addr := peerServer(b)
	for _, par := range []bool{false, true} {
		b.Run(fmt.Sprintf("parallel=%v/store=sessiongen", par), func(b *testing.B) {
			s, _ := openOurs(b, ours.Options{}, addr)
			rec := newRecord()
			if err := s.Create(b.Context(), rec); err != nil {
				b.Fatal(err)
			}
			run(b, par, func() error { _, err := s.Load(context.Background(), rec.Key, t0); return err })
		})
		b.Run(fmt.Sprintf("parallel=%v/store=scs", par), func(b *testing.B) {
			s := openSCS(b, addr)
			k := newKey()
			token := hex.EncodeToString(k[:])
			if err := s.Commit(token, payload, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
			run(b, par, func() error {
				_, ok, err := s.Find(token)
				if !ok && err == nil {
					err = errors.New("not found")
				}
				return err
			})
		})
	}
}

// BenchmarkPeerClient: the two clients alone, one GET of the same 256-byte
// value, no store around them: rueidis (ours; it hands each command to a
// writer goroutine and takes the reply from a reader goroutine) and redigo
// (scs's; the caller writes and reads its connection itself). It separates
// what the client costs a Load from what the store's own work costs.
func BenchmarkPeerClient(b *testing.B) {
	addr := peerServer(b)
	key := redistest.Prefix() + "client"
	for _, par := range []bool{false, true} {
		b.Run(fmt.Sprintf("parallel=%v/client=rueidis", par), func(b *testing.B) {
			_, c := openOurs(b, ours.Options{}, addr)
			if err := c.Do(b.Context(), c.B().Set().Key(key).Value(string(payload)).Build()).Error(); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = c.Do(context.Background(), c.B().Del().Key(key).Build()).Error() })
			run(b, par, func() error {
				return c.Do(context.Background(), c.B().Get().Key(key).Build()).Error()
			})
		})
		b.Run(fmt.Sprintf("parallel=%v/client=redigo", par), func(b *testing.B) {
			pool := &redis.Pool{MaxIdle: 64, Dial: func() (redis.Conn, error) { return redis.Dial("tcp", addr) }}
			b.Cleanup(func() { pool.Close() })
			conn := pool.Get()
			_, err := conn.Do("SET", key, payload)
			conn.Close()
			if err != nil {
				b.Fatal(err)
			}
			run(b, par, func() error {
				conn := pool.Get()
				defer conn.Close()
				_, err := redis.Bytes(conn.Do("GET", key))
				return err
			})
		})
	}
}

// BenchmarkPeerSave: write a session back, ours (a version-checked Lua
// compare-and-set that also moves the idle expiry and its index entry) and
// scs's (MULTI SET PEXPIREAT EXEC, a blind overwrite). In parallel each
// goroutine writes a session of its own.
func BenchmarkPeerSave(b *testing.B) {
	addr := peerServer(b)
	for _, par := range []bool{false, true} {
		b.Run(fmt.Sprintf("parallel=%v/store=sessiongen", par), func(b *testing.B) {
			s, _ := openOurs(b, ours.Options{}, addr)
			runPerWorker(b, par, func() func() error {
				rec := newRecord()
				if err := s.Create(context.Background(), rec); err != nil {
					b.Fatal(err)
				}
				rec.Version = 1
				return func() error {
					v, err := s.Save(context.Background(), rec, t0)
					rec.Version = v
					return err
				}
			})
		})
		b.Run(fmt.Sprintf("parallel=%v/store=scs", par), func(b *testing.B) {
			s := openSCS(b, addr)
			runPerWorker(b, par, func() func() error {
				k := newKey()
				token := hex.EncodeToString(k[:])
				return func() error { return s.Commit(token, payload, time.Now().Add(time.Hour)) }
			})
		})
	}
}

// peer is the throwaway server the peer benchmarks share, so that Redis's own
// CPU time per operation (INFO commandstats) counts only theirs.
var peer struct {
	once sync.Once
	node *redistest.Node
	err  error
}

func peerServer(b *testing.B) string {
	peer.once.Do(func() { peer.node, peer.err = redistest.StartNode() })
	if peer.err != nil {
		b.Fatal(peer.err)
	}
	return peer.node.Addr
}

// serverMicros is the CPU time Redis has spent in commands so far, in µs.
func serverMicros(b *testing.B) float64 {
	stats, err := peer.node.Do("INFO", "commandstats")
	if err != nil {
		b.Fatal(err)
	}
	total := 0.0
	for _, f := range strings.Split(stats, ",") {
		if v, ok := strings.CutPrefix(f, "usec="); ok {
			n, _ := strconv.ParseFloat(v, 64)
			total += n
		}
	}
	return total
}

func run(b *testing.B, parallel bool, op func() error) {
	runPerWorker(b, parallel, func() func() error { return op })
}

// runPerWorker runs the op that setup returns b.N times: in one goroutine, or
// spread over GOMAXPROCS*8 goroutines (b.SetParallelism(8)), each with its own op.
func runPerWorker(b *testing.B, parallel bool, setup func() func() error) {
	b.ReportAllocs()
	if peer.node != nil {
		before := serverMicros(b)
		defer func() { b.ReportMetric((serverMicros(b)-before)/float64(b.N), "server-µs/op") }()
	}
	if !parallel {
		op := setup()
		b.ResetTimer()
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism(8)
	var mu sync.Mutex
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		op := setup()
		mu.Unlock()
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkContention: 16 goroutines increment a counter in one session by
// Load and a version-checked Save, retrying on conflict (what Update does):
// one op is one acknowledged increment; conflicts/op counts lost races.
func BenchmarkContention(b *testing.B) {
	for _, tg := range []struct {
		name  string
		addrs func(b *testing.B) []string
	}{
		{"single", func(b *testing.B) []string { return []string{redistest.SingleAddr(b)} }},
		{"cluster", func(b *testing.B) []string { return redistest.SharedCluster(b).Addrs() }},
	} {
		b.Run(tg.name, func(b *testing.B) {
			s, _ := openOurs(b, ours.Options{}, tg.addrs(b)...)
			rec := newRecord()
			rec.Data = make([]byte, 8)
			if err := s.Create(b.Context(), rec); err != nil {
				b.Fatal(err)
			}
			var left, conflicts atomic.Int64
			left.Store(int64(b.N))
			b.ResetTimer()
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					ctx := context.Background()
					for left.Add(-1) >= 0 {
						for {
							got, err := s.Load(ctx, rec.Key, t0)
							if err != nil {
								b.Error(err)
								return
							}
							got.Data[0]++
							if _, err = s.Save(ctx, got, t0); err == nil {
								break
							} else if !errors.Is(err, session.ErrConflict) {
								b.Error(err)
								return
							}
							conflicts.Add(1)
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(conflicts.Load())/float64(b.N), "conflicts/op")
		})
	}
}

// BenchmarkWait: what WAIT for one replica costs on the cluster: a logout
// (Delete) and a Save, with and without waiting.
func BenchmarkWait(b *testing.B) {
	addrs := redistest.SharedCluster(b).Addrs()
	for _, replicas := range []int{0, 1} {
		b.Run(fmt.Sprintf("op=Delete/wait=%d", replicas), func(b *testing.B) {
			s, _ := openOurs(b, ours.Options{WaitReplicas: replicas}, addrs...)
			keys := make([]session.Key, b.N)
			for i := range keys {
				rec := newRecord()
				keys[i] = rec.Key
				if err := s.Create(b.Context(), rec); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := range b.N {
				if err := s.Delete(context.Background(), keys[i], t0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=Save/wait=%d", replicas), func(b *testing.B) {
			s, _ := openOurs(b, ours.Options{WaitReplicas: replicas, WaitOnWrite: replicas > 0}, addrs...)
			rec := newRecord()
			if err := s.Create(b.Context(), rec); err != nil {
				b.Fatal(err)
			}
			rec.Version = 1
			b.ResetTimer()
			for b.Loop() {
				v, err := s.Save(context.Background(), rec, t0)
				if err != nil {
					b.Fatal(err)
				}
				rec.Version = v
			}
		})
	}
}

// BenchmarkMasters: parallel Load+Save of 1024 sessions on a cluster of 1
// master and of 3 masters (no replicas), every node on this machine's two
// cores: it shows the cost of spreading work over more nodes, not the scaling
// of separate hosts.
func BenchmarkMasters(b *testing.B) {
	for _, masters := range []int{1, 3} {
		b.Run(fmt.Sprintf("masters=%d", masters), func(b *testing.B) {
			c := clusterOf(b, masters)
			s, _ := openOurs(b, ours.Options{}, c.Addrs()...)
			recs := make([]session.Record, 1024)
			for i := range recs {
				recs[i] = newRecord()
				if err := s.Create(b.Context(), recs[i]); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			runPerWorker(b, true, func() func() error {
				return func() error {
					key := recs[next.Add(1)%int64(len(recs))].Key
					got, err := s.Load(context.Background(), key, t0)
					if err != nil {
						return err
					}
					if _, err = s.Save(context.Background(), got, t0); errors.Is(err, session.ErrConflict) {
						err = nil // another goroutine saved the same session first
					}
					return err
				}
			})
		})
	}
}

// clusters holds the masters-only clusters of BenchmarkMasters, one per size,
// started once per test binary (a benchmark function runs several times) and
// stopped by TestMain.
var clusters struct {
	mu sync.Mutex
	m  map[int]*redistest.Cluster
}

func clusterOf(b *testing.B, masters int) *redistest.Cluster {
	clusters.mu.Lock()
	defer clusters.mu.Unlock()
	if c, ok := clusters.m[masters]; ok {
		return c
	}
	c, err := redistest.StartCluster(redistest.ClusterOptions{Masters: masters, NoReplicas: true})
	if err != nil {
		b.Fatal(err)
	}
	if clusters.m == nil {
		clusters.m = map[int]*redistest.Cluster{}
	}
	clusters.m[masters] = c
	return c
}
