package mysqlstore

import (
	"github.com/sessiongen/sessiongen/gen/mysqldb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Times are stored as BIGINT unix microseconds (storekit.Micros), as in
// sqlitestore: free of the connection's time zone.

// owner converts an owner to its column value: NULL (nil) for an anonymous
// session. The column is VARBINARY, so the owner is stored byte for byte.
func owner(o string) []byte {
	if o == "" {
		return nil
	}
	return []byte(o)
}

// toRecord converts a row read by operation op, refusing keys of the wrong
// length (ErrCorrupt).
func toRecord(op string, row mysqldb.SessiongenSession) (session.Record, error) {
	rec := session.Record{
		Owner:             string(row.Owner),
		Data:              row.Data,
		Version:           row.Version,
		CreatedAt:         storekit.FromMicros(row.CreatedAt),
		IdleExpiresAt:     storekit.FromMicros(row.IdleExpiresAt),
		AbsoluteExpiresAt: storekit.FromMicros(row.AbsoluteExpiresAt),
		RememberMe:        row.RememberMe,
		Device:            string(row.Device),
	}
	if rec.Data == nil {
		// database/sql scans an empty BLOB as nil; the contract's nil means
		// "no data" and is refused on write, so hand back an empty payload.
		rec.Data = []byte{}
	}
	if err := storekit.StoredIdentity(op, &rec, row.Key, row.PrevKey, string(row.IpPrefix)); err != nil {
		return session.Record{}, err
	}
	if row.PrevKey != nil && row.PrevRefresh {
		rec.PrevKind = session.RefreshRotation
	}
	if row.PrevExpiresAt.Valid {
		rec.PrevExpiresAt = storekit.FromMicros(row.PrevExpiresAt.Int64)
	}
	return rec, nil
}
