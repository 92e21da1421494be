package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sessiongen/sessiongen/wire"
)

// ErrBadPayload is returned when a stored payload is not a single well-formed
// msgpack value. `sessions show` still prints the session's metadata.
var ErrBadPayload = errors.New("payload is not valid msgpack")

// payloadJSON renders a msgpack payload as indented JSON for a human to read,
// without knowing the session's Go type. It reads the payload with wire's
// generic walk, the same bounded reader as the generated decoders: maps become
// objects in the payload's order (non-string keys are printed with fmt),
// binary becomes base64, timestamps RFC 3339 in UTC, other extensions
// {"ext": id, "data": base64}, and NaN or infinite floats strings.
func payloadJSON(data []byte) ([]byte, error) {
	r := wire.NewReader(data)
	v, err := r.Any()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	if r.Len() > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the first value", ErrBadPayload, r.Len())
	}
	return json.MarshalIndent(jsonValue(v), "", "  ")
}

// jsonValue turns what wire.Reader.Any returns into values encoding/json
// prints as described at payloadJSON.
func jsonValue(v any) any {
	switch v := v.(type) {
	case wire.Map:
		m := make(object, len(v))
		for i, e := range v {
			key, ok := e.Key.(string)
			if !ok {
				key = fmt.Sprint(jsonValue(e.Key))
			}
			m[i] = member{key, jsonValue(e.Value)}
		}
		return m
	case []any:
		for i := range v {
			v[i] = jsonValue(v[i])
		}
		return v
	case wire.Ext:
		return map[string]any{"ext": v.Type, "data": v.Data}
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Sprint(v)
		}
	case float32:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Sprint(v)
		}
	}
	return v
}

// object is a JSON object that keeps its members in order.
type object []member

type member struct {
	key   string
	value any
}

// MarshalJSON implements json.Marshaler.
func (o object) MarshalJSON() ([]byte, error) {
	out := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			out = append(out, ',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, k...), ':'), v...)
	}
	return append(out, '}'), nil
}
