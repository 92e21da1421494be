// Package cleanup benchmarks expired-session cleanup on PostgreSQL: throughput
// of janitor.Sweep over 1,000,000 expired sessions next to 100,000 live ones,
// and the latency of concurrent session loads during the cleanup against the
// same loads without it. Results: docs/bench/cleanup.md.
package cleanup
