package schema_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/source"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/schema"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// cliEngine is one database as golang-migrate's CLI and our library see it.
type cliEngine struct {
	name  string
	files func() fs.FS // the embedded migrations
	dir   string       // the same files, as the CLI's -path
	// newDB returns the URL golang-migrate's CLI takes (without the
	// migrations table) and opens the same, empty database through our
	// library: its store and its embedded migrator.
	newDB func(t *testing.T) (cliURL string, store session.Store, migrator func() *migrate.Migrate)
}

// engines lists every database our schema ships for. A new store adds a row
// here, and the same test covers it.
var engines = []cliEngine{
	{name: "postgres", files: schema.Postgres, dir: "postgres", newDB: postgresDB},
	{name: "sqlite", files: schema.SQLite, dir: "sqlite", newDB: sqliteDB},
	{name: "mysql", files: schema.MySQL, dir: "mysql", newDB: mysqlDB},
}

// TestMigrateCLIAppliesOurSchema is what a team that runs golang-migrate's own
// CLI does (docs/OPERATIONS.md): `migrate -path schema/<engine> -database
// '<url>?x-migrations-table=sessiongen_schema_migrations' up`. Afterwards our
// library must find the schema current (its Migrate changes nothing, at the
// version of our newest file) and the store must work; and the other way
// round, after our Migrate the CLI must find nothing to do. Both record the
// version in the same table, so a team may switch between them.
func TestMigrateCLIAppliesOurSchema(t *testing.T) {
	migrateCLI := buildMigrateCLI(t)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			latest := newestVersion(t, e.files())
			path := filepath.Join(".", e.dir)

			// The CLI first, then our library.
			cliURL, store, migrator := e.newDB(t)
			table := withTable(t, cliURL)
			runCLI(t, migrateCLI, "-path", path, "-database", table, "up")
			if out := runCLI(t, migrateCLI, "-path", path, "-database", table, "version"); strings.TrimSpace(out) != strconv.FormatUint(uint64(latest), 10) {
				t.Errorf("migrate version printed %q, want %d", out, latest)
			}
			m := migrator()
			if err := m.Up(); err != migrate.ErrNoChange {
				t.Errorf("our migrator after the CLI's up: %v, want ErrNoChange", err)
			}
			if v, dirty, err := m.Version(); v != latest || dirty || err != nil {
				t.Errorf("our migrator reads version %d (dirty %v, %v), want %d", v, dirty, err, latest)
			}
			storeWorks(t, store)

			// Our library first, then the CLI.
			cliURL, _, migrator = e.newDB(t)
			table = withTable(t, cliURL)
			if err := migrator().Up(); err != nil {
				t.Fatal(err)
			}
			if out := runCLI(t, migrateCLI, "-path", path, "-database", table, "up"); !strings.Contains(out, "no change") {
				t.Errorf("migrate up after our Migrate printed %q, want no change", out)
			}
		})
	}
}

// TestOneMigrationsFolderForTheWholeApp is a team that keeps one golang-migrate
// folder (and golang-migrate's default table) for all its tables: it takes our
// files in with CopyInto, `migrate up` applies them with its own, the store
// works; after an upgrade that brings a new migration, Missing names it and
// CopyInto adds it as the folder's next version.
func TestOneMigrationsFolderForTheWholeApp(t *testing.T) {
	migrateCLI := buildMigrateCLI(t)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, sql := range map[string]string{
				"000001_create_users.up.sql":   "CREATE TABLE users (id integer PRIMARY KEY, name text);\n",
				"000001_create_users.down.sql": "DROP TABLE users;\n",
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(sql), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := schema.CopyInto(dir, e.files(), time.Now()); err != nil {
				t.Fatal(err)
			}
			cliURL, store, _ := e.newDB(t)
			runCLI(t, migrateCLI, "-path", dir, "-database", cliURL, "up")
			storeWorks(t, store)

			// The upgrade: our schema gains a migration.
			upgraded := fstest.MapFS{"000099_add_probe.up.sql": {Data: []byte("CREATE TABLE sessiongen_probe (id integer);\n")}}
			if err := fs.WalkDir(e.files(), ".", func(name string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					upgraded[name] = &fstest.MapFile{}
					upgraded[name].Data, err = fs.ReadFile(e.files(), name)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if missing, err := schema.Missing(dir, upgraded); len(missing) != 1 || missing[0] != "000099_add_probe.up.sql" || err != nil {
				t.Fatalf("after the upgrade: missing %v, %v", missing, err)
			}
			// The app's one migration, then ours, then the probe.
			ours, err := fs.Glob(e.files(), "*.up.sql")
			if err != nil {
				t.Fatal(err)
			}
			probe := fmt.Sprintf("%06d", len(ours)+2)
			written, err := schema.CopyInto(dir, upgraded, time.Now())
			if err != nil || len(written) != 1 || !strings.HasPrefix(written[0], probe+"_sessiongen_000099_add_probe") {
				t.Fatalf("CopyInto wrote %v, %v; want %s_sessiongen_000099_add_probe", written, err, probe)
			}
			runCLI(t, migrateCLI, "-path", dir, "-database", cliURL, "up")
			if out := runCLI(t, migrateCLI, "-path", dir, "-database", cliURL, "version"); strings.TrimSpace(out) != strings.TrimLeft(probe, "0") {
				t.Errorf("version after the upgrade: %q, want %s", out, strings.TrimLeft(probe, "0"))
			}
		})
	}
}

// buildMigrateCLI builds golang-migrate's CLI at the version tools/go.mod pins,
// with the drivers our schema needs (build tags), as docs/OPERATIONS.md tells
// users to install it. Go's build cache makes every build after the first a
// link.
func buildMigrateCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "migrate")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-modfile=../tools/go.mod", "-tags", "pgx5,sqlite,mysql",
		"-o", bin, "github.com/golang-migrate/migrate/v4/cmd/migrate")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building golang-migrate's CLI: %v\n%s", err, out)
	}
	return bin
}

func runCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("migrate %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// withTable adds the migrations table our library uses to a CLI database URL
// (by hand: golang-migrate's mysql URLs, mysql://user@tcp(host:port)/db, are
// not URLs net/url parses).
func withTable(t *testing.T, cliURL string) string {
	t.Helper()
	sep := "?"
	if strings.Contains(cliURL, "?") {
		sep = "&"
	}
	return cliURL + sep + "x-migrations-table=" + url.QueryEscape(pgstore.MigrationsTable)
}

func postgresDB(t *testing.T) (string, session.Store, func() *migrate.Migrate) {
	dbURL := testdb.New(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	cliURL := "pgx5" + strings.TrimPrefix(strings.TrimPrefix(dbURL, "postgresql"), "postgres")
	return cliURL, pgstore.New(pool), func() *migrate.Migrate {
		m, err := pgstore.NewMigrator(pool)
		if err != nil {
			t.Fatal(err)
		}
		// Before the pool's Close, registered earlier: the migrator holds a
		// connection of the pool.
		t.Cleanup(func() { m.Close() })
		return m
	}
}

func sqliteDB(t *testing.T) (string, session.Store, func() *migrate.Migrate) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	store, err := sqlitestore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return "sqlite://" + path, store, func() *migrate.Migrate {
		// The migrator closes the handle it is given: give it one of its own.
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := sqlitestore.NewMigrator(db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
}

func mysqlDB(t *testing.T) (string, session.Store, func() *migrate.Migrate) {
	dsn := testdb.MySQLDSN(t)
	store := testdb.OpenMySQL(t, dsn, false)
	return "mysql://" + dsn, store, func() *migrate.Migrate {
		m, err := mysqlstore.NewMigrator(t.Context(), store.DB())
		if err != nil {
			t.Fatal(err)
		}
		// Before the store's Close, registered earlier: the migrator holds
		// one of its connections.
		t.Cleanup(func() { m.Close() })
		return m
	}
}

// newestVersion is the highest version among the migration files.
func newestVersion(t *testing.T, files fs.FS) uint {
	t.Helper()
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		t.Fatal(err)
	}
	var newest uint
	for _, e := range entries {
		m, err := source.DefaultParse(e.Name())
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		newest = max(newest, m.Version)
	}
	return newest
}

// storeWorks creates a session and loads it back.
func storeWorks(t *testing.T, store session.Store) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	rec := session.Record{Key: session.Key{1, 2, 3}, Data: []byte{0x80}, Version: 1, CreatedAt: now,
		IdleExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(2 * time.Hour)}
	if err := store.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create on the schema the CLI applied: %v", err)
	}
	if got, err := store.Load(t.Context(), rec.Key, now); err != nil || got.Version != 1 {
		t.Fatalf("Load on the schema the CLI applied: %+v, %v", got, err)
	}
}
