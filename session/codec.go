package session

// Codec is what sessiongen generates for a session struct T, implemented on *T.
// The manager reaches a session's fields only through these methods: no
// reflection, no registration, no interface{}.
//
// Field indexes are the positions of the struct's encoded top-level fields in
// declaration order (skipped fields do not count); they are what a FieldSet holds.
type Codec[T any] interface {
	*T

	// AppendSession appends the msgpack encoding of the value to b and returns
	// the extended slice. It does not allocate when b has room.
	AppendSession(b []byte) ([]byte, error)

	// DecodeSession replaces the value with the decoding of b. Unknown keys are
	// skipped and missing keys leave zero values, so that old and new builds
	// read each other's sessions. Malformed input yields an error, never a
	// panic, and never a partially overwritten value that looks valid.
	DecodeSession(b []byte) error

	// DiffSession returns the fields whose values differ between the receiver
	// and other, compared by value (maps by content, times with Equal).
	DiffSession(other *T) FieldSet

	// MergeSession copies the fields in set from src into the receiver.
	MergeSession(src *T, set FieldSet)

	// SessionMergePolicy returns the fields tagged merge=theirs (on a conflict
	// where both requests changed them, the stored value is kept) and those
	// tagged merge=error (such a conflict fails with a *ConflictError). Every
	// other field is merge=ours: this request's change is re-applied.
	SessionMergePolicy() (theirs, refuse FieldSet)

	// SessionOwner returns the value of the field tagged user, formatted as the
	// store's owner key, or "" when there is no such field or it is empty.
	SessionOwner() string

	// SessionKeys returns the wire keys of the fields, by field index. The
	// slice is shared: callers must not modify it.
	SessionKeys() []string
}
