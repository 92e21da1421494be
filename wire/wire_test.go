package wire

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// Every integer round-trips through our writer and reader, and msgpack/v5
// reflection reads our encoding as the same number.
func TestIntegersAgainstReflection(t *testing.T) {
	var cases []int64
	for _, edge := range []int64{0, 1, 31, 32, 127, 128, 255, 256, 32767, 32768, 65535, 65536, math.MaxInt32, math.MaxUint32, math.MaxInt64} {
		cases = append(cases, edge, -edge, edge-1, -edge-1)
	}
	cases = append(cases, math.MinInt64)
	for _, v := range cases {
		b := AppendInt(nil, v)
		r := NewReader(b)
		got, err := r.Int(64)
		if err != nil || got != v || r.Len() != 0 {
			t.Fatalf("%d: read %d, %v, %d left", v, got, err, r.Len())
		}
		var viaReflection int64
		if err := msgpack.Unmarshal(b, &viaReflection); err != nil || viaReflection != v {
			t.Fatalf("%d: reflection read %d, %v", v, viaReflection, err)
		}
		ref, _ := msgpack.Marshal(v)
		r = NewReader(ref)
		if got, err := r.Int(64); err != nil || got != v {
			t.Fatalf("%d: read reflection's %x as %d, %v", v, ref, got, err)
		}
	}
}

func TestIntegerRangeChecked(t *testing.T) {
	for _, c := range []struct {
		v    int64
		bits int
		ok   bool
	}{{127, 8, true}, {128, 8, false}, {-128, 8, true}, {-129, 8, false}, {1 << 31, 32, false}, {-1 << 31, 32, true}} {
		r := NewReader(AppendInt(nil, c.v))
		if _, err := r.Int(c.bits); (err == nil) != c.ok {
			t.Errorf("Int(%d) of %d: err %v", c.bits, c.v, err)
		}
	}
	r := NewReader(AppendInt(nil, -1))
	if _, err := r.Uint(64); err == nil {
		t.Error("Uint read -1 without error")
	}
	r = NewReader(AppendUint(nil, 256))
	if _, err := r.Uint(8); err == nil {
		t.Error("Uint(8) read 256 without error")
	}
}

func TestStringsAndBytesSizes(t *testing.T) {
	for _, n := range []int{0, 31, 32, 255, 256, 65535, 65536} {
		s := strings.Repeat("x", n)
		b := AppendString(nil, s)
		var ref string
		if err := msgpack.Unmarshal(b, &ref); err != nil || ref != s {
			t.Fatalf("len %d: reflection read %d bytes, %v", n, len(ref), err)
		}
		r := NewReader(b)
		if got, err := r.String(); err != nil || got != s {
			t.Fatalf("len %d: read %d, %v", n, len(got), err)
		}
		bin := AppendBytes(nil, []byte(s))
		var refBytes []byte
		if err := msgpack.Unmarshal(bin, &refBytes); err != nil || string(refBytes) != s {
			t.Fatalf("bin len %d: reflection read %d, %v", n, len(refBytes), err)
		}
	}
	r := NewReader(AppendBytes(nil, nil))
	if got, err := r.Bytes(); err != nil || got != nil {
		t.Fatalf("nil bytes read as %v, %v", got, err)
	}
}

func TestTimesAgainstReflection(t *testing.T) {
	for _, tm := range []time.Time{
		{}, time.Unix(0, 0), time.Unix(1<<32-1, 0), time.Unix(1<<32, 5), time.Unix(1<<34, 999_999_999),
		time.Unix(-1, 1), time.Date(1600, 1, 1, 0, 0, 0, 7, time.UTC), time.Date(2026, 11, 22, 4, 0, 0, 123, time.FixedZone("x", 3600)),
	} {
		b := AppendTime(nil, tm)
		ref, _ := msgpack.Marshal(tm)
		if string(b) != string(ref) {
			t.Fatalf("%v: we wrote %x, reflection %x", tm, b, ref)
		}
		r := NewReader(b)
		got, err := r.Time()
		if err != nil || !got.Equal(tm) || got.Location() != time.UTC {
			t.Fatalf("%v: read %v, %v", tm, got, err)
		}
	}
}

// tinylib/msgp's legacy time extension (5): 8 bytes of seconds, 4 of nanoseconds.
func TestLegacyTimeExtension(t *testing.T) {
	b := append([]byte{codeExt8, 12, extTimeLegacy}, 0, 0, 0, 0, 0x65, 0, 0, 0, 0, 0, 0, 9)
	r := NewReader(b)
	got, err := r.Time()
	if err != nil || got.Unix() != 0x65000000 || got.Nanosecond() != 9 {
		t.Fatalf("read %v, %v", got, err)
	}
}

func TestSkipEverything(t *testing.T) {
	v := map[string]any{
		"a": []any{1, -1, 1 << 40, "s", []byte{1}, 1.5, float32(2), nil, true, false},
		"m": map[string]any{"t": time.Now(), "big": strings.Repeat("y", 70000), "n": map[int]int{1: 2}},
	}
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, 0xc3)
	r := NewReader(b)
	if err := r.Skip(); err != nil || r.Len() != 1 {
		t.Fatalf("skip: %v, %d left", err, r.Len())
	}
	for cut := range len(b) - 1 {
		r := NewReader(b[:cut])
		if err := r.Skip(); err == nil {
			t.Fatalf("skipping %d of %d bytes: no error", cut, len(b)-1)
		}
	}
}

func TestHeadersBounded(t *testing.T) {
	r := NewReader([]byte{codeArray32, 0xff, 0xff, 0xff, 0xff, 1, 2})
	if _, err := r.ArrayHeader(); !errors.Is(err, ErrTooLong) {
		t.Fatalf("array32 of 4G over 2 bytes: %v", err)
	}
	r = NewReader([]byte{codeMap16, 0, 2, 1, 2, 3})
	if _, err := r.MapHeader(); !errors.Is(err, ErrTooLong) {
		t.Fatalf("map of 2 entries over 3 bytes: %v", err)
	}
}

func TestFormatMarker(t *testing.T) {
	b := AppendFormat(nil)
	r := NewReader(b)
	if k, err := r.Key(); err != nil || string(k) != FormatKey {
		t.Fatalf("key %q, %v", k, err)
	}
	if err := r.Format(); err != nil {
		t.Fatal(err)
	}
	r = NewReader(AppendInt(nil, FormatVersion+1))
	var fe *FormatError
	if err := r.Format(); !errors.As(err, &fe) {
		t.Fatalf("version %d: %v", FormatVersion+1, err)
	}
}
