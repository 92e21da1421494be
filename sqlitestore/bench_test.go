package sqlitestore_test

import (
	"bytes"
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
)

// Benchmarks of the two statements every request runs, Load and Save, on a
// WAL database file, next to memstore as the in-process ceiling. Run with
//
//	go test -run '^$' -bench . -benchmem ./sqlitestore
//
// docs/bench/sqlite.md holds the results.

const (
	benchSessions = 10_000 // rows in the table
	benchDataSize = 300    // bytes of session payload
)

// benchStores are the stores compared, each filled with benchSessions live
// sessions whose keys are returned.
var benchStores = []struct {
	name string
	open func(b *testing.B) session.Store
}{
	{"sqlite-file", func(b *testing.B) session.Store { return openMigrated(b, tempPath(b)) }},
	{"memstore", func(*testing.B) session.Store { return memstore.New() }},
}

// fill creates benchSessions sessions in s and returns their keys.
func fill(b *testing.B, s session.Store, now time.Time) []session.Key {
	b.Helper()
	data := bytes.Repeat([]byte{0xa5}, benchDataSize)
	keys := make([]session.Key, benchSessions)
	for i := range keys {
		keys[i] = opstest.KeyOf("bench-" + strconv.Itoa(i))
		if err := s.Create(context.Background(), opstest.LiveRecord(keys[i], data, now)); err != nil {
			b.Fatal(err)
		}
	}
	return keys
}

// eachStore runs body as a sub-benchmark on every store of benchStores,
// filled, with the timer started after the fill. It also reports the
// process's CPU time per operation (all threads, GC included), which a busy
// machine inflates far less than wall time.
func eachStore(b *testing.B, body func(b *testing.B, s session.Store, keys []session.Key, now time.Time)) {
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			s := bs.open(b)
			now := time.Now()
			keys := fill(b, s, now)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0, ok0 := processCPU()
			body(b, s, keys, now)
			if cpu1, ok1 := processCPU(); ok0 && ok1 && b.N > 0 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	eachStore(b, func(b *testing.B, s session.Store, keys []session.Key, now time.Time) {
		ctx := context.Background()
		for i := 0; b.Loop(); i++ {
			if _, err := s.Load(ctx, keys[i%len(keys)], now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLoadParallel(b *testing.B) {
	eachStore(b, func(b *testing.B, s session.Store, keys []session.Key, now time.Time) {
		ctx := context.Background()
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Load(ctx, keys[next.Add(1)%uint64(len(keys))], now); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// saver saves sessions at the version each holds, as a request that loaded
// it would: the version check passes and the row is rewritten.
type saver struct {
	s        session.Store
	rec      session.Record
	versions map[session.Key]int64
}

func newSaver(s session.Store, now time.Time) *saver {
	data := bytes.Repeat([]byte{0x5a}, benchDataSize)
	return &saver{s: s, rec: opstest.LiveRecord(session.Key{}, data, now), versions: map[session.Key]int64{}}
}

func (sv *saver) save(b *testing.B, key session.Key, now time.Time) {
	sv.rec.Key, sv.rec.Version = key, max(sv.versions[key], 1)
	v, err := sv.s.Save(context.Background(), sv.rec, now)
	if err != nil {
		b.Fatal(err)
	}
	sv.versions[key] = v
}

func BenchmarkSave(b *testing.B) {
	eachStore(b, func(b *testing.B, s session.Store, keys []session.Key, now time.Time) {
		sv := newSaver(s, now)
		for i := 0; b.Loop(); i++ {
			sv.save(b, keys[i%len(keys)], now)
		}
	})
}

// BenchmarkSaveParallel saves from several goroutines at once, each on
// sessions of its own (no version conflicts): it measures how writers queue
// on SQLite's single write lock.
func BenchmarkSaveParallel(b *testing.B) {
	eachStore(b, func(b *testing.B, s session.Store, keys []session.Key, now time.Time) {
		var workers atomic.Int64
		// Goroutine w saves the keys whose index is w modulo stride (stride
		// divides benchSessions): disjoint sets for up to stride goroutines.
		const stride = 16
		b.RunParallel(func(pb *testing.PB) {
			w := int(workers.Add(1) - 1)
			sv := newSaver(s, now)
			for i := 0; pb.Next(); i++ {
				sv.save(b, keys[(w+i*stride)%len(keys)], now)
			}
		})
	})
}
