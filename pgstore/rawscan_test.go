package pgstore_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// TestRawScanLoadsWhatPgxScans: the store decodes rows itself (rawscan.go);
// for every shape of row Load returns exactly the Record, or the same error,
// that the generated query scanned by pgx's own Row.Scan gives. With the
// simple protocol (text results, as behind a transaction-mode PgBouncer) the
// store falls back to pgx's Scan and must still agree.
func TestRawScanLoadsWhatPgxScans(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	reference := pgstore.NewWithPgxScan(pool)

	plain := mustCreate(t, s)

	signedIn := newRecord(t)
	signedIn.Owner = "user-7"
	signedIn.RememberMe = true
	signedIn.Device = "Firefox on Linux ✓"
	signedIn.Data = []byte{}
	// Microseconds survive, nanoseconds do not (both scans must agree on it),
	// and a time before 2000 is negative on the wire.
	signedIn.CreatedAt = time.Date(1999, 12, 31, 23, 59, 59, 123456789, time.UTC)
	signedIn.IdleExpiresAt = base.Add(time.Hour + 987654321)
	if err := s.Create(ctx, signedIn); err != nil {
		t.Fatal(err)
	}

	refreshed := mustCreate(t, s)
	refreshedKey := newRecord(t).Key
	if err := s.Rotate(ctx, refreshed.Key, refreshedKey, session.Rotation{Kind: session.RefreshRotation, Until: base.Add(time.Minute)}, base); err != nil {
		t.Fatal(err)
	}
	loggedIn := mustCreate(t, s)
	loggedInKey := newRecord(t).Key
	if err := s.Rotate(ctx, loggedIn.Key, loggedInKey, session.Rotation{Kind: session.PrivilegeRotation, Until: base.Add(time.Minute)}, base); err != nil {
		t.Fatal(err)
	}
	infinite := mustCreate(t, s)
	if _, err := pool.Exec(ctx, `UPDATE sessiongen_sessions SET absolute_expires_at = 'infinity' WHERE key = $1`, infinite.Key[:]); err != nil {
		t.Fatal(err)
	}

	simple := simpleProtocolStore(t, pool)
	loads := []struct {
		name string
		key  session.Key
		now  time.Time
	}{
		{"plain session", plain.Key, base},
		{"owner, device, remember-me, no data, times to the microsecond", signedIn.Key, base},
		{"after a refresh, by the new key", refreshedKey, base},
		{"after a refresh, by the grace key", refreshed.Key, base},
		{"after a login, by the tombstone", loggedIn.Key, base},
		{"idle-expired", plain.Key, plain.IdleExpiresAt},
		{"absolute expiry infinity", infinite.Key, base},
		{"no such key", newRecord(t).Key, base},
	}
	for _, l := range loads {
		want, wantErr := reference.Load(ctx, l.key, l.now)
		for name, store := range map[string]session.Store{"raw scan": s, "simple protocol": simple} {
			got, err := store.Load(ctx, l.key, l.now)
			if !reflect.DeepEqual(got, want) || !sameError(err, wantErr) {
				t.Errorf("%s: %s: Load = %+v, %v\npgx's scan: %+v, %v", l.name, name, got, err, want, wantErr)
			}
		}
	}
	// The shapes above are really different rows.
	if r, err := s.Load(ctx, signedIn.Key, base); err != nil || r.Owner != "user-7" || !r.RememberMe ||
		r.Device != signedIn.Device || len(r.Data) != 0 || !r.CreatedAt.Equal(signedIn.CreatedAt.Truncate(time.Microsecond)) {
		t.Errorf("Load of the signed-in session: %+v, %v", r, err)
	}
	if _, err := s.Load(ctx, infinite.Key, base); err == nil || errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load of a row with an infinite expiry: %v, want an error that is not ErrNotFound", err)
	}
}

// sameError reports whether both are nil, or both non-nil and matching the
// same contract error.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	for _, e := range []error{session.ErrNotFound, session.ErrIdleExpired, session.ErrAbsoluteExpired, session.ErrSuperseded, session.ErrCorrupt} {
		if errors.Is(a, e) != errors.Is(b, e) {
			return false
		}
	}
	return true
}

// simpleProtocolStore is a store on pool's database whose pool uses the
// simple protocol: every result column arrives in text format.
func simpleProtocolStore(t *testing.T, pool *pgxpool.Pool) session.Store {
	t.Helper()
	cfg := pool.Config().Copy()
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	simple, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(simple.Close)
	return pgstore.New(simple)
}
