package wire

import (
	"encoding/binary"
	"math"
	"time"
)

// msgpack format codes.
const (
	codeNil      = 0xc0
	codeFalse    = 0xc2
	codeTrue     = 0xc3
	codeBin8     = 0xc4
	codeBin16    = 0xc5
	codeBin32    = 0xc6
	codeExt8     = 0xc7
	codeExt16    = 0xc8
	codeExt32    = 0xc9
	codeFloat32  = 0xca
	codeFloat64  = 0xcb
	codeUint8    = 0xcc
	codeUint16   = 0xcd
	codeUint32   = 0xce
	codeUint64   = 0xcf
	codeInt8     = 0xd0
	codeInt16    = 0xd1
	codeInt32    = 0xd2
	codeInt64    = 0xd3
	codeFixExt1  = 0xd4
	codeFixExt2  = 0xd5
	codeFixExt4  = 0xd6
	codeFixExt8  = 0xd7
	codeFixExt16 = 0xd8
	codeStr8     = 0xd9
	codeStr16    = 0xda
	codeStr32    = 0xdb
	codeArray16  = 0xdc
	codeArray32  = 0xdd
	codeMap16    = 0xde
	codeMap32    = 0xdf
)

// extTime is the msgpack timestamp extension type. extTimeLegacy is the one
// tinylib/msgp writes without its newtime directive; it is read, never written.
const (
	extTime       = -1
	extTimeLegacy = 5
)

// AppendNil appends a msgpack nil.
func AppendNil(b []byte) []byte { return append(b, codeNil) }

// AppendBool appends a msgpack bool.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, codeTrue)
	}
	return append(b, codeFalse)
}

// AppendInt appends v in the smallest integer format that holds it.
func AppendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0:
		return AppendUint(b, uint64(v))
	case v >= -32:
		return append(b, byte(v))
	case v >= math.MinInt8:
		return append(b, codeInt8, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, codeInt16), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, codeInt32), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(b, codeInt64), uint64(v))
}

// AppendUint appends v in the smallest integer format that holds it.
func AppendUint(b []byte, v uint64) []byte {
	switch {
	case v <= math.MaxInt8:
		return append(b, byte(v))
	case v <= math.MaxUint8:
		return append(b, codeUint8, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, codeUint16), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, codeUint32), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(b, codeUint64), v)
}

// AppendFloat32 appends a msgpack float32.
func AppendFloat32(b []byte, v float32) []byte {
	return binary.BigEndian.AppendUint32(append(b, codeFloat32), math.Float32bits(v))
}

// AppendFloat64 appends a msgpack float64.
func AppendFloat64(b []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, codeFloat64), math.Float64bits(v))
}

// AppendString appends a msgpack str.
func AppendString(b []byte, s string) []byte {
	return append(appendLen(b, len(s), 0xa0, 31, codeStr8, codeStr16, codeStr32), s...)
}

// AppendStringBytes appends s as a msgpack str.
func AppendStringBytes(b []byte, s []byte) []byte {
	return append(appendLen(b, len(s), 0xa0, 31, codeStr8, codeStr16, codeStr32), s...)
}

// AppendBytes appends a msgpack bin, or nil for a nil slice so that nil and
// empty survive a round trip.
func AppendBytes(b []byte, v []byte) []byte {
	if v == nil {
		return AppendNil(b)
	}
	return append(appendLen(b, len(v), 0, -1, codeBin8, codeBin16, codeBin32), v...)
}

// AppendArrayHeader appends the header of an array of n elements.
func AppendArrayHeader(b []byte, n int) []byte {
	return appendLen(b, n, 0x90, 15, 0, codeArray16, codeArray32)
}

// AppendMapHeader appends the header of a map of n entries.
func AppendMapHeader(b []byte, n int) []byte {
	return appendLen(b, n, 0x80, 15, 0, codeMap16, codeMap32)
}

// AppendFormat appends the format marker entry FormatKey: FormatVersion.
func AppendFormat(b []byte) []byte {
	return AppendInt(AppendString(b, FormatKey), FormatVersion)
}

// AppendTime appends t as a msgpack timestamp (extension -1) in the smallest of
// its three sizes, as msgpack/v5 does. A timestamp carries no zone: readers get
// UTC.
func AppendTime(b []byte, t time.Time) []byte {
	sec, nsec := t.Unix(), uint64(t.Nanosecond())
	if uint64(sec)>>34 == 0 {
		data := nsec<<34 | uint64(sec)
		if data>>32 == 0 {
			return binary.BigEndian.AppendUint32(append(b, codeFixExt4, 0xff), uint32(data))
		}
		return binary.BigEndian.AppendUint64(append(b, codeFixExt8, 0xff), data)
	}
	b = binary.BigEndian.AppendUint32(append(b, codeExt8, 12, 0xff), uint32(nsec))
	return binary.BigEndian.AppendUint64(b, uint64(sec))
}

// AppendDuration appends d as its int64 count of nanoseconds.
func AppendDuration(b []byte, d time.Duration) []byte { return AppendInt(b, int64(d)) }

// appendLen appends the header of a str, bin, array or map of length n: a fixed
// form (fix | n) when n <= fixMax, else the 8, 16 or 32-bit form. code8 == 0
// means the kind has no 8-bit form.
func appendLen(b []byte, n int, fix byte, fixMax int, code8, code16, code32 byte) []byte {
	switch {
	case n <= fixMax:
		return append(b, fix|byte(n))
	case code8 != 0 && n <= math.MaxUint8:
		return append(b, code8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, code16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, code32), uint32(n))
}
