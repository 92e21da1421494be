package routertest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/labstack/echo/v4"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// newManager returns a manager over a migrated SQLite file of the test's own.
func newManager(t *testing.T) testvisitor.Manager {
	t.Helper()
	store, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := sqlitestore.Migrate(t.Context(), store.DB()); err != nil {
		t.Fatal(err)
	}
	return testvisitor.NewManager(store)
}

// route is one way a handler answers after setting the name field.
type route struct {
	path string
	code int
}

// checkRoutes creates a session through each route (the response must carry
// the cookie), reads it back with the cookie (GET /get answers "name=..."),
// then changes it through the same route (no new cookie) and reads it again.
func checkRoutes(t *testing.T, app http.Handler, routes []route) {
	for _, rt := range routes {
		t.Run(strings.TrimPrefix(rt.path, "/"), func(t *testing.T) {
			resp := visit(t, app, http.MethodPost, rt.path+"?name=ann", "")
			cookie := sessionCookie(resp)
			if resp.code != rt.code || cookie == "" {
				t.Fatalf("POST %s = %d with Set-Cookie %q; want %d and the session cookie", rt.path, resp.code, resp.header["Set-Cookie"], rt.code)
			}
			if got := visit(t, app, http.MethodGet, "/get", cookie).body; got != "name=ann" {
				t.Fatalf("next request sees %q; want name=ann", got)
			}
			resp = visit(t, app, http.MethodPost, rt.path+"?name=bob", cookie)
			if resp.code != rt.code || len(resp.header["Set-Cookie"]) != 0 {
				t.Fatalf("changing the session: %d with Set-Cookie %q; want %d, no new cookie", resp.code, resp.header["Set-Cookie"], rt.code)
			}
			if got := visit(t, app, http.MethodGet, "/get", cookie).body; got != "name=bob" {
				t.Fatalf("next request sees %q; want name=bob", got)
			}
		})
	}
}

// response is what a request got.
type response struct {
	code   int
	header http.Header
	body   string
}

func visit(t *testing.T, app http.Handler, method, path, cookie string) response {
	t.Helper()
	req := httptest.NewRequest(method, "https://example.com"+path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

// sessionCookie returns "__Host-session=<token>" from a response, "" if none.
func sessionCookie(r response) string {
	for _, line := range r.header["Set-Cookie"] {
		if c, err := http.ParseSetCookie(line); err == nil && c.Name == "__Host-session" && c.Value != "" {
			return "__Host-session=" + c.Value
		}
	}
	return ""
}

// TestChi: r.Use(m.Handler), behind chi's own middleware that wraps the
// writer too (middleware.Logger's WrapResponseWriter).
func TestChi(t *testing.T) {
	m := newManager(t)
	r := chi.NewRouter()
	r.Use(middleware.Logger)
	r.Use(m.Handler)
	set := func(r *http.Request) { m.From(r.Context()).SetName(r.URL.Query().Get("name")) }
	r.Post("/write", func(w http.ResponseWriter, r *http.Request) {
		set(r)
		io.WriteString(w, "saved")
	})
	r.Post("/redirect", func(w http.ResponseWriter, r *http.Request) {
		set(r)
		http.Redirect(w, r, "/get", http.StatusSeeOther)
	})
	r.Post("/nothing-written", func(w http.ResponseWriter, r *http.Request) { set(r) })
	r.Get("/get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "name="+m.From(r.Context()).Name())
	})
	checkRoutes(t, r, []route{{"/write", 200}, {"/redirect", 303}, {"/nothing-written", 200}})
}

// TestEcho: e.Use(echo.WrapMiddleware(m.Handler)), with handlers answering
// through c.String, c.JSON, c.Redirect, and an error for echo's error
// handler (which writes after the handler returned).
func TestEcho(t *testing.T) {
	m := newManager(t)
	e := echo.New()
	e.Use(echo.WrapMiddleware(m.Handler))
	set := func(c echo.Context) { m.From(c.Request().Context()).SetName(c.QueryParam("name")) }
	e.POST("/string", func(c echo.Context) error {
		set(c)
		return c.String(http.StatusOK, "saved")
	})
	e.POST("/json", func(c echo.Context) error {
		set(c)
		return c.JSON(http.StatusCreated, map[string]string{"name": m.From(c.Request().Context()).Name()})
	})
	e.POST("/redirect", func(c echo.Context) error {
		set(c)
		return c.Redirect(http.StatusSeeOther, "/get")
	})
	e.POST("/error", func(c echo.Context) error {
		set(c)
		return echo.NewHTTPError(http.StatusTeapot, errors.New("answered by echo's error handler"))
	})
	e.GET("/get", func(c echo.Context) error {
		return c.String(http.StatusOK, "name="+m.From(c.Request().Context()).Name())
	})
	checkRoutes(t, e, []route{{"/string", 200}, {"/json", 201}, {"/redirect", 303}, {"/error", http.StatusTeapot}})
}
