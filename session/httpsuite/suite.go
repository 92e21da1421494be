// Package httpsuite is the session runtime's concurrency suite over real HTTP:
// the promises of package session about parallel requests of one visitor
// (nothing refused, nothing lost, logout wins, a token refresh keeps in-flight
// requests working while a login leaves the old token nothing, every change
// saved however it was made), checked through
// the public API only, with a generated session type, the middleware, real
// HTTPS and a browser's cookie jar, against a store.
//
// Package session runs it on every store of this module; a store in a module
// of its own (redisstore) runs it from its tests:
//
//	func TestHTTPSuite(t *testing.T) {
//		httpsuite.Run(t, func(t *testing.T) session.Store {
//			return newEmptyStore(t) // its own database or key prefix, removed with t.Cleanup
//		})
//	}
//
// Run calls open once per scenario and runs the scenarios in parallel, so open
// must return an independent, empty store on every call and must be safe to
// call from several goroutines. Scenarios that need two application instances
// give both the same store, as two processes on one database share it. Each
// scenario logs the store calls per request it measured.
package httpsuite

import (
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

// Run runs every scenario against stores made by open; each call must return a
// fresh, empty store.
func Run(t *testing.T, open func(t *testing.T) session.Store) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, open(t))
		})
	}
}

// scenario is one promise checked against a fresh store.
type scenario struct {
	name string
	run  func(t *testing.T, store session.Store)
}

// scenarios is the whole suite.
var scenarios = []scenario{
	{"UpdateCounterIsExact", updateCounterIsExact},
	{"UpdateCounterAcrossInstances", updateCounterAcrossInstances},
	{"DisjointSettersAllLand", disjointSettersAllLand},
	{"BurstOfSetters", burstOfSetters},
	{"ParallelFieldsAllSurvive", parallelFieldsAllSurvive},
	{"MergePolicies", mergePolicies},
	{"InPlaceEditsSaved", inPlaceEditsSaved},
	{"InPlaceEditsMerged", inPlaceEditsMerged},
	{"LateWriteReported", lateWriteReported},
	{"LogoutWinsOverSlowWrites", logoutWinsOverSlowWrites},
	{"RefreshWithInFlightOldToken", refreshWithInFlightOldToken},
	{"LoginRetiresOldToken", loginRetiresOldToken},
}
