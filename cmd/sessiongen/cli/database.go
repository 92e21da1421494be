package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sessiongen/sessiongen/storeurl"
)

// Exit codes shared by the database commands (documented in docs/OPERATIONS.md).
const (
	exitOK        = 0
	exitFailure   = 1 // the database refused, or the data is not what was asked for
	exitUsage     = 2 // bad flags or arguments
	exitNotLeader = 3 // cleanup: another instance holds the lease; nothing was done
)

// connectTimeout bounds opening the database, so that a wrong host fails in
// seconds rather than hanging a cron job.
const connectTimeout = 10 * time.Second

// dbCommand holds what every database command shares: its flag set, with the
// -database-url flag, and where to write.
type dbCommand struct {
	name           string
	flags          *flag.FlagSet
	databaseURL    string
	stdout, stderr io.Writer
}

// newDBCommand returns a command whose -h prints synopsis, then the flags.
func newDBCommand(name, synopsis string, stdout, stderr io.Writer) *dbCommand {
	c := &dbCommand{name: name, flags: flag.NewFlagSet(name, flag.ContinueOnError), stdout: stdout, stderr: stderr}
	c.flags.SetOutput(flagOutput(stderr))
	c.flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: sessiongen %s\n\nflags:\n", synopsis)
		c.flags.PrintDefaults()
	}
	// No default value: PrintDefaults would print it, and DATABASE_URL
	// usually holds a password. parse reads the variable instead.
	c.flags.StringVar(&c.databaseURL, "database-url", "",
		"database `URL`: postgres://..., mysql://..., sqlite://path, file:path, path.db or dir://path (default $DATABASE_URL)")
	return c
}

// parse parses args and returns the exit code to stop with, or -1 to go on.
func (c *dbCommand) parse(args []string) int {
	if err := c.flags.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if c.databaseURL == "" {
		c.databaseURL = os.Getenv("DATABASE_URL")
	}
	return -1
}

// usageError reports a bad argument with the command's usage.
func (c *dbCommand) usageError(format string, a ...any) int {
	fmt.Fprintf(c.stderr, "sessiongen %s: %s\n", c.name, fmt.Sprintf(format, a...))
	c.flags.Usage()
	return exitUsage
}

// fail reports an error and returns exitFailure.
func (c *dbCommand) fail(err error) int {
	fmt.Fprintf(c.stderr, "sessiongen %s: %v\n", c.name, err)
	return exitFailure
}

// open connects to the database. The context is cancelled by SIGINT or
// SIGTERM so that long commands stop cleanly; call stop when done.
func (c *dbCommand) open() (ctx context.Context, db *storeurl.DB, stop func(), err error) {
	if c.databaseURL == "" {
		return nil, nil, nil, errors.New("no database: set -database-url or DATABASE_URL")
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	openCtx, openCancel := context.WithTimeout(ctx, connectTimeout)
	defer openCancel()
	db, err = storeurl.Open(openCtx, c.databaseURL)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return ctx, db, func() { db.Close(); cancel() }, nil
}
