package redisstore

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// entry is one hash as read back: a session, a pending rotation copy, or a
// pointer left by a rotation.
type entry struct {
	rec     session.Record
	pending session.Key // pf: the key this copy is being rotated from (zero when not pending)
	next    session.Key // n: a pointer's target (zero when not a pointer)
	graceAt time.Time   // g: end of a pointer's grace window
	kind    string      // k: a pointer's rotation kind (privilegeRotation or refreshRotation)
	idle    string      // i: a pointer's last idle expiry, for finishing a rotation
}

func (e *entry) isPointer() bool { return !e.next.IsZero() }
func (e *entry) isPending() bool { return !e.pending.IsZero() }

// decodeEntry converts a hash read with HGETALL. An empty hash is (nil, nil).
func decodeEntry(op string, key session.Key, h map[string]string) (*entry, error) {
	if _, ok := h["d"]; !ok && len(h) > 0 && h["n"] == "" {
		return nil, fmt.Errorf("%w: %s: session %s: field d: missing", session.ErrCorrupt, op, key.Prefix())
	}
	return decodeFields(op, key, h)
}

// metaFields are the fields of a session or pointer but its data: what an
// owner's device list reads.
var metaFields = []string{"v", "o", "c", "i", "a", "p", "pu", "pf", "rk", "rm", "dv", "ip", "n", "g", "k"}

// decodeMeta converts the reply of HMGET metaFields (nil for an absent
// field); the entry has no Data. No field at all is (nil, nil).
func decodeMeta(op string, key session.Key, values []*string) (*entry, error) {
	h := make(map[string]string, len(metaFields))
	for i, v := range values {
		if v != nil && i < len(metaFields) {
			h[metaFields[i]] = *v
		}
	}
	e, err := decodeFields(op, key, h)
	if e != nil {
		e.rec.Data = nil
	}
	return e, err
}

// decodeFields converts a hash's fields, with or without the data.
func decodeFields(op string, key session.Key, h map[string]string) (*entry, error) {
	if len(h) == 0 {
		return nil, nil
	}
	corrupt := func(field string, err error) error {
		return fmt.Errorf("%w: %s: session %s: field %s: %v", session.ErrCorrupt, op, key.Prefix(), field, err)
	}
	e := &entry{}
	if n, ok := h["n"]; ok {
		var err error
		if e.next, err = parseKey(n); err != nil {
			return nil, corrupt("n", err)
		}
		if e.graceAt, err = parseMicros(h["g"]); err != nil {
			return nil, corrupt("g", err)
		}
		e.rec.Owner, e.kind, e.idle = h["o"], h["k"], h["i"]
		return e, nil
	}
	r := &e.rec
	r.Key, r.Owner, r.Data = key, h["o"], []byte(h["d"])
	r.RememberMe, r.Device = h["rm"] == "1", h["dv"]
	var err error
	if r.IPPrefix, err = storekit.StoredPrefix(op, "ip", h["ip"]); err != nil {
		return nil, err
	}
	if r.Version, err = strconv.ParseInt(h["v"], 10, 64); err != nil {
		return nil, corrupt("v", err)
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"c", &r.CreatedAt}, {"i", &r.IdleExpiresAt}, {"a", &r.AbsoluteExpiresAt}} {
		if *f.dst, err = parseMicros(h[f.name]); err != nil {
			return nil, corrupt(f.name, err)
		}
	}
	if p, ok := h["p"]; ok {
		if r.PrevKey, err = parseKey(p); err != nil {
			return nil, corrupt("p", err)
		}
		if r.PrevExpiresAt, err = parseMicros(h["pu"]); err != nil {
			return nil, corrupt("pu", err)
		}
		if h["rk"] == refreshRotation {
			r.PrevKind = session.RefreshRotation
		}
	}
	if pf, ok := h["pf"]; ok {
		if e.pending, err = parseKey(pf); err != nil {
			return nil, corrupt("pf", err)
		}
	}
	return e, nil
}

func parseMicros(s string) (time.Time, error) {
	us, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(us).UTC(), nil
}

func parseKey(s string) (session.Key, error) {
	var k session.Key
	if len(s) != 2*session.KeySize {
		return k, fmt.Errorf("key of %d hex digits", len(s))
	}
	_, err := hex.Decode(k[:], []byte(s))
	return k, err
}
