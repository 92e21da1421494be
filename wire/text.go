package wire

import (
	"encoding"
	"fmt"
	"strconv"
)

// AppendText appends v's MarshalText as a msgpack str.
func AppendText(b []byte, v encoding.TextMarshaler) ([]byte, error) {
	text, err := v.MarshalText()
	if err != nil {
		return b, err
	}
	return AppendStringBytes(b, text), nil
}

// DecodeText reads a str or bin (nil reads as empty) and passes it to v's
// UnmarshalText.
func (r *Reader) DecodeText(v encoding.TextUnmarshaler) error {
	text, err := r.StringBytes()
	if err != nil {
		return err
	}
	return v.UnmarshalText(text)
}

// FormatInt formats an integer user field as the store's owner key ("" for 0,
// which means no owner).
func FormatInt(v int64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

// FormatUint is FormatInt for unsigned user fields.
func FormatUint(v uint64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatUint(v, 10)
}

// EncodeError means a field's own encoder (EncodeMsgpack or MarshalText)
// failed.
type EncodeError struct {
	Key string
	Err error
}

// Error implements error.
func (e *EncodeError) Error() string { return fmt.Sprintf("session encode: %s: %v", e.Key, e.Err) }

// Unwrap returns the field encoder's error.
func (e *EncodeError) Unwrap() error { return e.Err }

// EncodeFailed records that the value under key could not be encoded.
func EncodeFailed(key string, err error) error {
	if e, ok := err.(*EncodeError); ok {
		e.Key = key + "." + e.Key
		return e
	}
	return &EncodeError{Key: key, Err: err}
}
