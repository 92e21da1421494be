package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storetest"
)

// TestConformanceSerializable runs the shared store suite on databases whose
// default transaction isolation is SERIALIZABLE (CockroachDB's default), with
// the same criteria as under READ COMMITTED.
func TestConformanceSerializable(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return pgstore.New(testdb.SerializablePool(t))
	})
}

// TestSerializationFailureIsRetried: under SERIALIZABLE, a statement that
// waited for another transaction's write of its row fails with SQLSTATE 40001
// once that transaction commits. The store runs it again, and the repeat
// decides as READ COMMITTED would have: Touch, Rotate and Delete succeed on the
// updated row; a Save at the version the other transaction replaced is a
// conflict.
func TestSerializationFailureIsRetried(t *testing.T) {
	ops := []struct {
		name string
		call func(ctx context.Context, s *pgstore.Store, rec session.Record) error
		want error // nil, or the error the repeat must decide
	}{
		{"Touch", func(ctx context.Context, s *pgstore.Store, rec session.Record) error {
			return s.Touch(ctx, rec.Key, base.Add(time.Hour), base)
		}, nil},
		{"Rotate", func(ctx context.Context, s *pgstore.Store, rec session.Record) error {
			return s.Rotate(ctx, rec.Key, newRecord(t).Key, session.Rotation{Kind: session.RefreshRotation, Until: base.Add(time.Minute)}, base)
		}, nil},
		{"Delete", func(ctx context.Context, s *pgstore.Store, rec session.Record) error {
			return s.Delete(ctx, rec.Key, base)
		}, nil},
		{"Save", func(ctx context.Context, s *pgstore.Store, rec session.Record) error {
			_, err := s.Save(ctx, rec, base) // at version 1, which the other transaction replaces
			return err
		}, session.ErrConflict},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			pool := testdb.SerializablePool(t)
			s := pgstore.New(pool)
			rec := mustCreate(t, s)
			ctx := t.Context()

			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, "UPDATE sessiongen_sessions SET version = version + 1 WHERE key = $1", rec.Key[:]); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- op.call(ctx, s, rec) }()
			waitForLockWait(t, pool)
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			err = <-done
			switch {
			case op.want == nil && err != nil:
				t.Fatalf("%s after a concurrent update under SERIALIZABLE: %v, want success", op.name, err)
			case op.want != nil && !errors.Is(err, op.want):
				t.Fatalf("%s after a concurrent update under SERIALIZABLE: %v, want %v", op.name, err, op.want)
			}
		})
	}
}

// waitForLockWait returns once a connection of pool's database waits for a
// row lock, failing the test if none does within a generous bound.
func waitForLockWait(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for range 600 {
		var n int
		err := pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the statement never waited for the other transaction's row lock")
}
