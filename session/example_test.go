package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/memstore"
)

// A manager configured through its fields, a login handler that rotates the
// token, and the middleware around the application. testvisitor stands in for
// the code sessiongen generates (VisitorManager, VisitorSession).
func ExampleManager_Handler() {
	m := testvisitor.NewManager(memstore.New())
	m.IdleTimeout = time.Hour

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := m.From(r.Context())
		s.SetUserID("u42")
		if err := s.Rotate(r.Context()); err != nil { // new token on privilege change
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "welcome", s.UserID())
	})
	app := m.Handler(mux)

	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "https://example.com/login", nil))
	fmt.Print(rec.Code, " ", rec.Body.String())
	fmt.Println(strings.HasPrefix(rec.Header().Get("Set-Cookie"), "__Host-session="), rec.Header().Get("Vary"))
	// Output:
	// 200 welcome u42
	// true Cookie
}
