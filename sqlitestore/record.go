package sqlitestore

import (
	"database/sql"

	"github.com/sessiongen/sessiongen/gen/sqlitedb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Times are stored as INTEGER unix microseconds (storekit.Micros).

// owner converts an owner to its column value: NULL for an anonymous session.
func owner(o string) sql.NullString { return sql.NullString{String: o, Valid: o != ""} }

// flag converts a boolean to its INTEGER column value (STRICT tables have no
// BOOLEAN).
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// toRecord converts a row read by operation op, refusing keys of the wrong
// length (ErrCorrupt).
func toRecord(op string, row sqlitedb.SessiongenSession) (session.Record, error) {
	rec := session.Record{
		Owner:             row.Owner.String,
		Data:              row.Data,
		Version:           row.Version,
		CreatedAt:         storekit.FromMicros(row.CreatedAt),
		IdleExpiresAt:     storekit.FromMicros(row.IdleExpiresAt),
		AbsoluteExpiresAt: storekit.FromMicros(row.AbsoluteExpiresAt),
		RememberMe:        row.RememberMe != 0,
		Device:            row.Device,
	}
	if rec.Data == nil {
		// database/sql scans an empty BLOB as nil; the contract's nil means
		// "no data" and is refused on write, so hand back an empty payload.
		rec.Data = []byte{}
	}
	if err := storekit.StoredIdentity(op, &rec, row.Key, row.PrevKey, row.IpPrefix); err != nil {
		return session.Record{}, err
	}
	if row.PrevKey != nil && row.PrevRefresh != 0 {
		rec.PrevKind = session.RefreshRotation
	}
	if row.PrevExpiresAt.Valid {
		rec.PrevExpiresAt = storekit.FromMicros(row.PrevExpiresAt.Int64)
	}
	return rec, nil
}
