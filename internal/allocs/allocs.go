// Package allocs measures heap allocation in bytes, for the tests that bound
// what a decoder may allocate for a given input (testing.AllocsPerRun counts
// allocations, not their size).
package allocs

import "runtime"

// Bytes returns the bytes of heap allocated while f ran. It reads the
// process's TotalAlloc, so other goroutines' allocations count too: bounds
// checked with it should be generous.
func Bytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
