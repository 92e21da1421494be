// Package faulttest injects faults under sessiongen's middleware on pgstore:
// a PostgreSQL crash and restart under load, statement timeouts and pool
// exhaustion, and corrupt rows; and on mysqlstore: a MariaDB crash and
// restart, under load and while idle. The tests start their own throwaway cluster
// where they stop the server, so that nothing else is harmed;
// docs/RELIABILITY.md describes each scenario and its results.
//
// The package itself only holds the test application; its session is the
// shared generated fixture, internal/genvisitor. It is internal: a test rig,
// not API.
package faulttest

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sessiongen/sessiongen/internal/genvisitor"
	"github.com/sessiongen/sessiongen/session"
)

// App returns the test application behind m's middleware:
//
//	POST /hello  sets the name (a new visitor gets a session)
//	POST /incr   increments the counter with Update and prints the new count
//	GET  /       prints the counter
func App(m genvisitor.VisitorManager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		m.From(r.Context()).SetName("visitor")
	})
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		s := m.From(r.Context())
		err := s.Update(r.Context(), func(v *genvisitor.Visitor) error {
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
