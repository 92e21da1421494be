package wire

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/session"
)

// ErrShort means the input ended inside a value.
var ErrShort = errors.New("input ends inside a value")

// ErrTooLong means a header declared more elements or bytes than the rest of
// the input can hold: it is refused before anything is allocated.
var ErrTooLong = errors.New("declared length exceeds the remaining input")

// ErrTooDeep means structs were nested deeper than a session can be.
var ErrTooDeep = errors.New("values nested too deeply")

// ErrTrailing means bytes followed the encoded session.
var ErrTrailing = errors.New("trailing bytes after the session")

// TypeError means the input held a value of another msgpack type than the
// field's.
type TypeError struct {
	Want string // the kind of value the field holds
	Code byte   // the msgpack format code found
}

// Error implements error.
func (e *TypeError) Error() string {
	return fmt.Sprintf("want %s, found msgpack code 0x%02x", e.Want, e.Code)
}

// FormatError means the session was written in a format version this build
// does not know (a newer one): decoding it would guess at its meaning.
type FormatError struct{ Version int64 }

// Error implements error.
func (e *FormatError) Error() string {
	return fmt.Sprintf("session format version %d is not supported (this build reads up to %d)", e.Version, FormatVersion)
}

// DecodeError is what every decoding failure is: the path of keys leading to the
// bad value, and why it is bad. errors.Is(err, session.ErrCorrupt) holds.
type DecodeError struct {
	Path []string // map keys from the top of the session down to the value
	Err  error
}

// Error implements error.
func (e *DecodeError) Error() string {
	if len(e.Path) == 0 {
		return "session decode: " + e.Err.Error()
	}
	return "session decode: " + strings.Join(e.Path, ".") + ": " + e.Err.Error()
}

// Unwrap returns the cause, so that errors.As finds a *TypeError or *FormatError.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is makes a decoding failure match session.ErrCorrupt.
func (e *DecodeError) Is(target error) bool { return target == session.ErrCorrupt }

// InKey records that err happened under map key key. Generated decoders call it
// on the error path only, so the key is copied only then.
func InKey(key []byte, err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		de.Path = append([]string{string(key)}, de.Path...)
		return de
	}
	return &DecodeError{Path: []string{string(key)}, Err: err}
}

// Wrap makes err a *DecodeError if it is not one yet.
func Wrap(err error) error {
	var de *DecodeError
	if err == nil || errors.As(err, &de) {
		return err
	}
	return &DecodeError{Err: err}
}
