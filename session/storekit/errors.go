package storekit

import (
	"fmt"
	"net/netip"

	"github.com/sessiongen/sessiongen/session"
)

// Invalid returns a session.ErrInvalid describing what was wrong with an
// argument of operation op.
func Invalid(op, reason string) error {
	return fmt.Errorf("%w: %s: %s", session.ErrInvalid, op, reason)
}

// Unavailable wraps cause as a session.ErrUnavailable for operation op,
// keeping cause reachable through errors.Is and errors.As
// (context.DeadlineExceeded, say).
func Unavailable(op string, cause error) error {
	return fmt.Errorf("%w: %s: %w", session.ErrUnavailable, op, cause)
}

// StoredKey converts a key read back from column, refusing any length other
// than session.KeySize with a session.ErrCorrupt, so that a damaged row is
// reported rather than silently truncated or padded.
func StoredKey(op, column string, b []byte) (session.Key, error) {
	var k session.Key
	if len(b) != session.KeySize {
		return k, fmt.Errorf("%w: %s: %s has %d bytes, want %d", session.ErrCorrupt, op, column, len(b), session.KeySize)
	}
	copy(k[:], b)
	return k, nil
}

// Records converts a page of rows read by operation op with convert; one row
// that cannot be read fails the page.
func Records[Row any](op string, rows []Row, convert func(op string, row Row) (session.Record, error)) ([]session.Record, error) {
	out := make([]session.Record, 0, len(rows))
	for _, row := range rows {
		rec, err := convert(op, row)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// PrefixText is the stored spelling of a session's IP prefix: "" for the
// zero Prefix (unknown), its canonical text otherwise.
func PrefixText(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

// StoredPrefix converts an IP prefix read back from column ("" is the zero
// Prefix), refusing text that is not a masked prefix with a
// session.ErrCorrupt.
func StoredPrefix(op, column, text string) (netip.Prefix, error) {
	if text == "" {
		return netip.Prefix{}, nil
	}
	p, err := netip.ParsePrefix(text)
	if err != nil || p != p.Masked() {
		return netip.Prefix{}, fmt.Errorf("%w: %s: %s holds %q, not a masked IP prefix", session.ErrCorrupt, op, column, text)
	}
	return p, nil
}

// StoredIdentity reads a session's key, previous key (nil for none) and IP
// prefix, as a SQL store keeps them (bytes and text), into rec, refusing any
// other shape with a session.ErrCorrupt: a damaged row is reported rather than
// silently truncated or padded.
func StoredIdentity(op string, rec *session.Record, key, prevKey []byte, ipPrefix string) error {
	var err error
	if rec.Key, err = StoredKey(op, "key", key); err != nil {
		return err
	}
	if prevKey != nil {
		if rec.PrevKey, err = StoredKey(op, "prev_key", prevKey); err != nil {
			return err
		}
	}
	rec.IPPrefix, err = StoredPrefix(op, "ip_prefix", ipPrefix)
	return err
}

// IfNone returns err, or ifNone when the statement succeeded but matched no
// row: Create's ErrExists for a taken key, Touch's ErrNotFound for a session
// that is gone.
func IfNone(n int64, err, ifNone error) error {
	if err == nil && n == 0 {
		return ifNone
	}
	return err
}
