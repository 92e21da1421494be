// Package storetest is the conformance suite for session.Store implementations:
// the precise statement of the contract documented on session.Store, which every
// store (memstore, pgstore, sqlitestore, ...) runs unchanged.
//
// A store author calls Run from a test in the store's package:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) session.Store {
//			return newEmptyStore(t) // its own database or schema, removed with t.Cleanup
//		})
//	}
//
// Run calls newStore once per subtest and runs the subtests of each area in
// parallel, so newStore must return an independent, empty store on every call and
// must be safe to call from several goroutines. Stores that also implement
// session.Leaser run the lease subtests; the others skip them.
//
// Every failure message names the promise that was broken. Times are built from one
// fixed instant in 2030 plus whole microseconds, the precision PostgreSQL keeps,
// and are compared with time.Time.Equal, so a store may return them in any
// location. Keys are random, so no two subtests share one. Run one area with
// -run, e.g. `go test -run 'Conformance/Rotate/' ./pgstore`.
package storetest
