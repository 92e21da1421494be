package mysqlstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
	"github.com/sessiongen/sessiongen/session"
)

// Sizes of the cleanup soak: enough expired rows for the sweep to run many
// batches while the writers run, small enough for a loaded CI machine.
const (
	soakExpired = 4000
	soakBatch   = 100
	soakWriters = 8
)

// The classic failure of session cleanup on InnoDB is a deadlock between the
// sweep and the requests writing sessions (spring-session #838, #1583). Here
// a sweep deletes expired sessions in small ordered batches while writers
// create, save and delete live sessions whose idle expiries sit right next
// to the expired ones in the index. Deadlocks and lock-wait timeouts are
// counted (the store retries them); the test asserts that no call failed,
// that every expired session went, and that every acknowledged write is what
// the database holds at the end: nothing lost, nothing deleted that was live.
// It runs on both cleanup statements.
func TestCleanupWhileWritersSoak(t *testing.T) {
	for _, path := range []string{"returning", "listed"} {
		t.Run(path, func(t *testing.T) {
			s := testdb.MySQLStore(t)
			if path == "listed" {
				mysqlstore.UseListedCleanup(s)
			}
			var deadlocks, lockWaits, otherRetries atomic.Int64
			mysqlstore.OnRetry(s, func(op string, err error) {
				var myErr *mysql.MySQLError
				switch {
				case errors.As(err, &myErr) && myErr.Number == 1213:
					deadlocks.Add(1)
				case errors.As(err, &myErr) && myErr.Number == 1205:
					lockWaits.Add(1)
				default:
					otherRetries.Add(1)
				}
			})
			soak(t, s)
			t.Logf("retried: %d deadlocks, %d lock-wait timeouts, %d others",
				deadlocks.Load(), lockWaits.Load(), otherRetries.Load())
			if n := otherRetries.Load(); n != 0 {
				t.Errorf("%d statements retried for something other than a deadlock or lock-wait timeout", n)
			}
		})
	}
}

// soakNow is the soak's clock: sessions with an idle expiry up to it are
// expired, later ones live.
var soakNow = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

func soak(t *testing.T, s *mysqlstore.Store) {
	ctx := context.Background()
	seedExpired(t, s, soakExpired)

	var stop atomic.Bool
	var wg sync.WaitGroup
	writers := make([]*soakWriter, soakWriters)
	for i := range writers {
		writers[i] = &soakWriter{t: t, s: s, id: i}
		wg.Go(writers[i].run(&stop))
	}

	deleted, batches := 0, 0
	from := time.Time{}
	for {
		n, last, err := s.DeleteExpired(ctx, from, soakNow, soakBatch)
		if err != nil {
			t.Errorf("DeleteExpired after %d batches: %v", batches, err)
			break
		}
		deleted += n
		batches++
		if n < soakBatch {
			break
		}
		from = last
	}
	stop.Store(true)
	wg.Wait()

	if deleted != soakExpired {
		t.Errorf("the sweep deleted %d sessions in %d batches, want the %d expired ones", deleted, batches, soakExpired)
	}
	writes := 0
	for _, w := range writers {
		writes += w.check()
	}
	counts, err := s.Count(ctx, soakNow)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Expired != 0 {
		t.Errorf("%d expired sessions left after the sweep", counts.Expired)
	}
	t.Logf("%d expired sessions deleted in %d batches while %d writers acknowledged %d writes",
		deleted, batches, soakWriters, writes)
	if writes < soakWriters {
		t.Errorf("only %d writes acknowledged: the writers did not run alongside the sweep", writes)
	}
}

// seedExpired creates n sessions whose idle expiries are spread over the hour
// before soakNow.
func seedExpired(t *testing.T, s *mysqlstore.Store, n int) {
	t.Helper()
	const chunk = 500
	for start := 0; start < n; start += chunk {
		var sqlText bytes.Buffer
		sqlText.WriteString("INSERT INTO sessiongen_sessions " +
			"(`key`, data, version, created_at, idle_expires_at, absolute_expires_at) VALUES ")
		args := []any{}
		for i := start; i < min(n, start+chunk); i++ {
			if i > start {
				sqlText.WriteString(",")
			}
			sqlText.WriteString("(?, 'x', 1, ?, ?, ?)")
			idle := soakNow.Add(-time.Hour + time.Duration(i)*time.Hour/time.Duration(n))
			k := randomKey(t)
			args = append(args, k[:], soakNow.Add(-2*time.Hour).UnixMicro(), idle.UnixMicro(),
				soakNow.Add(time.Hour).UnixMicro())
		}
		if _, err := s.DB().ExecContext(context.Background(), sqlText.String(), args...); err != nil {
			t.Fatal(err)
		}
	}
}

func randomKey(t *testing.T) session.Key {
	var k session.Key
	if _, err := rand.Read(k[:]); err != nil {
		t.Fatal(err)
	}
	return k
}

// soakWriter creates a session, saves it over and over (each save moves its
// idle expiry, so its index entry, forward), and now and then logs it out
// and starts another. It remembers what the store acknowledged.
type soakWriter struct {
	t  *testing.T
	s  *mysqlstore.Store
	id int
	// live is the writer's current session as last acknowledged.
	live session.Record
	// gone are the sessions it deleted (acknowledged).
	gone []session.Key
	// writes counts acknowledged writes, failures the calls that failed.
	writes   int
	failures []error
}

func (w *soakWriter) run(stop *atomic.Bool) func() {
	return func() {
		ctx := context.Background()
		for round := 0; !stop.Load(); round++ {
			if round%20 == 0 {
				if round > 0 {
					if err := w.s.Delete(ctx, w.live.Key, soakNow); err != nil {
						w.failures = append(w.failures, fmt.Errorf("Delete: %w", err))
						return
					}
					w.gone = append(w.gone, w.live.Key)
					w.writes++
				}
				// Live, but by microseconds: its index entry sits among
				// the expired ones the sweep is deleting.
				rec := session.Record{Key: randomKey(w.t), Data: []byte("v1"), CreatedAt: soakNow.Add(-time.Hour),
					IdleExpiresAt:     soakNow.Add(time.Duration(w.id+1) * time.Microsecond),
					AbsoluteExpiresAt: soakNow.Add(2 * time.Hour)}
				if err := w.s.Create(ctx, rec); err != nil {
					w.failures = append(w.failures, fmt.Errorf("Create: %w", err))
					return
				}
				rec.Version = 1
				w.live = rec
				w.writes++
				continue
			}
			rec := w.live
			rec.Data = fmt.Appendf(nil, "writer %d round %d", w.id, round)
			rec.IdleExpiresAt = rec.IdleExpiresAt.Add(time.Microsecond)
			v, err := w.s.Save(ctx, rec, soakNow)
			if err != nil {
				w.failures = append(w.failures, fmt.Errorf("Save: %w", err))
				return
			}
			rec.Version = v
			w.live = rec
			w.writes++
		}
	}
}

// check compares what the store holds with what it acknowledged to w, and
// returns w's acknowledged writes.
func (w *soakWriter) check() int {
	t := w.t
	t.Helper()
	ctx := context.Background()
	for _, err := range w.failures {
		t.Errorf("writer %d: %v", w.id, err)
	}
	got, err := w.s.Load(ctx, w.live.Key, soakNow)
	if err != nil {
		t.Errorf("writer %d: its live session: %v", w.id, err)
	} else if got.Version != w.live.Version || !bytes.Equal(got.Data, w.live.Data) || !got.IdleExpiresAt.Equal(w.live.IdleExpiresAt) {
		t.Errorf("writer %d: stored version %d data %q idle %v; acknowledged version %d data %q idle %v", w.id,
			got.Version, got.Data, got.IdleExpiresAt, w.live.Version, w.live.Data, w.live.IdleExpiresAt)
	}
	for _, k := range w.gone {
		if _, err := w.s.Load(ctx, k, soakNow); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("writer %d: a deleted session loads: %v", w.id, err)
		}
	}
	return w.writes
}
