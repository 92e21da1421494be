package wire

import (
	"fmt"
	"math"
)

// Map is a msgpack map read by Any: its entries in the order of the input.
// Keys may be of any kind, and may repeat.
type Map []Entry

// Entry is one key and value of a Map.
type Entry struct {
	Key, Value any
}

// Ext is an extension value that Any does not read as a timestamp.
type Ext struct {
	Type int8
	Data []byte
}

// Any reads the next value whole without knowing its Go type, for tools that
// show stored sessions. It returns nil, bool, int64 (uint64 above
// math.MaxInt64), float32, float64, string (str), []byte (bin), time.Time (the
// timestamps Time reads, checked as it checks them), Ext (other extensions),
// []any (array) or Map (map). Strings and byte slices are copies.
//
// It is bounded like the generated decoders: lengths are checked against the
// unread input before anything is allocated, and nesting of arrays and maps is
// refused beyond the depth limit of struct decoding (ErrTooDeep).
func (r *Reader) Any() (any, error) {
	if len(r.b) == 0 {
		return nil, ErrShort
	}
	c := r.b[0]
	switch {
	case c == codeNil:
		r.b = r.b[1:]
		return nil, nil
	case c == codeTrue || c == codeFalse:
		return r.Bool()
	case c == codeFloat32:
		return r.Float32()
	case c == codeFloat64:
		return r.Float64()
	case c >= 0xa0 && c <= 0xbf, c == codeStr8, c == codeStr16, c == codeStr32:
		return r.String()
	case c == codeBin8, c == codeBin16, c == codeBin32:
		return r.Bytes()
	case c >= 0x90 && c <= 0x9f, c == codeArray16, c == codeArray32:
		return r.anyArray()
	case c >= 0x80 && c <= 0x8f, c == codeMap16, c == codeMap32:
		return r.anyMap()
	case c >= codeFixExt1 && c <= codeFixExt16, c == codeExt8, c == codeExt16, c == codeExt32:
		return r.anyExt()
	}
	u, i, neg, err := r.number("any value")
	switch {
	case err != nil:
		return nil, err
	case neg:
		return i, nil
	case u > math.MaxInt64:
		return u, nil
	}
	return int64(u), nil
}

func (r *Reader) anyArray() (any, error) {
	n, err := r.ArrayHeader()
	if err != nil {
		return nil, err
	}
	if err := r.Enter(); err != nil {
		return nil, err
	}
	a := make([]any, 0, SliceCap[any](r, n))
	for range n {
		v, err := r.Any()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	r.Leave()
	return a, nil
}

func (r *Reader) anyMap() (any, error) {
	n, err := r.MapHeader()
	if err != nil {
		return nil, err
	}
	if err := r.Enter(); err != nil {
		return nil, err
	}
	m := make(Map, 0, SliceCap[Entry](r, n))
	for range n {
		k, err := r.Any()
		if err != nil {
			return nil, err
		}
		v, err := r.Any()
		if key, ok := k.(string); ok && err != nil {
			return nil, InKey([]byte(key), err)
		}
		if err != nil {
			return nil, err
		}
		m = append(m, Entry{k, v})
	}
	r.Leave()
	return m, nil
}

func (r *Reader) anyExt() (any, error) {
	c, typ, p, err := r.ext()
	if err != nil {
		return nil, err
	}
	t, ok, err := timeExt(typ, p)
	switch {
	case err != nil:
		return nil, fmt.Errorf("extension %d (code 0x%02x): %w", typ, c, err)
	case ok:
		return t, nil
	}
	return Ext{Type: typ, Data: append([]byte(nil), p...)}, nil
}
