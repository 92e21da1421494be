package sessiongen

import (
	"fmt"
	"go/token"
	"strings"
)

// Error is a problem with one field of a session struct (or of a struct it
// nests), reported at the field's position.
type Error struct {
	Pos    token.Position // file:line:col of the field
	Field  string         // e.g. Visitor.Cart.Items
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: field %s: %s", e.Pos, e.Field, e.Reason)
}

// ErrorList is every problem found in one run, in source order, so that a user
// fixes them all at once instead of one per run.
type ErrorList []*Error

// Error implements error.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
