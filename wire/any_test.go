package wire

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/allocs"
	"github.com/vmihailenco/msgpack/v5"
)

func TestAnyReadsEveryKind(t *testing.T) {
	at := time.Unix(1_800_000_000, 7).UTC()
	in := []any{nil, true, false, int64(-3), uint64(math.MaxUint64), int64(math.MaxInt64), float32(1.5), 2.25,
		"s", []byte{1, 2}, at, []any{int64(1)}, map[string]any{"k": "v"}}
	b, err := msgpack.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(b)
	got, err := r.Any()
	if err != nil || r.Len() != 0 {
		t.Fatalf("Any: %v, %d bytes left", err, r.Len())
	}
	want := []any{nil, true, false, int64(-3), uint64(math.MaxUint64), int64(math.MaxInt64), float32(1.5), 2.25,
		"s", []byte{1, 2}, at, []any{int64(1)}, Map{{"k", "v"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
}

// Map keeps the input's order, non-string keys and repeated keys; unknown
// extensions come back whole.
func TestAnyKeepsMapsAndExtensionsAsWritten(t *testing.T) {
	b := []byte{0x83, 0xa1, 'z', 0x01, 0x07, 0xc0, 0xa1, 'z', 0x02, 0xd5, 0x09, 0xab, 0xcd}
	r := NewReader(b[:len(b)-4])
	got, err := r.Any()
	if err != nil {
		t.Fatal(err)
	}
	if want := (Map{{"z", int64(1)}, {int64(7), nil}, {"z", int64(2)}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	r = NewReader(b[len(b)-4:])
	if got, err := r.Any(); err != nil || !reflect.DeepEqual(got, Ext{Type: 9, Data: []byte{0xab, 0xcd}}) {
		t.Fatalf("ext: %#v, %v", got, err)
	}
}

// Any reads times exactly as Time does: the same extensions, the same checks.
func TestAnyReadsTimesAsTime(t *testing.T) {
	for _, b := range [][]byte{
		AppendTime(nil, time.Unix(1<<34, 999_999_999)),
		AppendTime(nil, time.Unix(5, 0)),
		AppendTime(nil, time.Unix(1<<40, 1)),
		{codeExt8, 12, extTimeLegacy, 0, 0, 0, 0, 0x65, 0, 0, 0, 0, 0, 0, 9}, // tinylib/msgp's legacy form
		{codeExt8, 12, 0xff, 0x3b, 0x9a, 0xca, 0x00, 0, 0, 0, 0, 0, 0, 0, 1}, // 1e9 ns: refused
		{codeExt8, 12, extTimeLegacy, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0}, // negative ns: refused
		{codeFixExt2, 0xff, 0, 0},                                            // a 2-byte timestamp: refused
	} {
		r := NewReader(b)
		want, wantErr := r.Time()
		r = NewReader(b)
		got, err := r.Any()
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%x: Any error %v, Time error %v", b, err, wantErr)
		}
		if err == nil && got != want {
			t.Fatalf("%x: Any read %v, Time %v", b, got, want)
		}
	}
}

func TestAnyBounded(t *testing.T) {
	deep := bytes.Repeat([]byte{0x91}, maxDepth+1)
	deep = append(deep, 0xc0)
	r := NewReader(deep)
	if _, err := r.Any(); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("%d nested arrays: %v, want ErrTooDeep", maxDepth+1, err)
	}
	for _, b := range [][]byte{
		{codeArray32, 0xff, 0xff, 0xff, 0xff, 1},
		{codeMap32, 0x7f, 0xff, 0xff, 0xff, 1, 2},
		{codeStr32, 0xff, 0xff, 0xff, 0xff, 'a'},
		{codeExt32, 0xff, 0xff, 0xff, 0xff, 1, 2},
	} {
		r := NewReader(b)
		if _, err := r.Any(); err == nil {
			t.Fatalf("%x decoded", b)
		}
		allocs := testing.AllocsPerRun(10, func() { r = NewReader(b); _, _ = r.Any() })
		if allocs > 2 {
			t.Fatalf("%x: %v allocations before refusing it", b, allocs)
		}
	}
}

// FuzzAny: Any never panics, agrees with Skip on where a value ends, and
// allocates at most a small multiple of its input.
func FuzzAny(f *testing.F) {
	for _, v := range []any{nil, 1, -200, "s", []any{1, "x", map[string]any{"a": []byte{1}}}, 1.5, time.Unix(1, 2)} {
		b, _ := msgpack.Marshal(v)
		f.Add(b)
	}
	f.Add([]byte{codeArray32, 0, 0, 0xff, 0xff, 0xc1})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b)
		grew := allocs.Bytes(func() { _, _ = r.Any() })
		if limit := 64*uint64(len(b)) + 64<<10; grew > limit {
			t.Fatalf("%d bytes of input allocated %d bytes (limit %d)", len(b), grew, limit)
		}
		r = NewReader(b)
		if _, err := r.Any(); err != nil {
			return
		}
		used := len(b) - r.Len()
		s := NewReader(b)
		if err := s.Skip(); err != nil || len(b)-s.Len() != used {
			t.Fatalf("%x: Any read %d bytes, Skip %d (%v)", b, used, len(b)-s.Len(), err)
		}
	})
}
