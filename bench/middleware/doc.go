// Package middleware benchmarks the per-request overhead of the sessiongen
// middleware against scs's LoadAndSave, both on in-memory stores, in the same
// run: load the session, read a field, set a field, save. See
// docs/bench/middleware.md for results and the command that reproduces them.
package middleware
