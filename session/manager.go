package session

import "context"

// Manager loads, saves and rotates sessions of type T for HTTP requests.
// (Skeleton: the runtime is being built; the signatures below are the seam the
// generated code relies on and will not change.)
type Manager[T any, P Codec[T]] struct {
	// Store persists the sessions.
	Store Store
}

// New returns a Manager for sessions of type T kept in store. P is inferred:
// New[Visitor](store).
func New[T any, P Codec[T]](store Store) *Manager[T, P] {
	return &Manager[T, P]{Store: store}
}

type ctxKey[T any, P Codec[T]] struct{ m *Manager[T, P] }

// From returns the session that m's middleware attached to ctx, or nil when ctx
// did not come through m's middleware.
func (m *Manager[T, P]) From(ctx context.Context) *Session[T, P] {
	s, _ := ctx.Value(ctxKey[T, P]{m}).(*Session[T, P])
	return s
}

// Session is one request's view of a session of type T.
type Session[T any, P Codec[T]] struct {
	value   T
	changed FieldSet
}

// Value returns the session's value. Read it freely; change it only through the
// generated setters (which call Changed) or Update, or the change is not saved.
func (s *Session[T, P]) Value() *T { return &s.value }

// Changed records that field i (a field index, see Codec) was modified. It is
// called by generated setters.
func (s *Session[T, P]) Changed(i int) { s.changed.Add(i) }
