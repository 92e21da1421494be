package janitor

import (
	"context"

	"github.com/sessiongen/sessiongen/session"
)

// OnCreated wires the probabilistic mode without touching the manager: it
// returns a session.Metrics that forwards everything to next (NopMetrics if
// nil) and calls MaybeRun whenever a session is created, so that with OneIn = N
// a cleanup round starts on about 1 in N session creations:
//
//	j := &janitor.Janitor{Store: store, OneIn: 1000}
//	manager.Metrics = j.OnCreated(manager.Metrics)
//
// The manager calls Metrics on its request path; MaybeRun only draws a random
// number there and never waits for the database.
func (j *Janitor) OnCreated(next session.Metrics) session.Metrics {
	if next == nil {
		next = session.NopMetrics{}
	}
	return createdTrigger{next, j}
}

type createdTrigger struct {
	session.Metrics
	j *Janitor
}

// Event implements session.Metrics.
func (t createdTrigger) Event(e session.Event) {
	t.Metrics.Event(e)
	if e == session.EventCreated {
		t.j.MaybeRun(context.Background())
	}
}
