package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ErrBadPayload is returned when a stored payload is not a single well-formed
// msgpack value. `sessions show` still prints the session's metadata.
var ErrBadPayload = errors.New("payload is not valid msgpack")

// maxPayloadDepth bounds nesting so that a hostile payload of nested one-byte
// arrays cannot exhaust the stack.
const maxPayloadDepth = 64

// timeExtID is msgpack's timestamp extension type.
const timeExtID = -1

// payloadJSON renders a msgpack payload as indented JSON for a human to read,
// without knowing the session's Go type: maps become objects (non-string keys
// are printed with fmt), binary becomes base64, timestamps RFC 3339 in UTC,
// other extensions {"ext": id, "data": base64}, and NaN or infinite floats
// strings.
func payloadJSON(data []byte) ([]byte, error) {
	r := bytes.NewReader(data)
	v, err := genericDecoder{msgpack.NewDecoder(r), r}.value(0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	if r.Len() > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the first value", ErrBadPayload, r.Len())
	}
	return json.MarshalIndent(v, "", "  ")
}

// genericDecoder decodes msgpack into JSON-marshalable Go values. in is the
// decoder's input, read for how many bytes are left.
type genericDecoder struct {
	d  *msgpack.Decoder
	in *bytes.Reader
}

// value decodes one value at nesting level depth.
func (g genericDecoder) value(depth int) (any, error) {
	d := g.d
	if depth > maxPayloadDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxPayloadDepth)
	}
	code, err := d.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case msgpcode.IsFixedMap(code) || code == msgpcode.Map16 || code == msgpcode.Map32:
		return g.mapValue(depth)
	case msgpcode.IsFixedArray(code) || code == msgpcode.Array16 || code == msgpcode.Array32:
		return g.arrayValue(depth)
	case msgpcode.IsExt(code):
		return g.extValue()
	case msgpcode.IsString(code) || msgpcode.IsBin(code):
		return g.bytesValue(msgpcode.IsString(code))
	}
	v, err := d.DecodeInterface()
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return fmt.Sprint(f), err
	}
	if f, ok := v.(float32); ok && (math.IsNaN(float64(f)) || math.IsInf(float64(f), 0)) {
		return fmt.Sprint(f), err
	}
	return v, err
}

func (g genericDecoder) mapValue(depth int) (any, error) {
	n, err := g.d.DecodeMapLen()
	if err != nil || n < 0 {
		return nil, err
	}
	m := map[string]any{}
	for range n {
		k, err := g.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v, err := g.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			key = fmt.Sprint(k)
		}
		m[key] = v
	}
	return m, nil
}

func (g genericDecoder) arrayValue(depth int) (any, error) {
	n, err := g.d.DecodeArrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	a := []any{} // not preallocated: n comes from the payload
	for range n {
		v, err := g.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	return a, nil
}

// decodeExt reads an extension value; timestamps are decoded by hand so that
// unknown extension types can be shown instead of failing the whole payload.
func (g genericDecoder) extValue() (any, error) {
	id, n, err := g.d.DecodeExtHeader()
	if err != nil {
		return nil, err
	}
	raw, err := g.read(n)
	if err != nil {
		return nil, err
	}
	if id != timeExtID {
		return map[string]any{"ext": id, "data": raw}, nil
	}
	t, err := decodeTimestamp(raw)
	if err != nil {
		return nil, err
	}
	return t.UTC().Format(time.RFC3339Nano), nil
}

// bytesValue reads a string or binary value; binary is returned as []byte,
// which encoding/json prints as base64.
func (g genericDecoder) bytesValue(isString bool) (any, error) {
	n, err := g.d.DecodeBytesLen()
	if err != nil {
		return nil, err
	}
	raw, err := g.read(n)
	if err != nil || !isString {
		return raw, err
	}
	return string(raw), nil
}

// read reads the n bytes of a value's body, refusing a length that overruns
// the payload before allocating anything: a 5-byte header may claim 4 GiB.
func (g genericDecoder) read(n int) ([]byte, error) {
	if n > g.in.Len() {
		return nil, fmt.Errorf("value of %d bytes overruns the payload (%d left)", n, g.in.Len())
	}
	raw := make([]byte, n)
	if err := g.d.ReadFull(raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// decodeTimestamp parses msgpack's timestamp 32, 64 and 96 formats.
func decodeTimestamp(b []byte) (time.Time, error) {
	switch len(b) {
	case 4:
		return time.Unix(int64(binary.BigEndian.Uint32(b)), 0), nil
	case 8:
		v := binary.BigEndian.Uint64(b)
		return time.Unix(int64(v&(1<<34-1)), int64(v>>34)), nil
	case 12:
		nsec := binary.BigEndian.Uint32(b)
		sec := int64(binary.BigEndian.Uint64(b[4:]))
		return time.Unix(sec, int64(nsec)), nil
	}
	return time.Time{}, fmt.Errorf("timestamp extension of %d bytes", len(b))
}
