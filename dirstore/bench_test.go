//go:build unix

package dirstore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// Benchmarks of the directory store next to the SQLite store, the other
// store that needs no server, in the same run: Load, Save, Create, the owner
// index, a full scan, and several processes sharing one store. Run with
//
//	go test -c -o /tmp/dirstore.bench ./dirstore
//	for i in 1 2 3 4 5; do /tmp/dirstore.bench -test.run '^$' -test.bench . -test.benchmem -test.count=1; done > dir.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /store dir.txt
//
// (each round runs every store in turn, so stores alternate).
// docs/bench/dirstore.md holds the results.
const (
	benchSessions = 2_000 // sessions in the store
	benchDataSize = 300   // bytes of payload
	benchOwned    = 5     // sessions of the owner that ListOwner lists
)

// benchStore is a store under benchmark and how to open another handle on
// it (another process would).
type benchStore struct {
	name string
	open func(path string) (session.Store, error)
	// file is the name of the store below its temp directory.
	file string
}

// benchStores are the stores compared. SQLite runs with the durability it
// ships with (WAL, synchronous=NORMAL: no fsync per commit); the directory
// store with fsync (its default) and without (Options.NoSync).
var benchStores = []benchStore{
	{"sqlite", openSQLite, "sessions.db"},
	{"dir", func(path string) (session.Store, error) { return dirstore.Open(path, dirstore.Options{}) }, "sessions"},
	{"dir-nosync", func(path string) (session.Store, error) { return dirstore.Open(path, dirstore.Options{NoSync: true}) }, "sessions"},
}

func openSQLite(path string) (session.Store, error) {
	s, err := sqlitestore.Open(path)
	if err != nil {
		return nil, err
	}
	return s, sqlitestore.Migrate(context.Background(), s.DB())
}

// benchKey is the key of session i.
func benchKey(i int) session.Key { return opstest.KeyOf("bench-" + strconv.Itoa(i)) }

// benchNow is the clock of the benchmarks; sessions live long after it.
var benchNow = time.Now()

// benchFixture is a filled store, shared by every benchmark of one run
// (filling the directory store takes seconds), with the version of every
// session it saved, so that the next benchmark's saves pass the version
// check too.
type benchFixture struct {
	s    session.Store
	path string
	sv   *saver
}

var fixtures = map[string]*benchFixture{}

// fixture returns the run's filled store of kind bs, filling it on first use
// in a directory removed when the test binary exits.
func fixture(b *testing.B, bs benchStore) *benchFixture {
	b.Helper()
	if f := fixtures[bs.name]; f != nil {
		return f
	}
	s, path := filled(b, bs)
	f := &benchFixture{s, path, newSaver(s)}
	fixtures[bs.name] = f
	return f
}

// benchDir holds the fixtures; TestMain removes it.
var benchDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		_ = os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// filled opens a store of kind bs in a fresh directory, fills it with
// benchSessions sessions (benchOwned of them alice's) and returns it with
// its path.
func filled(b *testing.B, bs benchStore) (session.Store, string) {
	b.Helper()
	if benchDir == "" {
		var err error
		if benchDir, err = os.MkdirTemp("", "dirstore-bench"); err != nil {
			b.Fatal(err)
		}
	}
	path := filepath.Join(benchDir, bs.name, bs.file)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		b.Fatal(err)
	}
	fill := bs
	if bs.name == "dir" {
		fill = benchStores[2] // fsync would only make the fill slow
	}
	s, err := fill.open(path)
	if err != nil {
		b.Fatal(err)
	}
	if d, ok := s.(*dirstore.Store); ok {
		if err := d.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	data := bytes.Repeat([]byte{0xa5}, benchDataSize)
	for i := range benchSessions {
		rec := opstest.LiveRecord(benchKey(i), data, benchNow)
		if i < benchOwned {
			rec.Owner = "alice"
		}
		if err := s.Create(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
	}
	if fill.name != bs.name {
		if s, err = bs.open(path); err != nil {
			b.Fatal(err)
		}
	}
	return s, path
}

// eachStore runs body as a sub-benchmark per store, on a store filled once,
// reporting the process's CPU time per operation next to wall time: on a
// busy machine wall time includes waiting for a CPU (and for the disk).
func eachStore(b *testing.B, body func(b *testing.B, f *benchFixture)) {
	for _, bs := range benchStores {
		f := fixture(b, bs)
		b.Run("store="+bs.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			body(b, f)
			if b.N > 0 {
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// processCPU returns the user+system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkLoad(b *testing.B) {
	eachStore(b, func(b *testing.B, f *benchFixture) {
		s := f.s
		ctx := context.Background()
		for i := 0; b.Loop(); i++ {
			if _, err := s.Load(ctx, benchKey(i%benchSessions), benchNow); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// saver saves sessions at the version each holds, as a request that loaded
// it would.
type saver struct {
	s        session.Store
	rec      session.Record
	versions map[session.Key]int64
}

func newSaver(s session.Store) *saver {
	rec := opstest.LiveRecord(session.Key{}, bytes.Repeat([]byte{0x5a}, benchDataSize), benchNow)
	return &saver{s: s, rec: rec, versions: map[session.Key]int64{}}
}

func (sv *saver) save(b *testing.B, key session.Key, owner string) {
	sv.rec.Key, sv.rec.Version, sv.rec.Owner = key, max(sv.versions[key], 1), owner
	v, err := sv.s.Save(context.Background(), sv.rec, benchNow)
	if errors.Is(err, session.ErrConflict) { // BenchmarkProcesses saved it since
		var rec session.Record
		if rec, err = sv.s.Load(context.Background(), key, benchNow); err == nil {
			sv.rec.Version = rec.Version
			v, err = sv.s.Save(context.Background(), sv.rec, benchNow)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	sv.versions[key] = v
}

func BenchmarkSave(b *testing.B) {
	eachStore(b, func(b *testing.B, f *benchFixture) {
		sv := f.sv
		for i := 0; b.Loop(); i++ {
			sv.save(b, benchKey(benchOwned+i%(benchSessions-benchOwned)), "")
		}
	})
}

func BenchmarkCreate(b *testing.B) {
	eachStore(b, func(b *testing.B, f *benchFixture) {
		s := f.s
		data := bytes.Repeat([]byte{0xc3}, benchDataSize)
		prefix := strconv.FormatInt(rand.Int64(), 36)
		for i := 0; b.Loop(); i++ {
			if err := s.Create(context.Background(), opstest.LiveRecord(opstest.KeyOf(prefix+strconv.Itoa(i)), data, benchNow)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSaveOwnerChange saves with an owner that changes every time (a
// login, then a logout): the directory store adds or removes an owner index
// entry with each, the SQL store updates its owner index. Next to Save (same
// owner), it is the price of keeping the owner index consistent.
func BenchmarkSaveOwnerChange(b *testing.B) {
	eachStore(b, func(b *testing.B, f *benchFixture) {
		sv := f.sv
		for i := 0; b.Loop(); i++ {
			sv.save(b, benchKey(benchOwned+i%(benchSessions-benchOwned)), []string{"bob", ""}[i/(benchSessions-benchOwned)%2])
		}
	})
}

// BenchmarkListOwner lists an owner's benchOwned sessions among
// benchSessions: the index makes it independent of the store's size.
func BenchmarkListOwner(b *testing.B) {
	eachStore(b, func(b *testing.B, f *benchFixture) {
		s := f.s
		for b.Loop() {
			if recs, err := s.ListOwner(context.Background(), "alice", benchNow, 100); err != nil || len(recs) != benchOwned {
				b.Fatalf("ListOwner: %d sessions, %v", len(recs), err)
			}
		}
	})
}

// BenchmarkCount reads every session: what a ListOwner without an index
// would cost, and what every DeleteExpired call of the directory store
// costs (it has no expiry index).
func BenchmarkCount(b *testing.B) {
	eachStore(b, func(b *testing.B, f *benchFixture) {
		s := f.s
		for b.Loop() {
			if c, err := s.Count(context.Background(), benchNow); err != nil || c.Live < benchSessions {
				b.Fatalf("Count: %+v, %v", c, err)
			}
		}
	})
}

// The multi-process benchmark: benchProcesses children (this test binary,
// re-run as TestBenchProcess) open the store, wait for a go, then each runs
// its share of b.N operations, 90% Load and 10% Save of random sessions
// (a Save that loses a race to another process reloads and tries again).
// Wall time from the go to the last child's exit, per operation.
const (
	benchProcesses = 4
	benchEnvStore  = "DIRSTORE_BENCH_STORE"
	benchEnvPath   = "DIRSTORE_BENCH_PATH"
	benchEnvOps    = "DIRSTORE_BENCH_OPS"
)

func BenchmarkProcesses(b *testing.B) {
	for _, bs := range benchStores {
		f := fixture(b, bs)
		b.Run("store="+bs.name, func(b *testing.B) {
			children := make([]*benchChild, benchProcesses)
			for p := range children {
				children[p] = startBenchChild(b, bs.name, f.path, (b.N+p)/benchProcesses)
			}
			b.ResetTimer()
			for _, c := range children {
				c.start()
			}
			for _, c := range children {
				c.wait(b)
			}
		})
	}
}

// benchChild is one process of BenchmarkProcesses.
type benchChild struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startBenchChild(b *testing.B, store, path string, ops int) *benchChild {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchEnvStore+"="+store, benchEnvPath+"="+path, benchEnvOps+"="+strconv.Itoa(ops))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &benchChild{cmd, in, bufio.NewReader(out)}
	if line, err := c.out.ReadString('\n'); err != nil || line != "ready\n" {
		b.Fatalf("child: %q, %v", line, err)
	}
	return c
}

func (c *benchChild) start() { _, _ = io.WriteString(c.in, "go\n") }

func (c *benchChild) wait(b *testing.B) {
	rest, _ := io.ReadAll(c.out)
	if err := c.cmd.Wait(); err != nil {
		b.Fatalf("child: %v\n%s", err, rest)
	}
}

// TestBenchProcess is one process of BenchmarkProcesses; it does nothing
// unless started by it.
func TestBenchProcess(t *testing.T) {
	name := os.Getenv(benchEnvStore)
	if name == "" {
		t.Skip("helper process for BenchmarkProcesses")
	}
	var open func(string) (session.Store, error)
	for _, bs := range benchStores {
		if bs.name == name {
			open = bs.open
		}
	}
	s, err := open(os.Getenv(benchEnvPath))
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := strconv.Atoi(os.Getenv(benchEnvOps))
	ctx := context.Background()
	if _, err := s.Load(ctx, benchKey(0), benchNow); err != nil { // warm up: connections, statements
		t.Fatal(err)
	}
	fmt.Println("ready")
	if line, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil || strings.TrimSpace(line) != "go" {
		t.Fatalf("waiting for go: %q, %v", line, err)
	}
	var conflicts atomic.Int64
	for i := range ops {
		key := benchKey(rand.IntN(benchSessions))
		rec, err := s.Load(ctx, key, benchNow)
		if err != nil {
			t.Fatal(err)
		}
		if i%10 != 0 {
			continue
		}
		for {
			if _, err = s.Save(ctx, rec, benchNow); !errors.Is(err, session.ErrConflict) {
				break
			}
			conflicts.Add(1)
			if rec, err = s.Load(ctx, key, benchNow); err != nil {
				break
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("done: %d ops, %d conflicts\n", ops, conflicts.Load())
}
