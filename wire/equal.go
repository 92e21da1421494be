package wire

import (
	"bytes"
	"encoding"

	"github.com/vmihailenco/msgpack/v5"
)

// SameFloat reports whether a and b are equal, counting NaN as equal to NaN:
// a field that held NaN and still does has not changed.
func SameFloat(a, b float64) bool {
	return a == b || (a != a && b != b)
}

// EqualCustom reports whether a and b encode to the same bytes: the equality
// used for custom-encoded types that Go cannot compare with ==.
func EqualCustom(a, b msgpack.CustomEncoder) bool {
	ea, errA := AppendCustom(nil, a)
	eb, errB := AppendCustom(nil, b)
	return errA == nil && errB == nil && bytes.Equal(ea, eb)
}

// EqualText reports whether a and b marshal to the same text: the equality
// used for TextMarshaler types that Go cannot compare with ==.
func EqualText(a, b encoding.TextMarshaler) bool {
	ta, errA := a.MarshalText()
	tb, errB := b.MarshalText()
	return errA == nil && errB == nil && bytes.Equal(ta, tb)
}
