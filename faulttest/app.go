package faulttest

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sessiongen/sessiongen/session"
)

// App returns the test application behind m's middleware:
//
//	POST /hello  sets the name (a new visitor gets a session)
//	POST /incr   increments the counter with Update and prints the new count
//	GET  /       prints the counter
func App(m VisitorManager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		m.From(r.Context()).SetName("visitor")
	})
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		s := m.From(r.Context())
		err := s.Update(r.Context(), func(v *Visitor) error {
			v.Count++
			return nil
		})
		if err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, session.ErrUnavailable) {
				code = http.StatusServiceUnavailable
			}
			http.Error(w, http.StatusText(code), code)
			return
		}
		w.Write([]byte(strconv.FormatInt(s.Count(), 10)))
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strconv.FormatInt(m.From(r.Context()).Count(), 10)))
	})
	return m.Handler(mux)
}
