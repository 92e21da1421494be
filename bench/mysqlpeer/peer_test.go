package mysqlpeer

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	scsmysql "github.com/alexedwards/scs/mysqlstore"
	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
	"github.com/sessiongen/sessiongen/session"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// t0 is the benchmarks' clock for our store: every session lives far past it.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// payload is a typical encoded session: a few hundred bytes, the same for
// both stores.
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

// scsSchema is the table scs's mysqlstore documents.
const scsSchema = `CREATE TABLE sessions (
	token CHAR(43) PRIMARY KEY,
	data BLOB NOT NULL,
	expiry TIMESTAMP(6) NOT NULL,
	INDEX sessions_expiry_idx (expiry))`

// peer is a throwaway MariaDB server of one top-level benchmark's own, so
// that its CPU time counts only the statements of that benchmark: the wall
// time of a shared 2-core machine under load moves by tens of percent between
// runs, the CPU the server spends per statement much less.
type peer struct {
	server *testdb.MariaDB
	cfg    *mysql.Config
	admin  *sql.DB
	dbs    atomic.Int64 // databases made so far, for unique names
}

func startPeer(b *testing.B) *peer {
	b.Helper()
	p := &peer{server: testdb.NewMariaDB(b, testdb.MariaDBOptions{})}
	var err error
	if p.cfg, err = mysql.ParseDSN(p.server.DSN()); err != nil {
		b.Fatal(err)
	}
	connector, err := mysql.NewConnector(p.cfg)
	if err != nil {
		b.Fatal(err)
	}
	p.admin = sql.OpenDB(connector)
	b.Cleanup(func() { p.admin.Close() })
	return p
}

// ours returns our store on a fresh, migrated database of p's server.
func (p *peer) ours(b *testing.B) *mysqlstore.Store {
	b.Helper()
	name := fmt.Sprintf("bench_%d", p.dbs.Add(1))
	ctx := context.Background()
	if _, err := p.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = p.admin.ExecContext(context.Background(), "DROP DATABASE "+name) })
	cfg := p.cfg.Clone()
	cfg.DBName = name
	s, err := mysqlstore.OpenConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := mysqlstore.Migrate(ctx, s.DB()); err != nil {
		b.Fatal(err)
	}
	return s
}

// scs returns scs's store on a fresh database of p's server, on a connection
// pool opened like ours (the same driver options, so one round trip per
// statement, and the same pool size): only the statements differ. Its
// background cleanup is off.
func (p *peer) scs(b *testing.B) *scsmysql.MySQLStore {
	b.Helper()
	db := p.ours(b).DB()
	if _, err := db.ExecContext(context.Background(), scsSchema); err != nil {
		b.Fatal(err)
	}
	return scsmysql.NewWithCleanupInterval(db, 0)
}

// serverCPU is the CPU time p's server has used so far.
func (p *peer) serverCPU(b *testing.B) time.Duration {
	b.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.server.PID()))
	if err != nil {
		b.Fatal(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on
	// Linux).
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		b.Fatal(err)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// clientCPU is the CPU time this process has used so far.
func clientCPU(b *testing.B) time.Duration {
	b.Helper()
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// newToken is an scs token: 32 random bytes in unpadded base64url, 43 bytes.
func newToken() string {
	k := newKey()
	return base64.RawURLEncoding.EncodeToString(k[:])
}

// BenchmarkPeerLoad: load one existing session. Ours: a SELECT of 13 columns
// by primary key or previous key (an index-merge union), liveness decided in
// Go. scs's: SELECT data by primary key with the expiry in the WHERE.
func BenchmarkPeerLoad(b *testing.B) {
	p := startPeer(b)
	for _, par := range []bool{false, true} {
		b.Run(fmt.Sprintf("parallel=%v/store=sessiongen", par), func(b *testing.B) {
			s := p.ours(b)
			rec := newRecord()
			if err := s.Create(b.Context(), rec); err != nil {
				b.Fatal(err)
			}
			run(b, p, par, func() func() error {
				return func() error { _, err := s.Load(context.Background(), rec.Key, t0); return err }
			})
		})
		b.Run(fmt.Sprintf("parallel=%v/store=scs", par), func(b *testing.B) {
			s := p.scs(b)
			token := newToken()
			if err := s.Commit(token, payload, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
			run(b, p, par, func() func() error {
				return func() error {
					_, ok, err := s.Find(token)
					if err == nil && !ok {
						err = errors.New("scs: session not found")
					}
					return err
				}
			})
		})
	}
}

// BenchmarkPeerSave: write a session back. Ours: one version-checked UPDATE
// that never inserts. scs's: INSERT ... ON DUPLICATE KEY UPDATE, a blind
// overwrite (which also brings a deleted session back). In parallel each
// goroutine writes a session of its own.
func BenchmarkPeerSave(b *testing.B) {
	p := startPeer(b)
	for _, par := range []bool{false, true} {
		b.Run(fmt.Sprintf("parallel=%v/store=sessiongen", par), func(b *testing.B) {
			s := p.ours(b)
			run(b, p, par, func() func() error {
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
			s := p.scs(b)
			run(b, p, par, func() func() error {
				token := newToken()
				if err := s.Commit(token, payload, time.Now().Add(time.Hour)); err != nil {
					b.Fatal(err)
				}
				return func() error { return s.Commit(token, payload, time.Now().Add(time.Hour)) }
			})
		})
	}
}

// run runs the op that setup returns b.N times: in one goroutine, or spread
// over GOMAXPROCS*4 goroutines, each with its own op (as many as the store's
// pool keeps connections for). Besides the wall time it reports the CPU time
// per op of this process (client-µs/op: driver, store, Go runtime) and of
// the server (server-µs/op).
func run(b *testing.B, p *peer, parallel bool, setup func() func() error) {
	b.ReportAllocs()
	var client, server time.Duration
	defer func() {
		b.ReportMetric(float64(clientCPU(b)-client)/float64(time.Microsecond)/float64(b.N), "client-µs/op")
		b.ReportMetric(float64(p.serverCPU(b)-server)/float64(time.Microsecond)/float64(b.N), "server-µs/op")
	}()
	if !parallel {
		op := setup()
		client, server = clientCPU(b), p.serverCPU(b)
		b.ResetTimer()
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism(4)
	var mu sync.Mutex
	client, server = clientCPU(b), p.serverCPU(b)
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
