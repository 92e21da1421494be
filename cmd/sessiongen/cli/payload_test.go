package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

func TestPayloadJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	cases := []struct {
		name  string
		value any
		want  string
	}{
		{"scalars", map[string]any{"s": "x", "i": -3, "u": uint64(math.MaxUint64), "b": true, "n": nil},
			`{"b":true,"i":-3,"n":null,"s":"x","u":18446744073709551615}`},
		{"bytes", map[string]any{"raw": []byte("hi")}, `{"raw":"aGk="}`},
		{"time 96", map[string]any{"t": at}, `{"t":"2026-01-02T03:04:05.000000006Z"}`},
		{"time 32", map[string]any{"t": time.Unix(1700000000, 0)}, `{"t":"2023-11-14T22:13:20Z"}`},
		{"nested", map[string]any{"a": []any{1, map[string]any{"k": "v"}}}, `{"a":[1,{"k":"v"}]}`},
		{"int keys", map[int]string{1: "one"}, `{"1":"one"}`},
		{"array root", []string{"x", "y"}, `["x","y"]`},
		{"non-finite", map[string]float64{"inf": math.Inf(1), "nan": math.NaN()}, `{"inf":"+Inf","nan":"NaN"}`},
	}
	for _, c := range cases {
		b, err := msgpack.Marshal(c.value)
		if err != nil {
			t.Fatal(err)
		}
		got, err := payloadJSON(b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if compact := compactJSON(t, got); compact != c.want {
			t.Errorf("%s: %s, want %s", c.name, compact, c.want)
		}
	}
}

func TestPayloadJSONShowsUnknownExtensions(t *testing.T) {
	got, err := payloadJSON([]byte{0xd4, 0x05, 0x2a}) // fixext1, type 5, byte 42
	if err != nil {
		t.Fatal(err)
	}
	if c := compactJSON(t, got); c != `{"data":"Kg==","ext":5}` {
		t.Errorf("ext rendered as %s", c)
	}
}

// The CLI reads times as the generated decoders do (wire's one reader): tinylib's
// legacy extension 5 is a time, and nanoseconds of a second or more are refused.
func TestPayloadJSONTimesAsDecoders(t *testing.T) {
	legacy := []byte{0xc7, 12, 5, 0, 0, 0, 0, 0x65, 0, 0, 0, 0, 0, 0, 9}
	got, err := payloadJSON(legacy)
	if err != nil {
		t.Fatal(err)
	}
	if c := compactJSON(t, got); c != `"2023-09-12T06:06:56.000000009Z"` {
		t.Errorf("legacy time rendered as %s", c)
	}
	badNanos := []byte{0xc7, 12, 0xff, 0x3b, 0x9a, 0xca, 0x00, 0, 0, 0, 0, 0, 0, 0, 1} // 1e9 ns
	if _, err := payloadJSON(badNanos); !errors.Is(err, ErrBadPayload) {
		t.Errorf("a timestamp of 1e9 nanoseconds: %v, want ErrBadPayload", err)
	}
}

// Fields are shown in the order the session stored them (declaration order).
func TestPayloadJSONKeepsOrder(t *testing.T) {
	got, err := payloadJSON([]byte{0x82, 0xa1, 'z', 0x01, 0xa1, 'a', 0x02})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"z\": 1,\n  \"a\": 2\n}"; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestPayloadJSONRejectsMalformed(t *testing.T) {
	deep := make([]byte, 2000)
	for i := range deep {
		deep[i] = 0x91 // array of one element, nested 2000 deep
	}
	for name, data := range map[string][]byte{
		"empty":       {},
		"never used":  {0xc1},
		"truncated":   {0x82, 0xa1, 'a'},
		"trailing":    {0x01, 0x02},
		"too deep":    deep,
		"ext overrun": {0xc7, 0xff, 0x05, 0x01},
		"bad time":    {0xd5, 0xff, 0x00, 0x00}, // timestamp of 2 bytes
	} {
		if _, err := payloadJSON(data); !errors.Is(err, ErrBadPayload) {
			t.Errorf("%s: %v, want ErrBadPayload", name, err)
		}
	}
}

// FuzzPayloadJSON feeds arbitrary stored payloads to the decoder behind
// `sessions show`: it must return JSON or ErrBadPayload, never panic.
func FuzzPayloadJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := payloadJSON(data)
		if err != nil {
			if !errors.Is(err, ErrBadPayload) {
				t.Fatalf("error %v is not ErrBadPayload", err)
			}
			return
		}
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %q", got)
		}
	})
}

func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // keep 64-bit integers exact
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
