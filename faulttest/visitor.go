// Package faulttest injects faults under sessiongen's middleware on pgstore:
// a PostgreSQL crash and restart under load, statement timeouts and pool
// exhaustion, and corrupt rows. The tests start their own throwaway cluster
// where they stop the server, so that nothing else is harmed;
// docs/RELIABILITY.md describes each scenario and its results.
//
// The package itself only holds the session type and the test application.
package faulttest

//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Visitor

// Visitor is the session of the test application.
type Visitor struct {
	// Count is incremented by POST /incr.
	Count int64 `session:"count"`
	// Name is set by POST /hello, which starts a session.
	Name string `session:"name"`
}
