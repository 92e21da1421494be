package storekit

import "time"

// For stores that keep times as integer unix microseconds (sqlitestore,
// mysqlstore): exact, ordered, indexable, the precision PostgreSQL's
// timestamptz keeps, and free of the connection's time zone. Comparisons
// against a stored time stay exact when now carries nanoseconds, because
// stored values are whole microseconds: now < t exactly when Micros(now) < t.

// Micros converts t to unix microseconds, truncating below a microsecond.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// MicrosCeil converts t to unix microseconds, rounding up, for inclusive lower
// bounds: t <= x exactly when MicrosCeil(t) <= x for whole microseconds x.
func MicrosCeil(t time.Time) int64 {
	m := t.UnixMicro()
	if time.UnixMicro(m).Before(t) {
		m++
	}
	return m
}

// FromMicros converts stored unix microseconds back to a UTC time.
func FromMicros(m int64) time.Time { return time.UnixMicro(m).UTC() }
