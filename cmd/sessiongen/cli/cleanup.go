package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/sessiongen/sessiongen/janitor"
	"github.com/sessiongen/sessiongen/session"
)

func init() {
	register(command{
		name:    "cleanup",
		summary: "delete expired sessions in batches; one instance at a time across hosts",
		run:     runCleanup,
	})
}

const cleanupSynopsis = `cleanup [-database-url URL] [-dry-run] [-batch N] [-duty F] [-max-duration D] [-lease-ttl D] [-progress MODE]

Deletes expired sessions in keyset batches (by expiry, from a cursor). Exactly
one cleanup runs at a time across every host: the one holding the
"` + janitor.LeaseName + `" lease row; an in-process janitor takes the same lease.

exit status: 0 done (or stopped by -max-duration: the next run carries on),
1 error, 2 usage, 3 another instance holds the lease (nothing done)`

// cleanupFlags are the cleanup command's options.
type cleanupFlags struct {
	dryRun      bool
	batch       int
	duty        float64
	maxDuration time.Duration
	leaseTTL    time.Duration
	progress    string
}

func runCleanup(args []string, stdout, stderr io.Writer) int {
	c := newDBCommand("cleanup", cleanupSynopsis, stdout, stderr)
	var f cleanupFlags
	c.flags.BoolVar(&f.dryRun, "dry-run", false, "count the expired sessions and delete nothing")
	c.flags.IntVar(&f.batch, "batch", janitor.DefaultBatch, "sessions deleted per statement")
	c.flags.Float64Var(&f.duty, "duty", janitor.DefaultDuty, "share of time spent deleting, in (0, 1]: pauses between batches leave the database to the application (1: no pause)")
	c.flags.DurationVar(&f.maxDuration, "max-duration", 0, "stop between batches after this long (0: no limit)")
	c.flags.DurationVar(&f.leaseTTL, "lease-ttl", janitor.DefaultLeaseTTL, "how long a crashed cleanup blocks the others (renewed every third of it)")
	c.flags.StringVar(&f.progress, "progress", "auto", "how to show progress: `mode` is bar (a bar redrawn in place), log (a log line per batch) or auto (bar when stderr is a terminal, log otherwise)")
	if code := c.parse(args); code >= 0 {
		return code
	}
	switch {
	case c.flags.NArg() > 0:
		return c.usageError("unexpected argument %s", quoted(c.flags.Arg(0)))
	case f.batch <= 0 || f.leaseTTL <= 0 || f.maxDuration < 0 || f.duty <= 0 || f.duty > 1:
		return c.usageError("-batch and -lease-ttl must be positive, -duty in (0, 1], -max-duration not negative")
	case f.progress != "auto" && f.progress != "bar" && f.progress != "log":
		return c.usageError("-progress must be auto, bar or log")
	}
	ctx, db, stop, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer stop()

	counts, err := db.Store.Count(ctx, time.Now())
	if err != nil {
		return c.fail(err)
	}
	if f.dryRun {
		fmt.Fprintf(stdout, "dry run: %s would be deleted, %s stay\n", count(counts.Expired, "expired session"), count(counts.Live, "live session"))
		return exitOK
	}

	report := newCleanupReporter(f.progress, c.databaseURL, stderr, counts.Expired)
	res, err := janitor.Sweep(ctx, db.Store, janitor.Options{
		Batch:       f.batch,
		Duty:        f.duty,
		MaxDuration: f.maxDuration,
		LeaseTTL:    f.leaseTTL,
		OnBatch:     report.batch,
	})
	report.done()
	switch {
	case errors.Is(err, janitor.ErrNotLeader):
		fmt.Fprintf(stderr, "sessiongen cleanup: another instance holds the %q lease; it is cleaning up, nothing done here\n", janitor.LeaseName)
		return exitNotLeader
	case err != nil:
		fmt.Fprintf(stdout, "deleted %s before the error\n", count(res.Deleted, "expired session"))
		return c.fail(err)
	}
	fmt.Fprintf(stdout, "deleted %s in %s, %s (%s)\n", count(res.Deleted, "expired session"),
		count(int64(res.Batches), "batch"), res.Elapsed.Round(time.Millisecond), rate(res.Deleted, res.Elapsed))
	if !res.Complete {
		fmt.Fprintf(stdout, "stopped early (-max-duration or interrupt): about %s remain for the next run\n",
			count(max(0, counts.Expired-res.Deleted), "expired session"))
	}
	return exitOK
}

// cleanupReporter shows a round's progress: a bar on a terminal, a slog text
// line per batch otherwise (cron, CI, log collectors).
type cleanupReporter struct {
	databaseURL string
	bar         *progressBar // nil in log mode
	logger      *slog.Logger
}

func newCleanupReporter(mode, databaseURL string, stderr io.Writer, expired int64) *cleanupReporter {
	r := &cleanupReporter{databaseURL: databaseURL}
	if mode == "bar" || (mode == "auto" && isTerminal(stderr)) {
		r.bar = &progressBar{w: stderr, total: expired}
		return r
	}
	r.logger = slog.New(slog.NewTextHandler(stderr, nil))
	r.logger.Info("session cleanup started", "event", session.EventCleanup, "expired", expired)
	return r
}

// afterCleanupBatch maps a database URL to a func() that runs after every
// batch of a cleanup of that database. Only tests set it: it lets one start a
// second cleanup while the first holds the lease.
var afterCleanupBatch sync.Map

func (r *cleanupReporter) batch(p janitor.Progress) {
	if hook, ok := afterCleanupBatch.Load(r.databaseURL); ok {
		hook.(func())()
	}
	if r.bar != nil {
		r.bar.draw(p.Deleted, p.Elapsed)
		return
	}
	r.logger.Info("session cleanup batch", "event", session.EventCleanup,
		"deleted", p.BatchDeleted, "total", p.Deleted, "batch_ms", p.BatchDuration.Milliseconds(),
		"rate", rate(p.Deleted, p.Elapsed))
}

func (r *cleanupReporter) done() {
	if r.bar != nil {
		r.bar.finish()
	}
}

// isTerminal reports whether w is a terminal, where a redrawn bar makes sense.
func isTerminal(w io.Writer) bool {
	if u, ok := w.(interface{ Unwrap() io.Writer }); ok {
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
