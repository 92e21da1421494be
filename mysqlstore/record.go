package mysqlstore

import (
	"time"

	"github.com/sessiongen/sessiongen/gen/mysqldb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Times are stored as BIGINT unix microseconds, as in sqlitestore: exact,
// ordered, indexable, the precision of the PostgreSQL store, and free of the
// connection's time zone. Comparisons against a stored expiry stay exact when
// now carries nanoseconds, because stored values are whole microseconds: now < t
// exactly when micros(now) < t.

// micros converts t to unix microseconds, truncating below a microsecond.
func micros(t time.Time) int64 { return t.UnixMicro() }

// microsCeil converts t to unix microseconds, rounding up, for inclusive lower
// bounds: t <= x exactly when microsCeil(t) <= x for whole microseconds x.
func microsCeil(t time.Time) int64 {
	m := t.UnixMicro()
	if time.UnixMicro(m).Before(t) {
		m++
	}
	return m
}

// fromMicros converts stored unix microseconds back to a UTC time.
func fromMicros(m int64) time.Time { return time.UnixMicro(m).UTC() }

// owner converts an owner to its column value: NULL (nil) for an anonymous
// session. The column is VARBINARY, so the owner is stored byte for byte.
func owner(o string) []byte {
	if o == "" {
		return nil
	}
	return []byte(o)
}

// hitRecord converts LoadSession's row, which leaves out the key the caller
// looked it up by.
func hitRecord(key session.Key) func(op string, row mysqldb.LoadSessionRow) (session.Record, error) {
	return func(op string, row mysqldb.LoadSessionRow) (session.Record, error) {
		return toRecord(op, mysqldb.SessiongenSession{
			Key:               key[:],
			Owner:             row.Owner,
			Data:              row.Data,
			Version:           row.Version,
			CreatedAt:         row.CreatedAt,
			IdleExpiresAt:     row.IdleExpiresAt,
			AbsoluteExpiresAt: row.AbsoluteExpiresAt,
			PrevKey:           row.PrevKey,
			PrevExpiresAt:     row.PrevExpiresAt,
			PrevRefresh:       row.PrevRefresh,
			RememberMe:        row.RememberMe,
			Device:            row.Device,
			IpPrefix:          row.IpPrefix,
		})
	}
}

// toRecord converts a row read by operation op, refusing keys of the wrong
// length (ErrCorrupt).
func toRecord(op string, row mysqldb.SessiongenSession) (session.Record, error) {
	rec := session.Record{
		Owner:             string(row.Owner),
		Data:              row.Data,
		Version:           row.Version,
		CreatedAt:         fromMicros(row.CreatedAt),
		IdleExpiresAt:     fromMicros(row.IdleExpiresAt),
		AbsoluteExpiresAt: fromMicros(row.AbsoluteExpiresAt),
		RememberMe:        row.RememberMe,
		Device:            string(row.Device),
	}
	if rec.Data == nil {
		// database/sql scans an empty BLOB as nil; the contract's nil means
		// "no data" and is refused on write, so hand back an empty payload.
		rec.Data = []byte{}
	}
	var err error
	if rec.Key, err = storekit.StoredKey(op, "key", row.Key); err != nil {
		return session.Record{}, err
	}
	if rec.IPPrefix, err = storekit.StoredPrefix(op, "ip_prefix", string(row.IpPrefix)); err != nil {
		return session.Record{}, err
	}
	if row.PrevKey != nil {
		if rec.PrevKey, err = storekit.StoredKey(op, "prev_key", row.PrevKey); err != nil {
			return session.Record{}, err
		}
		if row.PrevRefresh {
			rec.PrevKind = session.RefreshRotation
		}
	}
	if row.PrevExpiresAt.Valid {
		rec.PrevExpiresAt = fromMicros(row.PrevExpiresAt.Int64)
	}
	return rec, nil
}
