// Package testvisitor is a hand-written stand-in for what sessiongen generates:
// a session struct, its msgpack codec (session.Codec) and the typed wrappers
// around session.Session and session.Manager. The runtime's tests and the
// middleware benchmark use it, so that they do not depend on the generator.
package testvisitor

import (
	"slices"

	"github.com/sessiongen/sessiongen/session"
)

// Visitor is the test session struct.
type Visitor struct {
	Name   string   // field 0, key "name"
	Count  int64    // field 1, key "count"
	Cart   []string // field 2, key "cart"
	Flash  string   // field 3, key "flash"
	UserID string   // field 4, key "user_id": the owner
	Role   string   // field 5, key "role", merge=error
	Theme  string   // field 6, key "theme", merge=theirs
}

// Field indexes, as generated code names them.
const (
	FieldName = iota
	FieldCount
	FieldCart
	FieldFlash
	FieldUserID
	FieldRole
	FieldTheme
	numFields
)

var keys = []string{"name", "count", "cart", "flash", "user_id", "role", "theme"}

// compile-time check that *Visitor is a session.Codec[Visitor]
var _ = session.New[Visitor, *Visitor]

// SessionKeys implements session.Codec.
func (*Visitor) SessionKeys() []string { return keys }

// SessionOwner implements session.Codec.
func (v *Visitor) SessionOwner() string { return v.UserID }

var theirsPolicy, refusePolicy = func() (t, r session.FieldSet) {
	t.Add(FieldTheme)
	r.Add(FieldRole)
	return t, r
}()

// SessionMergePolicy implements session.Codec.
func (*Visitor) SessionMergePolicy() (theirs, refuse session.FieldSet) {
	return theirsPolicy, refusePolicy
}

// DiffSession implements session.Codec.
func (v *Visitor) DiffSession(o *Visitor) session.FieldSet {
	var s session.FieldSet
	if v.Name != o.Name {
		s.Add(FieldName)
	}
	if v.Count != o.Count {
		s.Add(FieldCount)
	}
	if !slices.Equal(v.Cart, o.Cart) {
		s.Add(FieldCart)
	}
	if v.Flash != o.Flash {
		s.Add(FieldFlash)
	}
	if v.UserID != o.UserID {
		s.Add(FieldUserID)
	}
	if v.Role != o.Role {
		s.Add(FieldRole)
	}
	if v.Theme != o.Theme {
		s.Add(FieldTheme)
	}
	return s
}

// MergeSession implements session.Codec.
func (v *Visitor) MergeSession(src *Visitor, set session.FieldSet) {
	set.Each(func(i int) {
		switch i {
		case FieldName:
			v.Name = src.Name
		case FieldCount:
			v.Count = src.Count
		case FieldCart:
			v.Cart = slices.Clone(src.Cart)
		case FieldFlash:
			v.Flash = src.Flash
		case FieldUserID:
			v.UserID = src.UserID
		case FieldRole:
			v.Role = src.Role
		case FieldTheme:
			v.Theme = src.Theme
		}
	})
}
