package wire

import (
	"encoding/binary"
	"math"
	"time"
)

// Reader decodes msgpack values from a byte slice. Every length it reads is
// checked against the remaining input before anything is allocated, so a short
// hostile input cannot make it allocate more than a small multiple of its size.
type Reader struct {
	b      []byte
	depth  int
	budget int // bytes that containers may still reserve up front: see SliceCap
}

// NewReader returns a Reader over b. b is not copied: values read as views
// (Key, StringBytes) alias it.
func NewReader(b []byte) Reader {
	return Reader{b: b, budget: reserveFactor*len(b) + minBudget}
}

// Len returns the number of unread bytes.
func (r *Reader) Len() int { return len(r.b) }

// TryNil consumes a nil and reports true if the next value is nil.
func (r *Reader) TryNil() bool {
	if len(r.b) > 0 && r.b[0] == codeNil {
		r.b = r.b[1:]
		return true
	}
	return false
}

// Enter records one more level of struct nesting; Leave undoes it.
func (r *Reader) Enter() error {
	r.depth++
	if r.depth > maxDepth {
		return ErrTooDeep
	}
	return nil
}

// Leave undoes Enter.
func (r *Reader) Leave() { r.depth-- }

// Rewind returns r to at, a copy of r taken before a value that failed to
// decode, so that the value can be skipped instead (a field tagged reset=).
// What the allocation budget spent since stays spent: a key repeated in
// hostile input cannot have the same reservation made again for each copy.
func (r *Reader) Rewind(at Reader) {
	budget := r.budget
	*r = at
	r.budget = budget
}

func (r *Reader) next(n int) ([]byte, error) {
	if n > len(r.b) || n < 0 {
		return nil, ErrShort
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p, nil
}

func (r *Reader) code() (byte, error) {
	if len(r.b) == 0 {
		return 0, ErrShort
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c, nil
}

// uintN reads a big-endian unsigned integer of size bytes.
func (r *Reader) uintN(size int) (uint64, error) {
	p, err := r.next(size)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return uint64(p[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(p)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(p)), nil
	}
	return binary.BigEndian.Uint64(p), nil
}

// bigEndian decodes a big-endian unsigned integer of 0, 1, 2, 4 or 8 bytes.
func bigEndian(p []byte) uint64 {
	switch len(p) {
	case 0:
		return 0
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(p))
	case 4:
		return uint64(binary.BigEndian.Uint32(p))
	}
	return binary.BigEndian.Uint64(p)
}

// MapHeader reads a map header (nil reads as an empty map) and returns the
// number of entries, refusing more than the remaining input can hold.
func (r *Reader) MapHeader() (int, error) {
	n, err := r.header("map", 0x80, 0, codeMap16, codeMap32)
	if err == nil && n > len(r.b)/2 {
		return 0, ErrTooLong
	}
	return n, err
}

// ArrayHeader reads an array header (nil reads as empty) and returns the number
// of elements, refusing more than the remaining input can hold.
func (r *Reader) ArrayHeader() (int, error) {
	n, err := r.header("array", 0x90, 0, codeArray16, codeArray32)
	if err == nil && n > len(r.b) {
		return 0, ErrTooLong
	}
	return n, err
}

// header reads the length of a map or array.
func (r *Reader) header(want string, fix, code8, code16, code32 byte) (int, error) {
	c, err := r.code()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case c&0xf0 == fix:
		return int(c & 0x0f), nil
	case c == codeNil:
		return 0, nil
	case c == code16:
		n, err = r.uintN(2)
	case c == code32:
		n, err = r.uintN(4)
	default:
		return 0, &TypeError{Want: want, Code: c}
	}
	return int(n), err
}

// raw reads a str or bin and returns a view of its bytes; ok is false for nil.
func (r *Reader) raw(want string) (p []byte, ok bool, err error) {
	c, err := r.code()
	if err != nil {
		return nil, false, err
	}
	var n uint64
	switch {
	case c >= 0xa0 && c <= 0xbf:
		n = uint64(c & 0x1f)
	case c == codeStr8 || c == codeBin8:
		n, err = r.uintN(1)
	case c == codeStr16 || c == codeBin16:
		n, err = r.uintN(2)
	case c == codeStr32 || c == codeBin32:
		n, err = r.uintN(4)
	case c == codeNil:
		return nil, false, nil
	default:
		return nil, false, &TypeError{Want: want, Code: c}
	}
	if err != nil {
		return nil, false, err
	}
	if n > uint64(len(r.b)) {
		return nil, false, ErrTooLong
	}
	p, err = r.next(int(n))
	return p, true, err
}

// fixStr returns the bytes of a fixstr at the start of the input, the common
// case of keys and short strings, without the general path's switch.
func (r *Reader) fixStr() ([]byte, bool) {
	if len(r.b) == 0 || r.b[0]&0xe0 != 0xa0 {
		return nil, false
	}
	n := 1 + int(r.b[0]&0x1f)
	if n > len(r.b) {
		return nil, false
	}
	p := r.b[1:n:n]
	r.b = r.b[n:]
	return p, true
}

// Key reads a map key (str or bin) as a view of the input: switching on
// string(key) does not allocate.
func (r *Reader) Key() ([]byte, error) {
	if p, ok := r.fixStr(); ok {
		return p, nil
	}
	p, ok, err := r.raw("string key")
	if err == nil && !ok {
		return nil, &TypeError{Want: "string key", Code: codeNil}
	}
	return p, err
}

// StringBytes reads a str or bin as a view of the input (nil reads as empty).
func (r *Reader) StringBytes() ([]byte, error) {
	p, _, err := r.raw("string")
	return p, err
}

// String reads a str or bin (nil reads as "").
func (r *Reader) String() (string, error) {
	if p, ok := r.fixStr(); ok {
		return string(p), nil
	}
	p, _, err := r.raw("string")
	return string(p), err
}

// Bytes reads a bin or str into a new slice; nil reads as a nil slice.
func (r *Reader) Bytes() ([]byte, error) {
	p, ok, err := r.raw("bytes")
	if err != nil || !ok {
		return nil, err
	}
	return append(make([]byte, 0, len(p)), p...), nil
}

// ByteArray reads a bin or str into dst, the slice of a [N]byte: bytes beyond
// len(dst) are dropped and missing ones are zero (nil reads as all zero).
func (r *Reader) ByteArray(dst []byte) error {
	p, _, err := r.raw("bytes")
	clear(dst[copy(dst, p):])
	return err
}

// Bool reads a bool (nil reads as false).
func (r *Reader) Bool() (bool, error) {
	c, err := r.code()
	switch {
	case err != nil:
		return false, err
	case c == codeTrue:
		return true, nil
	case c == codeFalse || c == codeNil:
		return false, nil
	}
	return false, &TypeError{Want: "bool", Code: c}
}

// number reads any msgpack integer as either a signed or an unsigned value:
// neg reports which one holds it.
func (r *Reader) number(want string) (u uint64, i int64, neg bool, err error) {
	c, err := r.code()
	if err != nil {
		return 0, 0, false, err
	}
	switch {
	case c <= 0x7f:
		return uint64(c), 0, false, nil
	case c >= 0xe0:
		return 0, int64(int8(c)), true, nil
	case c == codeNil:
		return 0, 0, false, nil
	case c >= codeUint8 && c <= codeUint64:
		u, err = r.uintN(1 << (c - codeUint8))
		return u, 0, false, err
	case c >= codeInt8 && c <= codeInt64:
		size := 1 << (c - codeInt8)
		u, err = r.uintN(size)
		shift := 64 - 8*size
		i = int64(u<<shift) >> shift
		if i >= 0 {
			return uint64(i), 0, false, err
		}
		return 0, i, true, err
	}
	return 0, 0, false, &TypeError{Want: want, Code: c}
}

// Int reads an integer that must fit in bits bits, signed.
func (r *Reader) Int(bits int) (int64, error) {
	if len(r.b) > 0 && r.b[0] <= 0x7f {
		c := r.b[0]
		r.b = r.b[1:]
		return int64(c), nil
	}
	u, i, neg, err := r.number("integer")
	if err != nil {
		return 0, err
	}
	if neg {
		if bits < 64 && i < -1<<(bits-1) {
			return 0, errOverflow
		}
		return i, nil
	}
	if u > 1<<(bits-1)-1 {
		return 0, errOverflow
	}
	return int64(u), nil
}

// Uint reads a non-negative integer that must fit in bits bits.
func (r *Reader) Uint(bits int) (uint64, error) {
	u, _, neg, err := r.number("unsigned integer")
	if err != nil {
		return 0, err
	}
	if neg || (bits < 64 && u > 1<<bits-1) {
		return 0, errOverflow
	}
	return u, nil
}

var errOverflow = &TypeError{Want: "an integer in the field's range", Code: 0}

// Float64 reads a float64, a float32 or an integer.
func (r *Reader) Float64() (float64, error) {
	if len(r.b) > 0 {
		switch r.b[0] {
		case codeFloat64:
			r.b = r.b[1:]
			u, err := r.uintN(8)
			return math.Float64frombits(u), err
		case codeFloat32:
			r.b = r.b[1:]
			u, err := r.uintN(4)
			return float64(math.Float32frombits(uint32(u))), err
		}
	}
	u, i, neg, err := r.number("float")
	if neg {
		return float64(i), err
	}
	return float64(u), err
}

// Float32 reads a float32, or a float64 or integer converted to float32.
func (r *Reader) Float32() (float32, error) {
	f, err := r.Float64()
	return float32(f), err
}

// Duration reads an int64 count of nanoseconds.
func (r *Reader) Duration() (time.Duration, error) {
	n, err := r.Int(64)
	return time.Duration(n), err
}

// Time reads a msgpack timestamp (extension -1, or tinylib/msgp's legacy
// extension 5) and returns it in UTC. nil reads as the zero time.
func (r *Reader) Time() (time.Time, error) {
	c, err := r.code()
	if err != nil {
		return time.Time{}, err
	}
	var n uint64
	switch c { // the only forms a timestamp takes: 4, 8 or 12 bytes
	case codeNil:
		return time.Time{}, nil
	case codeFixExt4:
		n = 4
	case codeFixExt8:
		n = 8
	case codeExt8:
		if n, err = r.uintN(1); err != nil {
			return time.Time{}, err
		}
	default:
		return time.Time{}, &TypeError{Want: "timestamp", Code: c}
	}
	typ, err := r.uintN(1)
	if err != nil {
		return time.Time{}, err
	}
	p, err := r.next(int(n))
	if err != nil {
		return time.Time{}, err
	}
	if int8(typ) == extTime && n == 8 { // the common form, without timeExt's call
		return time64(p)
	}
	t, ok, err := timeExt(int8(typ), p)
	if !ok && err == nil {
		err = &TypeError{Want: "timestamp", Code: c}
	}
	return t, err
}

// ext reads an extension value: its format code, type and payload (a view of
// the input).
func (r *Reader) ext() (c byte, typ int8, p []byte, err error) {
	if c, err = r.code(); err != nil {
		return c, 0, nil, err
	}
	var n uint64
	switch {
	case c >= codeFixExt1 && c <= codeFixExt16:
		n = 1 << (c - codeFixExt1)
	case c == codeExt8 || c == codeExt16 || c == codeExt32:
		if n, err = r.uintN(lengthSize(c)); err != nil {
			return c, 0, nil, err
		}
	default:
		return c, 0, nil, &TypeError{Want: "extension", Code: c}
	}
	t, err := r.uintN(1)
	if err != nil {
		return c, 0, nil, err
	}
	if n > uint64(len(r.b)) {
		return c, 0, nil, ErrShort
	}
	p, err = r.next(int(n))
	return c, int8(t), p, err
}

// timeExt decodes the payload of extension typ as a timestamp. ok is false
// when typ is not a timestamp extension; an error means it is one, malformed.
// The generated decoders (through Time) and Any read times alike: extension -1
// in its 4, 8 and 12-byte forms, and tinylib/msgp's legacy extension 5 in its
// 12-byte form (8 bytes of seconds, then 4 of nanoseconds).
func timeExt(typ int8, p []byte) (t time.Time, ok bool, err error) {
	switch { // the common forms first
	case typ == extTime && len(p) == 8:
		t, err = time64(p)
	case typ == extTime && len(p) == 4:
		return time.Unix(int64(binary.BigEndian.Uint32(p)), 0).UTC(), true, nil
	case typ == extTime && len(p) == 12:
		t, err = timeOf(int64(binary.BigEndian.Uint64(p[4:])), int64(binary.BigEndian.Uint32(p)))
	case typ == extTime:
		err = &TypeError{Want: "timestamp of 4, 8 or 12 bytes", Code: codeExt8}
	case typ == extTimeLegacy && len(p) == 12:
		t, err = timeOf(int64(binary.BigEndian.Uint64(p)), int64(int32(binary.BigEndian.Uint32(p[8:]))))
	default:
		return time.Time{}, false, nil
	}
	return t, true, err
}

// time64 decodes the 8-byte form of extension -1: 30 bits of nanoseconds, then
// 34 of seconds.
func time64(p []byte) (time.Time, error) {
	v := binary.BigEndian.Uint64(p)
	return timeOf(int64(v&(1<<34-1)), int64(v>>34))
}

func timeOf(sec, nsec int64) (time.Time, error) {
	if nsec < 0 || nsec > 999_999_999 {
		return time.Time{}, &TypeError{Want: "timestamp with nanoseconds below one second", Code: codeExt8}
	}
	return time.Unix(sec, nsec).UTC(), nil
}

// Format reads the value of the format marker entry and refuses versions this
// build does not know.
func (r *Reader) Format() error {
	v, err := r.Int(64)
	if err != nil {
		return err
	}
	if v != FormatVersion {
		return &FormatError{Version: v}
	}
	return nil
}

// Raw reads the next value whole and returns a view of its encoding.
func (r *Reader) Raw() ([]byte, error) {
	start := r.b
	if err := r.Skip(); err != nil {
		return nil, err
	}
	return start[: len(start)-len(r.b) : len(start)-len(r.b)], nil
}
