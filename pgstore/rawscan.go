package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rawScanDB is the pgdb.DBTX the generated queries run on: Exec and Query go
// to the pool unchanged; QueryRow reads its row with rawRow, which decodes the
// binary wire format of the few column types our statements return straight
// into the generated code's Go types.
//
// Why: pgx's Row.Scan looks up a scan plan for every column of every row
// (the plans are cached per Rows, and a QueryRow has one row), and wraps each
// destination for its generic conversion machinery. For Load's twelve
// columns that was about 40% of the client's instructions per call
// (docs/bench/ceiling.md has the callgrind counts). The statements, their
// parameters and the statement cache stay pgx's own.
type rawScanDB struct{ pool *pgxpool.Pool }

func (db rawScanDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return db.pool.Exec(ctx, sql, args...)
}

func (db rawScanDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return db.pool.Query(ctx, sql, args...)
}

func (db rawScanDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := db.pool.Query(ctx, sql, args...)
	return rawRow{rows: rows, err: err}
}

// rawRow is the first row of rows, or err, with pgx.Row's semantics:
// pgx.ErrNoRows when there is no row, the statement's error otherwise.
type rawRow struct {
	rows pgx.Rows
	err  error
}

// Scan decodes the row into dest. A destination type or a column format it
// does not know (another exec mode may return text: QueryExecModeSimpleProtocol
// does) falls back to pgx's own Scan for the whole row, so any statement
// works; the decoding below is only a faster path for the common one.
func (r rawRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	rows := r.rows
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	fields, values := rows.FieldDescriptions(), rows.RawValues()
	var err error
	if rawDecodable(fields, dest) {
		err = rawDecode(fields, values, dest)
	} else {
		err = rows.Scan(dest...)
	}
	rows.Close()
	if rowsErr := rows.Err(); rowsErr != nil {
		return rowsErr
	}
	return err
}

// rawDecodable reports whether every column can be decoded by rawDecode into
// its destination: the right type, and the binary format where the text
// format differs.
func rawDecodable(fields []pgconn.FieldDescription, dest []any) bool {
	if len(fields) != len(dest) {
		return false
	}
	for i, d := range dest {
		oid, isBinary := fields[i].DataTypeOID, fields[i].Format == pgx.BinaryFormatCode
		var want uint32
		switch d.(type) {
		case *[]byte:
			want = pgtype.ByteaOID
		case *string, **string:
			// Text is the same bytes in both formats.
			want, isBinary = pgtype.TextOID, true
		case *int64:
			want = pgtype.Int8OID
		case *bool:
			want = pgtype.BoolOID
		case *time.Time, **time.Time:
			want = pgtype.TimestamptzOID
		}
		if oid != want || !isBinary {
			return false
		}
	}
	return true
}

// errRawNull is a NULL in a column whose destination cannot hold one; pgx's
// Scan fails the same way.
var errRawNull = errors.New("cannot scan NULL into a non-pointer destination")

// rawDecode decodes values (binary format, per rawDecodable) into dest.
// Bytes are copied: values are only valid until the next row.
func rawDecode(fields []pgconn.FieldDescription, values [][]byte, dest []any) error {
	for i, d := range dest {
		v := values[i]
		if err := rawDecodeOne(v, d); err != nil {
			return fmt.Errorf("can't scan into dest[%d] (col: %s): %w", i, fields[i].Name, err)
		}
	}
	return nil
}

func rawDecodeOne(v []byte, d any) error {
	switch d := d.(type) {
	case *[]byte:
		if v == nil {
			*d = nil
		} else {
			*d = append(make([]byte, 0, len(v)), v...)
		}
		return nil
	case **string:
		if v == nil {
			*d = nil
			return nil
		}
		s := string(v)
		*d = &s
		return nil
	case **time.Time:
		if v == nil {
			*d = nil
			return nil
		}
		t, err := rawTimestamptz(v)
		*d = &t
		return err
	}
	if v == nil {
		return errRawNull
	}
	switch d := d.(type) {
	case *string:
		*d = string(v)
	case *int64:
		if len(v) != 8 {
			return fmt.Errorf("int8: %d bytes, want 8", len(v))
		}
		*d = int64(binary.BigEndian.Uint64(v))
	case *bool:
		if len(v) != 1 {
			return fmt.Errorf("bool: %d bytes, want 1", len(v))
		}
		*d = v[0] != 0
	case *time.Time:
		t, err := rawTimestamptz(v)
		*d = t
		return err
	}
	return nil
}

// postgresEpochMicros is 2000-01-01 00:00:00 UTC, the origin of PostgreSQL's
// binary timestamps, in microseconds since the Unix epoch.
const postgresEpochMicros = 946684800 * 1_000_000

// rawTimestamptz decodes a binary timestamptz (microseconds since 2000-01-01
// UTC) as a UTC time. ±infinity have no time.Time, as in pgx.
func rawTimestamptz(v []byte) (time.Time, error) {
	if len(v) != 8 {
		return time.Time{}, fmt.Errorf("timestamptz: %d bytes, want 8", len(v))
	}
	us := int64(binary.BigEndian.Uint64(v))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return time.Time{}, errors.New("timestamptz: cannot scan infinity into time.Time")
	}
	return time.UnixMicro(us + postgresEpochMicros).UTC(), nil
}
