//go:build unix

package sqlitestore_test

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time this process has used so far.
// Benchmarks report it per operation next to wall time: on a shared machine
// wall time includes waiting for a CPU, CPU time does not.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
