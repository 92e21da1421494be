package fibersession_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"

	"github.com/sessiongen/sessiongen/adapter/fibersession"
	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// newStore returns a migrated SQLite store in a file of the test's own.
func newStore(t *testing.T) *sqlitestore.Store {
	t.Helper()
	store, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := sqlitestore.Migrate(t.Context(), store.DB()); err != nil {
		t.Fatal(err)
	}
	return store
}

// newApp returns a Fiber app whose handlers set the name field and answer in
// the ways Fiber offers, behind use (the session middleware, adapted).
func newApp(t *testing.T, m testvisitor.Manager, use fiber.Handler) *fiber.App {
	app := fiber.New()
	app.Use(use)
	// set sets the name field; a handler that finds no session in its
	// context (the middleware's context did not reach it) fails.
	set := func(c fiber.Ctx) error {
		s := m.From(c.Context())
		if s.Session == nil {
			return fiber.NewError(http.StatusInternalServerError, "no session in the handler's context")
		}
		s.SetName(c.Query("name"))
		return nil
	}
	app.Post("/string", func(c fiber.Ctx) error {
		if err := set(c); err != nil {
			return err
		}
		return c.SendString("saved")
	})
	app.Post("/json", func(c fiber.Ctx) error {
		if err := set(c); err != nil {
			return err
		}
		return c.Status(http.StatusCreated).JSON(fiber.Map{"name": m.From(c.Context()).Name()})
	})
	app.Post("/redirect", func(c fiber.Ctx) error {
		if err := set(c); err != nil {
			return err
		}
		return c.Redirect().Status(http.StatusSeeOther).To("/get")
	})
	app.Post("/error", func(c fiber.Ctx) error {
		if err := set(c); err != nil {
			return err
		}
		return fiber.NewError(http.StatusTeapot, "answered by Fiber's error handler")
	})
	app.Get("/get", func(c fiber.Ctx) error {
		return c.SendString("name=" + m.From(c.Context()).Name())
	})
	return app
}

// visit sends one request through app.Test.
func visit(t *testing.T, app *fiber.App, method, path, cookie string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, "https://example.com"+path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func sessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-session" && c.Value != "" {
			return "__Host-session=" + c.Value
		}
	}
	return ""
}

// TestEveryWayOfAnsweringSetsTheCookieAndSaves: a handler that creates the
// session and answers through SendString, JSON, Redirect, or an error for
// Fiber's error handler sends the session cookie with its response, and the
// next request sees the value; a change to the existing session is saved
// without a new cookie.
func TestEveryWayOfAnsweringSetsTheCookieAndSaves(t *testing.T) {
	m := testvisitor.NewManager(newStore(t))
	app := newApp(t, m, fibersession.Middleware(m.Handler))
	for _, c := range []struct {
		path string
		code int
	}{
		{"/string", http.StatusOK},
		{"/json", http.StatusCreated},
		{"/redirect", http.StatusSeeOther},
		{"/error", http.StatusTeapot},
	} {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			resp, _ := visit(t, app, http.MethodPost, c.path+"?name=ann", "")
			cookie := sessionCookie(resp)
			if resp.StatusCode != c.code || cookie == "" {
				t.Fatalf("POST %s = %d with Set-Cookie %q; want %d and the session cookie", c.path, resp.StatusCode, resp.Header["Set-Cookie"], c.code)
			}
			if !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
				t.Errorf("a response with a session cookie lacks Cache-Control: no-store: %q", resp.Header)
			}
			if _, got := visit(t, app, http.MethodGet, "/get", cookie); got != "name=ann" {
				t.Fatalf("next request sees %q; want name=ann", got)
			}
			resp, _ = visit(t, app, http.MethodPost, c.path+"?name=bob", cookie)
			if resp.StatusCode != c.code || len(resp.Header["Set-Cookie"]) != 0 {
				t.Fatalf("changing the session: %d with Set-Cookie %q; want %d and no new cookie", resp.StatusCode, resp.Header["Set-Cookie"], c.code)
			}
			if _, got := visit(t, app, http.MethodGet, "/get", cookie); got != "name=bob" {
				t.Fatalf("next request sees %q; want name=bob", got)
			}
		})
	}
}

// TestFibersAdaptorLosesTheChanges is the control: with Fiber's own
// adaptor.HTTPMiddleware the middleware has returned, and committed, before
// the handler runs, and the handler does not even find the session in its
// context: nothing it sets can be saved, and no cookie is sent. If this ever
// fails, Fiber changed and the adapter may no longer be needed.
func TestFibersAdaptorLosesTheChanges(t *testing.T) {
	m := testvisitor.NewManager(newStore(t))
	app := newApp(t, m, adaptor.HTTPMiddleware(m.Handler))
	resp, body := visit(t, app, http.MethodPost, "/string?name=ann", "")
	if cookie := sessionCookie(resp); cookie != "" || !strings.Contains(body, "no session") {
		t.Fatalf("Fiber's adaptor: %d %q with cookie %q: it now hands the handler the middleware's context", resp.StatusCode, body, cookie)
	}
}

// TestUnavailableStoreAnswersForTheHandler: when the store fails on load,
// the middleware's 503 is the response and no handler runs.
func TestUnavailableStoreAnswersForTheHandler(t *testing.T) {
	store := newStore(t)
	m := testvisitor.NewManager(store)
	ran := false
	app := fiber.New()
	app.Use(fibersession.Middleware(m.Handler))
	app.Get("/get", func(c fiber.Ctx) error { ran = true; return c.SendString("handler") })
	if resp, _ := visit(t, app, http.MethodGet, "/get", ""); resp.StatusCode != http.StatusOK || !ran {
		t.Fatalf("with the store up: %d, handler ran %v", resp.StatusCode, ran)
	}
	store.Close() // every later Load fails
	ran = false
	resp, body := visit(t, app, http.MethodGet, "/get", "__Host-session="+strings.Repeat("A", 43))
	if resp.StatusCode < 500 || ran || strings.Contains(body, "handler") {
		t.Fatalf("with the store closed: %d %q, handler ran %v; want the middleware's 5xx and no handler", resp.StatusCode, body, ran)
	}
}
