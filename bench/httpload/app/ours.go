package app

import (
	"errors"
	"net/http"

	"github.com/sessiongen/sessiongen/bench/httpload/visit"
	"github.com/sessiongen/sessiongen/session"
)

// Ours is the application on sessiongen's middleware with store. Counter
// increments use Update (read-modify-write that survives concurrent saves);
// field changes use the generated setters. configure, if not nil, may adjust
// the manager (a logger, say) before it serves.
func Ours(store session.Store, configure func(*session.Manager[visit.Visit, *visit.Visit])) http.Handler {
	m := visit.NewVisitManager(store)
	if configure != nil {
		configure(m.Manager)
	}
	mux := routes(
		func(w http.ResponseWriter, r *http.Request) {
			s := m.From(r.Context())
			s.SetName(startName)
			s.SetCart(startCart)
		},
		func(w http.ResponseWriter, r *http.Request) {
			v := m.From(r.Context()).Value()
			view{v.Count, v.Name, v.Cart, v.A, v.B, v.C, v.D}.write(w)
		},
		func(w http.ResponseWriter, r *http.Request) {
			err := m.From(r.Context()).Update(r.Context(), func(v *visit.Visit) error {
				v.Count++
				return nil
			})
			if err != nil {
				fail(w, err)
			}
		},
		func(w http.ResponseWriter, r *http.Request, field, value string) {
			s := m.From(r.Context())
			map[string]func(string){"a": s.SetA, "b": s.SetB, "c": s.SetC, "d": s.SetD}[field](value)
		},
	)
	return m.Handler(mux)
}

// fail answers an Update error: 409 for a conflict the merge could not
// resolve, 503 for an unavailable store, 500 otherwise.
func fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, session.ErrConflict):
		http.Error(w, "conflict", http.StatusConflict)
	case errors.Is(err, session.ErrUnavailable):
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	default:
		http.Error(w, "error", http.StatusInternalServerError)
	}
}
