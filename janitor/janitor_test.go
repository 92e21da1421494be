package janitor_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/internal/testlog"
	"github.com/sessiongen/sessiongen/janitor"
	"github.com/sessiongen/sessiongen/session"
)

func TestRunCleansEveryIntervalUntilCancelled(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		opstest.Mix(t, store, time.Now(), 8, 3)
		var logs testlog.Buffer
		j := &janitor.Janitor{
			Store:    store,
			Interval: 20 * time.Millisecond,
			Jitter:   10 * time.Millisecond,
			Batch:    3,
			// Well above the interval: each round finishes, so the first logs all 8.
			MaxDuration: 5 * time.Second,
			Logger:      slog.New(slog.NewTextHandler(&logs, nil)),
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- j.Run(ctx) }()

		waitFor(t, func() bool { return len(opstest.Keys(t, store)) == 3 })
		// Sessions that expire later are caught by a later round.
		opstest.Mix(t, store, time.Now(), 4, 0)
		waitFor(t, func() bool { return len(opstest.Keys(t, store)) == 3 })
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
		if out := logs.String(); !strings.Contains(out, `msg="session cleanup" event=cleanup deleted=8`) {
			t.Errorf("logs lack the first round:\n%s", out)
		}
	})
}

func TestMaybeRunIsOffByDefault(t *testing.T) {
	store := newMemory(t, 3)
	j := &janitor.Janitor{Store: store}
	for range 100 {
		if j.MaybeRun(t.Context()) {
			t.Fatal("MaybeRun started a round with OneIn = 0")
		}
	}
	if n := len(opstest.Keys(t, store)); n != 3 {
		t.Errorf("%d sessions left, want all 3", n)
	}
}

func TestMaybeRunTriggersOneInN(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cleanable) {
		opstest.Mix(t, store, time.Now(), 6, 2)
		j := &janitor.Janitor{Store: store, OneIn: 1, Logger: slog.New(slog.DiscardHandler)}
		// A cancelled request context must not cut the background round short.
		ctx, cancel := context.WithCancel(t.Context())
		if !j.MaybeRun(ctx) {
			t.Fatal("MaybeRun with OneIn = 1 did not start a round")
		}
		cancel()
		j.Wait()
		if n := len(opstest.Keys(t, store)); n != 2 {
			t.Errorf("%d sessions left, want the 2 live ones", n)
		}
	})
}

func TestMaybeRunProbability(t *testing.T) {
	j := &janitor.Janitor{Store: newMemory(t, 0), OneIn: 10, Logger: slog.New(slog.DiscardHandler)}
	started := 0
	for range 2000 {
		if j.MaybeRun(t.Context()) {
			started++
			j.Wait() // one at a time, so that "busy" never suppresses a trigger
		}
	}
	// Binomial(2000, 0.1): mean 200, sd 13.4; 120..280 is six sd either side.
	if started < 120 || started > 280 {
		t.Errorf("MaybeRun started %d rounds in 2000 calls with OneIn = 10", started)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOnCreatedTriggersOnSessionCreation(t *testing.T) {
	store := newMemory(t, 4)
	var next eventCounter
	j := &janitor.Janitor{Store: store, OneIn: 1, Logger: slog.New(slog.DiscardHandler)}
	m := j.OnCreated(&next)
	m.Event(session.EventRotated) // not a creation: no round
	j.Wait()
	if n := len(opstest.Keys(t, store)); n != 4 {
		t.Fatalf("a rotation triggered cleanup: %d sessions left", n)
	}
	m.Event(session.EventCleanup)
	m.Event(session.EventCreated)
	j.Wait()
	if n := len(opstest.Keys(t, store)); n != 0 {
		t.Errorf("%d sessions left after a creation with OneIn = 1", n)
	}
	if next.cleanups.Load() != 1 {
		t.Error("events were not forwarded to the wrapped Metrics")
	}
}
