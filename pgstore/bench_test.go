package pgstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// The benchmarks run against a real server (internal/testdb) for comparison
// with the pgbench ceiling in STACK-NOTES; docs/bench/store.md has the command
// and the numbers. Payloads are ~300 bytes, like the pgbench rows.

const benchSessions = 1000

func benchStore(b *testing.B) (*pgstore.Store, *pgxpool.Pool, []session.Record) {
	s, pool := newStore(b)
	recs := make([]session.Record, benchSessions)
	for i := range recs {
		recs[i] = newRecord(b)
		recs[i].Data = make([]byte, 300)
		if err := s.Create(context.Background(), recs[i]); err != nil {
			b.Fatal(err)
		}
		recs[i].Version = 1
	}
	return s, pool, recs
}

func BenchmarkLoad(b *testing.B) {
	s, _, recs := benchStore(b)
	loadInTurn(b, recs, func(ctx context.Context, key session.Key) error {
		_, err := s.Load(ctx, key, base)
		return err
	})
}

// BenchmarkLoadPgxScan is Load with the rows scanned by pgx's own Row.Scan
// instead of the store's raw decoding (rawscan.go): what that decoding saves.
func BenchmarkLoadPgxScan(b *testing.B) {
	_, pool, recs := benchStore(b)
	s := pgstore.NewWithPgxScan(pool)
	loadInTurn(b, recs, func(ctx context.Context, key session.Key) error {
		_, err := s.Load(ctx, key, base)
		return err
	})
}

// BenchmarkLoadRawPgx is Load's statement and scan without the store: the
// generated query on the pool, scanned by stock pgx into the same Go types.
func BenchmarkLoadRawPgx(b *testing.B) {
	_, pool, recs := benchStore(b)
	q := pgdb.New(pool)
	loadInTurn(b, recs, func(ctx context.Context, key session.Key) error {
		_, err := q.LoadSession(ctx, key[:])
		return err
	})
}

// loadInTurn runs load on the sessions of recs in turn, b.N times: the same
// loop for every side of the Load comparison, so that its cost is the same
// on each.
func loadInTurn(b *testing.B, recs []session.Record, load func(context.Context, session.Key) error) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := load(ctx, recs[i%len(recs)].Key); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkLoadParallel(b *testing.B) {
	s, _, recs := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer() // RunParallel, unlike b.Loop, does not exclude the setup
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Load(ctx, recs[i%len(recs)].Key, base); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkSave writes data and, like the runtime's lazy expiry, leaves the
// idle expiry alone (a HOT update).
func BenchmarkSave(b *testing.B) {
	s, _, recs := benchStore(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		save(b, s, &recs[i%len(recs)])
		i++
	}
}

// BenchmarkSaveRawPgx is Save's statement with the same parameters on stock
// pgx, without the store.
func BenchmarkSaveRawPgx(b *testing.B) {
	_, pool, recs := benchStore(b)
	q := pgdb.New(pool)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rec := &recs[i%len(recs)]
		v, err := q.SaveSession(ctx, pgdb.SaveSessionParams{
			Key: rec.Key[:], Data: rec.Data, IdleExpiresAt: rec.IdleExpiresAt, Version: rec.Version, Now: base,
		})
		if err != nil {
			b.Fatal(err)
		}
		rec.Version = v
		i++
	}
}

// BenchmarkSaveParallel gives each goroutine a session of its own, so that
// no save loses a version race.
func BenchmarkSaveParallel(b *testing.B) {
	s, _ := newStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rec := newRecord(b)
		rec.Data = make([]byte, 300)
		if err := s.Create(ctx, rec); err != nil {
			b.Fatal(err)
		}
		rec.Version = 1
		for pb.Next() {
			save(b, s, &rec)
		}
	})
}

func save(b *testing.B, s *pgstore.Store, rec *session.Record) {
	v, err := s.Save(context.Background(), *rec, base)
	if err != nil {
		b.Fatal(err)
	}
	rec.Version = v
}
