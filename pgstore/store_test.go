package pgstore_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storetest"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// TestConformance runs the shared store suite, each subtest on a database of
// its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return pgstore.New(testdb.Pool(t))
	})
}

// base is the clock of the tests in this package.
var base = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// newStore returns a store on a fresh migrated database and its pool.
func newStore(t testing.TB) (*pgstore.Store, *pgxpool.Pool) {
	pool := testdb.Pool(t)
	return pgstore.New(pool), pool
}

// newRecord returns a live anonymous session created at base.
func newRecord(t testing.TB) session.Record {
	var k session.Key
	if _, err := rand.Read(k[:]); err != nil {
		t.Fatal(err)
	}
	return session.Record{
		Key:               k,
		Data:              []byte("payload"),
		CreatedAt:         base,
		IdleExpiresAt:     base.Add(30 * time.Minute),
		AbsoluteExpiresAt: base.Add(24 * time.Hour),
	}
}

// mustCreate stores a new session and returns it.
func mustCreate(t testing.TB, s *pgstore.Store) session.Record {
	t.Helper()
	rec := newRecord(t)
	if err := s.Create(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	rec.Version = 1
	return rec
}
