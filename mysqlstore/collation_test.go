package mysqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
	"github.com/sessiongen/sessiongen/session"
)

// The database's default character set and collation are the operator's
// choice, and most are case-insensitive, accent-insensitive and PAD SPACE
// (trailing spaces ignored). None of them may make two owners one: every
// column of ours is binary, so revoking "alice" never touches "Alice",
// "alice " or "álice". The schema is migrated into databases created with
// such collations, and no column of it takes a collation.
func TestOwnersCompareByteForByteUnderAnyCollation(t *testing.T) {
	owners := []string{"alice", "Alice", "alice ", "álice", "ALICE"}
	for _, charset := range []string{"latin1 COLLATE latin1_swedish_ci", "utf8mb4 COLLATE utf8mb4_general_ci",
		"utf8mb4 COLLATE utf8mb4_unicode_ci"} {
		t.Run(charset, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.MySQLDSN(t)
			s := testdb.OpenMySQL(t, dsn, false)
			if _, err := s.DB().ExecContext(ctx, "ALTER DATABASE CHARACTER SET "+charset); err != nil {
				t.Fatal(err)
			}
			if err := mysqlstore.Migrate(ctx, s.DB()); err != nil {
				t.Fatal(err)
			}
			var collated []string
			rows, err := s.DB().QueryContext(ctx, "SELECT CONCAT(table_name, '.', column_name, ' ', collation_name) "+
				"FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name LIKE 'sessiongen\\_%' "+
				"AND table_name <> 'sessiongen_schema_migrations' AND collation_name IS NOT NULL")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				collated = append(collated, c)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if len(collated) > 0 {
				t.Errorf("columns with a collation: %v; want every column binary", collated)
			}

			now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			keys := map[string]session.Key{}
			for _, o := range owners {
				rec := session.Record{Key: randomKey(t), Owner: o, Data: []byte(o), CreatedAt: now,
					IdleExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(2 * time.Hour)}
				if err := s.Create(ctx, rec); err != nil {
					t.Fatal(err)
				}
				keys[o] = rec.Key
			}
			for _, o := range owners {
				list, err := s.ListOwner(ctx, o, now, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != 1 || list[0].Key != keys[o] {
					t.Errorf("ListOwner(%q): %d sessions, want only its own", o, len(list))
				}
			}
			if n, err := s.DeleteOwner(ctx, "alice", session.Key{}); err != nil || n != 1 {
				t.Errorf("DeleteOwner(\"alice\") = %d, %v; want 1 (its own session only)", n, err)
			}
			for _, o := range owners[1:] {
				if _, err := s.Load(ctx, keys[o], now); err != nil {
					t.Errorf("%q's session after DeleteOwner(\"alice\"): %v", o, err)
				}
			}
		})
	}
}

// Whatever the DSN asks for, the store's connections run with the settings
// its statements rely on: a DSN with a hostile sql_mode (ANSI_QUOTES changes
// what a quote means, PAD_CHAR_TO_FULL_LENGTH what a CHAR reads back),
// SERIALIZABLE, the 50 s lock wait and neither clientFoundRows nor
// interpolateParams still gives a store whose touch to an unchanged expiry
// reports the session found.
func TestHostileDSNIsOverridden(t *testing.T) {
	cfg, err := mysql.ParseDSN(testdb.MySQLDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClientFoundRows = false
	cfg.InterpolateParams = false
	cfg.Params = map[string]string{
		"sql_mode":                 "'ANSI_QUOTES,PAD_CHAR_TO_FULL_LENGTH,SIMULTANEOUS_ASSIGNMENT,NO_BACKSLASH_ESCAPES'",
		"tx_isolation":             "'SERIALIZABLE'",
		"innodb_lock_wait_timeout": "50",
	}
	s := testdb.OpenMySQL(t, cfg.FormatDSN(), true)
	ctx := context.Background()
	var mode, isolation string
	var lockWait int
	if err := s.DB().QueryRowContext(ctx, "SELECT @@sql_mode, @@tx_isolation, @@innodb_lock_wait_timeout").
		Scan(&mode, &isolation, &lockWait); err != nil {
		t.Fatal(err)
	}
	if mode != "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION" || isolation != "READ-COMMITTED" || lockWait != 5 {
		t.Errorf("connection runs sql_mode %q, isolation %q, lock wait %d; want the store's own", mode, isolation, lockWait)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := session.Record{Key: randomKey(t), Owner: `o'"\`, Data: []byte("x"), CreatedAt: now,
		IdleExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(2 * time.Hour)}
	if err := s.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch(ctx, rec.Key, rec.IdleExpiresAt, now); err != nil {
		t.Errorf("Touch to the expiry the session has: %v, want nil (found, unchanged)", err)
	}
	got, err := s.Load(ctx, rec.Key, now)
	if err != nil || got.Owner != rec.Owner {
		t.Errorf("Load: owner %q, %v; want %q", got.Owner, err, rec.Owner)
	}
	if list, err := s.ListOwner(ctx, rec.Owner, now, 10); err != nil || len(list) != 1 {
		t.Errorf("ListOwner(%q): %d sessions, %v; want 1", rec.Owner, len(list), err)
	}
}
