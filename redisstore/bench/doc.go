// Package bench holds the Redis store's benchmarks: against scs's redisstore
// on one server, contention on one session, WAIT's cost, and 1 vs 3 masters.
// It is a module of its own so that the peer's client (redigo) stays out of
// redisstore's go.mod. Commands and results: docs/BENCHMARKS.md.
package bench
