package testvisitor

import (
	"context"

	"github.com/sessiongen/sessiongen/session"
)

// Session mirrors the generated typed handle.
type Session struct {
	*session.Session[Visitor, *Visitor]
}

// Manager mirrors the generated typed manager.
type Manager struct {
	*session.Manager[Visitor, *Visitor]
}

// NewManager mirrors the generated constructor.
func NewManager(store session.Store) Manager {
	return Manager{session.New[Visitor](store)}
}

// From returns the request's session.
func (m Manager) From(ctx context.Context) Session { return Session{m.Manager.From(ctx)} }

// Name returns the visitor's name.
func (s Session) Name() string { return s.Value().Name }

// SetName sets the visitor's name.
func (s Session) SetName(v string) { s.Value().Name = v; s.Changed(FieldName) }

// Count returns the counter.
func (s Session) Count() int64 { return s.Value().Count }

// SetCount sets the counter.
func (s Session) SetCount(v int64) { s.Value().Count = v; s.Changed(FieldCount) }

// Cart returns the cart.
func (s Session) Cart() []string { return s.Value().Cart }

// SetCart sets the cart.
func (s Session) SetCart(v []string) { s.Value().Cart = v; s.Changed(FieldCart) }

// SetFlash sets the flash message.
func (s Session) SetFlash(v string) { s.Value().Flash = v; s.Changed(FieldFlash) }

// PopFlash returns the flash message and clears it.
func (s Session) PopFlash() string {
	v := s.Value().Flash
	if v != "" {
		s.Value().Flash = ""
		s.Changed(FieldFlash)
	}
	return v
}

// UserID returns the owner.
func (s Session) UserID() string { return s.Value().UserID }

// SetUserID sets the owner.
func (s Session) SetUserID(v string) { s.Value().UserID = v; s.Changed(FieldUserID) }

// Role returns the role.
func (s Session) Role() string { return s.Value().Role }

// SetRole sets the role (merge=error).
func (s Session) SetRole(v string) { s.Value().Role = v; s.Changed(FieldRole) }

// Theme returns the theme.
func (s Session) Theme() string { return s.Value().Theme }

// SetTheme sets the theme (merge=theirs).
func (s Session) SetTheme(v string) { s.Value().Theme = v; s.Changed(FieldTheme) }
