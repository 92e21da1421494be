// Package bench holds the comparison benchmarks of sessiongen against its peers.
// It is a module of its own so that the peers (scs, tinylib/msgp, ...) never
// reach the library's go.mod.
package bench
