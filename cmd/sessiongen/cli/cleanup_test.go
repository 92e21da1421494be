package cli

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
)

func TestCleanupDeletesExactlyTheExpired(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, url string) {
		db := migrated(t, url)
		now := time.Now()
		_, live := opstest.Mix(t, db.Store, now, 150, 40)
		// Absolutely expired while the idle expiry is still ahead: impossible,
		// stores clamp idle to absolute, so this one is idle-expired too.
		abs := opstest.Record("carol", []byte{0xc0}, now.Add(-time.Minute))
		abs.AbsoluteExpiresAt = now.Add(-time.Minute)
		opstest.Create(t, db.Store, abs)
		checkCounts(t, db.Store, session.Counts{Live: 40, Expired: 151})

		out := mustCLI(t, "cleanup", "-database-url", url, "-dry-run")
		if !strings.Contains(out, "151 expired sessions would be deleted, 40 live") {
			t.Errorf("dry run printed %q", out)
		}
		checkCounts(t, db.Store, session.Counts{Live: 40, Expired: 151}) // dry run deleted nothing

		code, out, errOut := cli(t, "cleanup", "-database-url", url, "-batch", "20", "-progress", "log")
		if code != exitOK || !strings.Contains(out, "deleted 151 expired sessions in 8 batches") {
			t.Fatalf("cleanup: exit %d\nstdout %s\nstderr %s", code, out, errOut)
		}
		if n := strings.Count(errOut, `msg="session cleanup batch" event=cleanup`); n != 8 {
			t.Errorf("%d batch log lines, want 8:\n%s", n, errOut)
		}
		checkCounts(t, db.Store, session.Counts{Live: 40})
		opstest.SameKeys(t, opstest.Keys(t, db.Store), live)
	})
}

func TestCleanupProgressBar(t *testing.T) {
	url := "sqlite://" + t.TempDir() + "/bar.db"
	db := migrated(t, url)
	opstest.Mix(t, db.Store, time.Now(), 30, 0)
	_, errOut := mustCLIErr(t, "cleanup", "-database-url", url, "-batch", "10", "-progress", "bar")
	// Four redraws (10, 20, 30, then the empty last batch), ending at 100%.
	if n := strings.Count(errOut, "\r["); n != 4 {
		t.Errorf("%d redraws, want 4: %q", n, errOut)
	}
	for _, want := range []string{"10/30 rows", "rows/s", "ETA", "[" + strings.Repeat("#", barWidth) + "] 100.0%  30/30 rows"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("progress lacks %q: %q", want, errOut)
		}
	}
	if !strings.HasSuffix(errOut, "\n") {
		t.Error("the bar's line is not ended")
	}
}

// TestCleanupWhileAnotherHoldsTheLease starts a second cleanup while the
// first is between two batches, holding the lease: the second must report
// that another instance is the leader and exit 3 having deleted nothing; the
// first must then finish alone.
func TestCleanupWhileAnotherHoldsTheLease(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, url string) {
		db := migrated(t, url)
		_, live := opstest.Mix(t, db.Store, time.Now(), 60, 10)

		type outcome struct {
			code     int
			out, err string
		}
		var (
			second outcome
			once   sync.Once
		)
		setAfterCleanupBatch(t, url, func() {
			once.Do(func() {
				second.code, second.out, second.err = cli(t, "cleanup", "-database-url", url, "-progress", "log")
				checkCounts(t, db.Store, session.Counts{Live: 10, Expired: 50}) // only the first's batch went
			})
		})
		first := mustCLI(t, "cleanup", "-database-url", url, "-batch", "10", "-progress", "log")

		if second.code != exitNotLeader || !strings.Contains(second.err, "another instance holds the \"sessiongen-cleanup\" lease") {
			t.Errorf("second cleanup: exit %d, stderr %q; want exit 3, not the leader", second.code, second.err)
		}
		if !strings.Contains(first, "deleted 60 expired sessions") {
			t.Errorf("first cleanup printed %q", first)
		}
		opstest.SameKeys(t, opstest.Keys(t, db.Store), live)
	})
}

// TestCleanupStopsAtMaxDuration bounds a cleanup to no time at all: it stops
// before its first batch, says so, and succeeds.
func TestCleanupStopsAtMaxDuration(t *testing.T) {
	url := "sqlite://" + t.TempDir() + "/max.db"
	db := migrated(t, url)
	opstest.Mix(t, db.Store, time.Now(), 5, 0)
	out := mustCLI(t, "cleanup", "-database-url", url, "-max-duration", "1ns", "-progress", "log")
	if !strings.Contains(out, "stopped early") || !strings.Contains(out, "about 5 expired sessions remain") {
		t.Errorf("cleanup printed %q", out)
	}
	checkCounts(t, db.Store, session.Counts{Expired: 5})
}

func TestCleanupHelp(t *testing.T) {
	code, _, errOut := cli(t, "cleanup", "-h")
	want := "  -progress mode\n    \thow to show progress: mode is bar (a bar redrawn in place), log (a log line per batch) or auto"
	if code != exitOK || !strings.Contains(errOut, want) {
		t.Errorf("cleanup -h: exit %d, want %q in:\n%s", code, want, errOut)
	}
}

func TestCleanupRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-batch", "0"}, {"-lease-ttl", "0s"}, {"-progress", "fancy"}, {"extra"}} {
		code, _, errOut := cli(t, append([]string{"cleanup", "-database-url", "x.db"}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "usage: sessiongen cleanup") {
			t.Errorf("cleanup %v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// setAfterCleanupBatch installs hook after every batch of cleanups of url,
// for t's duration.
func setAfterCleanupBatch(t *testing.T, url string, hook func()) {
	afterCleanupBatch.Store(url, hook)
	t.Cleanup(func() { afterCleanupBatch.Delete(url) })
}

func checkCounts(t *testing.T, store session.Store, want session.Counts) {
	t.Helper()
	got, err := store.Count(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
}
