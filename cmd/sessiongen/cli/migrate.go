package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/storeurl"
)

func init() {
	register(command{
		name:    "migrate",
		summary: "apply or revert the embedded schema migrations (up | down N | version | force V)",
		run:     runMigrate,
	})
}

const migrateSynopsis = `migrate [-database-url URL] up | down N | version | force V

  up         apply every pending migration (an up-to-date database is fine)
  down N     revert the last N migrations (N is required: there is no "down all")
  version    print the applied version, and whether a failed migration left it dirty
  force V    record version V without running anything, after fixing a dirty
             database by hand (V = -1 records none)

A directory store (dir://) has a layout, not migrations: up creates or checks
it and removes what crashed writers left behind; version prints it.`

func runMigrate(args []string, stdout, stderr io.Writer) int {
	c := newDBCommand("migrate", migrateSynopsis, stdout, stderr)
	if code := c.parse(args); code >= 0 {
		return code
	}
	action, n, err := parseMigrateArgs(c.flags.Args())
	if err != nil {
		return c.usageError("%v", err)
	}
	ctx, db, stop, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer stop()
	if db.Kind == storeurl.Dir {
		return migrateLayout(ctx, db, action, stdout, c)
	}
	if action == "force" {
		if err := checkVersionExists(db.Migrations(), n); err != nil {
			return c.usageError("%v", err)
		}
	}
	m, err := db.Migrator()
	if errors.Is(err, storeurl.ErrNoMigrations) && action == "up" {
		fmt.Fprintf(stdout, "%s keeps no schema: nothing to migrate\n", db.Kind)
		return exitOK // a deploy step that always runs "migrate up" works on every store
	}
	if err != nil {
		return c.fail(err)
	}
	// The migrator holds a connection of the pool: close it before the pool.
	defer m.Close()
	if err := applyMigrate(m, action, n); err != nil {
		return c.fail(err)
	}
	return printVersion(m, stdout, c)
}

// parseMigrateArgs checks the action and its number.
func parseMigrateArgs(args []string) (action string, n int, err error) {
	if len(args) == 0 {
		return "", 0, errors.New("missing action")
	}
	action = args[0]
	want := map[string]int{"up": 1, "version": 1, "down": 2, "force": 2}[action]
	if want == 0 {
		return "", 0, fmt.Errorf("unknown action %s", quoted(action))
	}
	if len(args) != want {
		return "", 0, fmt.Errorf("%s takes %d argument(s)", action, want-1)
	}
	if want == 2 {
		n, err = strconv.Atoi(args[1])
		if err != nil || (action == "down" && n <= 0) || (action == "force" && n < -1) {
			return "", 0, fmt.Errorf("%s: bad number %s", action, quoted(args[1]))
		}
	}
	return action, n, nil
}

// checkVersionExists refuses to force a version that has no migration file:
// golang-migrate would record it, and every later up or down would then fail
// to read it. -1 (no version) is always allowed.
func checkVersionExists(migrations fs.FS, v int) error {
	if v == -1 {
		return nil
	}
	src, err := iofs.New(migrations, ".")
	if err != nil {
		return err
	}
	defer src.Close()
	var known []string
	for next, err := src.First(); err == nil; next, err = src.Next(next) {
		if int(next) == v {
			return nil
		}
		known = append(known, strconv.FormatUint(uint64(next), 10))
	}
	return fmt.Errorf("force: no migration has version %d (versions: %s, or -1 for none)", v, strings.Join(known, ", "))
}

func applyMigrate(m *migrate.Migrate, action string, n int) error {
	var err error
	switch action {
	case "up":
		err = m.Up()
	case "down":
		err = m.Steps(-n)
	case "force":
		err = m.Force(n)
	}
	if errors.Is(err, migrate.ErrNoChange) {
		return nil
	}
	return err
}

func printVersion(m *migrate.Migrate, stdout io.Writer, c *dbCommand) int {
	v, dirty, err := m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
		fmt.Fprintln(stdout, "version: none (no migration applied)")
	case err != nil:
		return c.fail(err)
	case dirty:
		fmt.Fprintf(stdout, "version: %d (dirty: a migration failed half-way; fix the schema by hand, then `migrate force V` with the version it now matches)\n", v)
		return exitFailure
	default:
		fmt.Fprintf(stdout, "version: %d\n", v)
	}
	return exitOK
}

// migrateLayout is migrate for a directory store: up creates or checks the
// layout and repairs crash debris; version reports whether it exists; down
// and force have nothing to act on.
func migrateLayout(ctx context.Context, db *storeurl.DB, action string, stdout io.Writer, c *dbCommand) int {
	switch action {
	case "up":
		if err := db.Migrate(ctx); err != nil {
			return c.fail(err)
		}
	case "down", "force":
		return c.usageError("%s: a directory store has no migrations (up creates its layout)", action)
	}
	if err := db.Store.(*dirstore.Store).Check(ctx); err != nil {
		return c.fail(err)
	}
	fmt.Fprintln(stdout, "version: directory store layout 1 (no migrations)")
	return exitOK
}
