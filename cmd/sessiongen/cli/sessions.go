package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

func init() {
	register(command{
		name:    "sessions",
		summary: "inspect and revoke stored sessions by hash prefix (count | list | show | revoke)",
		run:     runSessions,
	})
}

const sessionsUsage = `usage: sessiongen sessions <action> [-database-url URL] [flags]

  count                                 live and expired sessions
  list [-user U] [-limit N]             a user's live sessions, newest first, or
                                        every session in key order (admin scan)
  show <hash-prefix>                    one session's metadata and payload as JSON
  revoke -user U [-except <hash-prefix>] delete a user's sessions, but one

Sessions are named by the leading hex digits (8 or more) of their key, the
SHA-256 of the token, as list prints them. Raw tokens are never printed nor
accepted. Run "sessiongen sessions <action> -h" for an action's flags.
`

// sessionActions maps each action to its synopsis and implementation.
var sessionActions = map[string]struct {
	synopsis string
	run      func(ctx context.Context, c *dbCommand, store session.Store, opts *sessionFlags) int
}{
	"count":  {"sessions count [-database-url URL]", sessionsCount},
	"list":   {"sessions list [-database-url URL] [-user U] [-limit N]", sessionsList},
	"show":   {"sessions show [-database-url URL] <hash-prefix>", sessionsShow},
	"revoke": {"sessions revoke [-database-url URL] -user U [-except <hash-prefix>]", sessionsRevoke},
}

// sessionFlags are the flags the actions share; each action reads its own.
type sessionFlags struct {
	user   string
	except string
	limit  int
}

func runSessions(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, sessionsUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	action, ok := sessionActions[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sessiongen sessions: unknown action %s\n\n%s", quoted(args[0]), sessionsUsage)
		return exitUsage
	}
	c := newDBCommand("sessions "+args[0], action.synopsis, stdout, stderr)
	var f sessionFlags
	switch args[0] {
	case "list":
		c.flags.StringVar(&f.user, "user", "", "list this user's live sessions (default: every session, in key order)")
		c.flags.IntVar(&f.limit, "limit", 100, "list at most this many sessions")
	case "revoke":
		c.flags.StringVar(&f.user, "user", "", "the user whose sessions to delete (required)")
		c.flags.StringVar(&f.except, "except", "", "hash `prefix` of one of the user's sessions to keep (e.g. the current one)")
	}
	if code := c.parse(args[1:]); code >= 0 {
		return code
	}
	if want := map[string]int{"show": 1}[args[0]]; c.flags.NArg() != want {
		return c.usageError("want %d argument(s), got %d", want, c.flags.NArg())
	}
	ctx, db, stop, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer stop()
	return action.run(ctx, c, db.Store, &f)
}

func sessionsCount(ctx context.Context, c *dbCommand, store session.Store, _ *sessionFlags) int {
	n, err := store.Count(ctx, time.Now())
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "live     %d\nexpired  %d\n", n.Live, n.Expired)
	return exitOK
}

func sessionsList(ctx context.Context, c *dbCommand, store session.Store, f *sessionFlags) int {
	if f.limit <= 0 {
		return c.usageError("-limit must be positive")
	}
	now := time.Now()
	var (
		recs []session.Record
		err  error
	)
	if f.user != "" {
		recs, err = store.ListOwner(ctx, f.user, now, f.limit)
	} else {
		recs, err = store.List(ctx, session.Key{}, f.limit)
	}
	if err != nil {
		return c.fail(err)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tOWNER\tSTATE\tCREATED\tIDLE EXPIRES\tABSOLUTE EXPIRES\tVERSION\tBYTES")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Key.Prefix(), ownerName(r.Owner), state(&r, now),
			stamp(r.CreatedAt), stamp(r.IdleExpiresAt), stamp(r.AbsoluteExpiresAt), r.Version, dataSize(&r))
	}
	if err := tw.Flush(); err != nil {
		return c.fail(err)
	}
	if len(recs) == f.limit {
		fmt.Fprintf(c.stderr, "(first %d shown; raise -limit for more)\n", f.limit)
	}
	return exitOK
}

func sessionsShow(ctx context.Context, c *dbCommand, store session.Store, _ *sessionFlags) int {
	p, err := parseHashPrefix(c.flags.Arg(0))
	if err != nil {
		return c.usageError("%v", err)
	}
	rec, err := findByPrefix(ctx, store, p)
	if err != nil {
		return c.fail(err)
	}
	now := time.Now()
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "key\t%s\n", rec.Key.Prefix())
	fmt.Fprintf(tw, "owner\t%s\n", ownerName(rec.Owner))
	fmt.Fprintf(tw, "state\t%s\n", state(&rec, now))
	fmt.Fprintf(tw, "version\t%d\n", rec.Version)
	fmt.Fprintf(tw, "created\t%s\n", stamp(rec.CreatedAt))
	fmt.Fprintf(tw, "idle expires\t%s\n", stamp(rec.IdleExpiresAt))
	fmt.Fprintf(tw, "absolute expires\t%s\n", stamp(rec.AbsoluteExpiresAt))
	if !rec.PrevKey.IsZero() {
		fmt.Fprintf(tw, "previous key\t%s (accepted until %s)\n", rec.PrevKey.Prefix(), stamp(rec.PrevExpiresAt))
	}
	fmt.Fprintf(tw, "payload\t%d bytes msgpack\n", len(rec.Data))
	if err := tw.Flush(); err != nil {
		return c.fail(err)
	}
	js, err := payloadJSON(rec.Data)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "%s\n", js)
	return exitOK
}

func sessionsRevoke(ctx context.Context, c *dbCommand, store session.Store, f *sessionFlags) int {
	if f.user == "" {
		return c.usageError("-user is required")
	}
	var keep session.Key
	if f.except != "" {
		p, err := parseHashPrefix(f.except)
		if err != nil {
			return c.usageError("-except: %v", err)
		}
		if keep, err = findOwnedByPrefix(ctx, store, f.user, p); err != nil {
			return c.fail(err)
		}
	}
	n, err := store.DeleteOwner(ctx, f.user, keep)
	if err != nil {
		return c.fail(err)
	}
	if n == 0 && keep.IsZero() {
		return c.fail(fmt.Errorf("user %q has no session: nothing revoked", f.user))
	}
	fmt.Fprintf(c.stdout, "revoked %s of user %q", count(n, "session"), f.user)
	if !keep.IsZero() {
		fmt.Fprintf(c.stdout, " (kept %s)", keep.Prefix())
	}
	fmt.Fprintln(c.stdout)
	return exitOK
}

// state describes whether a session loads at now, or why not.
func state(r *session.Record, now time.Time) string {
	switch err := storekit.CheckLive(r, now); {
	case err == nil:
		return "live"
	case errors.Is(err, session.ErrAbsoluteExpired):
		return "absolute-expired"
	default:
		return "idle-expired"
	}
}

func ownerName(owner string) string {
	if owner == "" {
		return "(anonymous)"
	}
	return owner
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// dataSize is the BYTES column: "-" for a record listed without its data (a
// user's sessions are listed from metadata only).
func dataSize(r *session.Record) string {
	if r.Data == nil {
		return "-"
	}
	return strconv.Itoa(len(r.Data))
}
