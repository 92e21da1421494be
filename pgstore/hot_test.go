package pgstore_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// The HOT measurement is small by default so that it fits the normal test
// run; docs/SCHEMA.md quotes a full-size run:
//
//	go test -race=false -count=1 -run TestSaveHOTRatio -v ./pgstore -args -hot.sessions=10000 -hot.saves=100000
var (
	hotSessions    = flag.Int("hot.sessions", 2000, "sessions in the HOT-update measurement")
	hotSaves       = flag.Int("hot.saves", 10000, "saves in the HOT-update measurement")
	hotMoveEvery   = flag.Int("hot.move-every", 10, "one save in this many moves the idle expiry")
	hotFillfactor  = flag.Int("hot.fillfactor", 0, "if set, ALTER TABLE ... SET (fillfactor) before loading")
	hotNoIdleIndex = flag.Bool("hot.no-idle-index", false, "drop the idle_expires_at index (the ceiling: every save HOT-eligible)")
	// One writer by default: concurrent writers pinning the same pages keep
	// PostgreSQL from pruning them, which makes the ratio depend on the
	// machine's load rather than on the schema. More writers show that effect.
	hotWorkers = flag.Int("hot.workers", 1, "goroutines saving concurrently")
	// Sessions carry what the runtime records at sign-in (the longest
	// device summary, an IPv6 prefix, remember-me), and every save writes
	// remember-me, as Session.SetRememberMe's sessions do. -hot.devices=false
	// measures rows without them, for comparison (docs/DEVICES.md).
	hotDevices = flag.Bool("hot.devices", true, "sessions carry device details and saves write remember-me")
)

// hotFloor is the least share of HOT saves the schema must keep when one save
// in ten moves the idle expiry: the indexed idle_expires_at makes those
// non-HOT, everything else (data, version, unchanged owner) must stay HOT.
// Measured on a private cluster: 90.0%, i.e. every save that leaves the expiry
// alone is HOT (docs/SCHEMA.md); a schema or query regression that rewrites an
// index on every save lands near 0%.
const hotFloor = 0.85

// TestSaveHOTRatio runs a touch-heavy workload through Store.Save and reads
// n_tup_hot_upd / n_tup_upd from pg_stat_user_tables. An index on a column
// that every save writes, or a query that rewrites an indexed column, drops
// the ratio towards 0 and fails this test.
func TestSaveHOTRatio(t *testing.T) {
	ctx := context.Background()
	// A private cluster: on a shared server, transactions in other databases
	// hold back pruning and the ratio would measure the neighbours.
	pool := testdb.IsolatedPool(t)
	if *hotFillfactor > 0 {
		mustExec(t, pool, fmt.Sprintf("ALTER TABLE sessiongen_sessions SET (fillfactor = %d)", *hotFillfactor))
	}
	if *hotNoIdleIndex {
		mustExec(t, pool, "DROP INDEX sessiongen_sessions_idle_expires_at")
	}
	recs := loadSessions(t, pgstore.New(pool), *hotSessions)
	before := tableStats(t, pool.Config().ConnString())

	workers := *hotWorkers
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	s := pgstore.New(pool)
	for w := range workers {
		wg.Go(func() {
			// Each worker owns the sessions i%workers == w: no version conflicts.
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			mine := (len(recs) - w + workers - 1) / workers
			for i := w; i < *hotSaves; i += workers {
				rec := &recs[w+workers*rng.IntN(mine)]
				rec.Data = hotPayload(i)
				if i%*hotMoveEvery == 0 {
					rec.IdleExpiresAt = rec.IdleExpiresAt.Add(time.Minute)
				}
				v, err := s.Save(ctx, *rec, base)
				if err != nil {
					errs <- err
					return
				}
				rec.Version = v
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Backends report their counters when they exit: close the pool, then read.
	pool.Close()
	after := waitStats(t, pool.Config().ConnString(), before.updates+int64(*hotSaves))

	updates, hot := after.updates-before.updates, after.hot-before.hot
	ratio := float64(hot) / float64(updates)
	t.Logf("%d sessions, %d saves by %d writers (1 in %d moves the idle expiry), fillfactor %s, idle index %v, device details %v: "+
		"n_tup_upd %d, n_tup_hot_upd %d, HOT ratio %.1f%%",
		*hotSessions, *hotSaves, workers, *hotMoveEvery, fillfactorLabel(), !*hotNoIdleIndex, *hotDevices, updates, hot, 100*ratio)
	if updates != int64(*hotSaves) {
		t.Errorf("n_tup_upd grew by %d, want one update per save (%d)", updates, *hotSaves)
	}
	if ratio < hotFloor {
		t.Errorf("HOT ratio %.1f%% < %.0f%%: saves rewrite indexes (see docs/SCHEMA.md)", 100*ratio, 100*hotFloor)
	}
}

// hotPayload is a 200-byte payload that differs per call.
func hotPayload(i int) []byte { return fmt.Appendf(nil, "%0200d", i) }

func fillfactorLabel() string {
	if *hotFillfactor > 0 {
		return fmt.Sprint(*hotFillfactor)
	}
	return "as migrated"
}

// loadSessions creates n sessions through the store, a third of them with an
// owner (so that the owner index holds rows), and returns them.
func loadSessions(t *testing.T, s *pgstore.Store, n int) []session.Record {
	t.Helper()
	recs := make([]session.Record, n)
	for i := range recs {
		recs[i] = newRecord(t)
		// Saves write payloads of this size: a row that grows on its first
		// save needs room its page may not have, which would measure the
		// test's data rather than the schema.
		recs[i].Data = hotPayload(i)
		if i%3 == 0 {
			recs[i].Owner = fmt.Sprintf("user-%d", i)
		}
		if *hotDevices {
			recs[i].Device = strings.Repeat("d", session.MaxDeviceSize)
			recs[i].IPPrefix = netip.MustParsePrefix("2001:db8:abcd::/48")
			recs[i].RememberMe = true
		}
		if err := s.Create(context.Background(), recs[i]); err != nil {
			t.Fatal(err)
		}
		recs[i].Version = 1
	}
	return recs
}

type updateStats struct{ updates, hot int64 }

func tableStats(t *testing.T, connString string) updateStats {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var st updateStats
	err = conn.QueryRow(ctx, `SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables
		WHERE relname = 'sessiongen_sessions'`).Scan(&st.updates, &st.hot)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitStats polls until the cumulative statistics show at least wantUpdates.
func waitStats(t *testing.T, connString string, wantUpdates int64) updateStats {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := tableStats(t, connString)
		if st.updates >= wantUpdates || time.Now().After(deadline) {
			return st
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func mustExec(t *testing.T, pool *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}
