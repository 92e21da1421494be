package cli

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/schema"
)

func init() {
	register(command{
		name:    "migrations",
		summary: "copy the schema's migrations into your app's own golang-migrate folder (-check: list the missing)",
		run:     runMigrations,
	})
}

// schemas maps an engine name to its embedded migrations. A new store adds its
// line.
var schemas = map[string]func() fs.FS{
	"mysql":    schema.MySQL,
	"postgres": schema.Postgres,
	"sqlite":   schema.SQLite,
}

const migrationsSynopsis = `migrations -engine E -dir DIR [-check]

For an application that keeps one golang-migrate folder for all its tables
(instead of "sessiongen migrate" or Migrate in code): copies the sessiongen
migrations DIR does not have yet into it, numbered after its highest version
(sequence or timestamp, in the folder's style), keeping our file name after a
"sessiongen_" marker. With -check it copies nothing, lists the missing ones and
exits 1 if there are any: run it in CI to learn of new migrations on upgrade.

exit status: 0 done (or nothing missing), 1 error or (-check) migrations
missing, 2 usage`

func runMigrations(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("migrations", flag.ContinueOnError)
	fl.SetOutput(flagOutput(stderr))
	engines := slices.Sorted(maps.Keys(schemas))
	engine := fl.String("engine", "", "the `database` the folder migrates: "+strings.Join(engines, ", "))
	dir := fl.String("dir", "", "the application's golang-migrate `folder`")
	check := fl.Bool("check", false, "copy nothing; list the migrations the folder lacks and exit 1 if any")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: sessiongen %s\n\nflags:\n", migrationsSynopsis)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	ours, ok := schemas[*engine]
	switch {
	case fl.NArg() > 0:
		fmt.Fprintf(stderr, "sessiongen migrations: unexpected argument %s\n", quoted(fl.Arg(0)))
	case !ok:
		fmt.Fprintf(stderr, "sessiongen migrations: -engine must be one of %s\n", strings.Join(engines, ", "))
	case *dir == "":
		fmt.Fprintln(stderr, "sessiongen migrations: -dir is required")
	default:
		if *check {
			return checkMigrations(*dir, ours(), *engine, stdout, stderr)
		}
		return copyMigrations(*dir, ours(), stdout, stderr)
	}
	fl.Usage()
	return exitUsage
}

func checkMigrations(dir string, ours fs.FS, engine string, stdout, stderr io.Writer) int {
	missing, err := schema.Missing(dir, ours)
	if err != nil {
		fmt.Fprintf(stderr, "sessiongen migrations: %v\n", err)
		return exitFailure
	}
	if len(missing) == 0 {
		fmt.Fprintf(stdout, "%s has every sessiongen migration\n", dir)
		return exitOK
	}
	for _, name := range missing {
		fmt.Fprintf(stdout, "missing: %s\n", name)
	}
	fmt.Fprintf(stderr, "sessiongen migrations: %s lacks %s; copy them with: sessiongen migrations -engine %s -dir %s\n",
		dir, count(int64(len(missing)), "sessiongen migration"), engine, dir)
	return exitFailure
}

func copyMigrations(dir string, ours fs.FS, stdout, stderr io.Writer) int {
	written, err := schema.CopyInto(dir, ours, time.Now())
	for _, name := range written {
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, name))
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessiongen migrations: %v\n", err)
		return exitFailure
	}
	if len(written) == 0 {
		fmt.Fprintf(stdout, "%s has every sessiongen migration: nothing to copy\n", dir)
	}
	return exitOK
}
