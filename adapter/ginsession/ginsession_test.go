package ginsession_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessiongen/sessiongen/adapter/ginsession"
	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// newApp returns a gin engine whose handlers set the name field and answer in
// the ways gin offers, behind use (the session middleware, adapted).
func newApp(t *testing.T, use func(testvisitor.Manager) gin.HandlerFunc) http.Handler {
	t.Helper()
	store, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := sqlitestore.Migrate(t.Context(), store.DB()); err != nil {
		t.Fatal(err)
	}
	m := testvisitor.NewManager(store)
	r := gin.New()
	r.Use(use(m))
	set := func(c *gin.Context) {
		s := m.From(c.Request.Context())
		s.SetName(c.Query("name"))
	}
	r.POST("/writer", func(c *gin.Context) {
		set(c)
		c.Writer.WriteString("saved")
	})
	r.POST("/json", func(c *gin.Context) {
		set(c)
		c.JSON(http.StatusCreated, gin.H{"name": m.From(c.Request.Context()).Name()})
	})
	r.POST("/redirect", func(c *gin.Context) {
		set(c)
		c.Redirect(http.StatusSeeOther, "/get")
	})
	r.POST("/status-first", func(c *gin.Context) {
		c.Status(http.StatusAccepted) // gin only records it: the session may still change
		set(c)
		c.Writer.WriteHeaderNow()
	})
	r.GET("/get", func(c *gin.Context) {
		c.String(http.StatusOK, "name=%s", m.From(c.Request.Context()).Name())
	})
	return r
}

// naive adapts the middleware the way issue 17 found broken: c.Next inside
// the middleware, with gin's writer left as it is.
func naive(m testvisitor.Manager) gin.HandlerFunc {
	return func(c *gin.Context) {
		m.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
	}
}

// adapted is the adapter under test.
func adapted(m testvisitor.Manager) gin.HandlerFunc { return ginsession.Middleware(m.Handler) }

// visit sends a request with cookie (if any) and returns the response.
func visit(t *testing.T, app http.Handler, method, path, cookie string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, "https://example.com"+path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	return rec.Result()
}

// sessionCookie returns "__Host-session=<token>" from a response, "" if none.
func sessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-session" && c.Value != "" {
			return "__Host-session=" + c.Value
		}
	}
	return ""
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// TestEveryWayOfWritingSetsTheCookieAndSaves: a handler that creates the
// session and answers through c.Writer, c.JSON, c.Redirect, or c.Status then
// WriteHeaderNow, sends the session cookie with its response, and the next
// request with that cookie sees the value; a second change through the same
// route is saved too.
func TestEveryWayOfWritingSetsTheCookieAndSaves(t *testing.T) {
	app := newApp(t, adapted)
	for _, c := range []struct {
		path string
		code int
	}{
		{"/writer", http.StatusOK},
		{"/json", http.StatusCreated},
		{"/redirect", http.StatusSeeOther},
		{"/status-first", http.StatusAccepted},
	} {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			resp := visit(t, app, http.MethodPost, c.path+"?name=ann", "")
			cookie := sessionCookie(resp)
			if resp.StatusCode != c.code || cookie == "" {
				t.Fatalf("POST %s = %d with Set-Cookie %q; want %d and the session cookie", c.path, resp.StatusCode, resp.Header["Set-Cookie"], c.code)
			}
			if got := body(t, visit(t, app, http.MethodGet, "/get", cookie)); got != "name=ann" {
				t.Fatalf("next request sees %q; want name=ann", got)
			}
			resp = visit(t, app, http.MethodPost, c.path+"?name=bob", cookie)
			if resp.StatusCode != c.code || len(resp.Header["Set-Cookie"]) != 0 {
				t.Fatalf("changing an existing session: %d with Set-Cookie %q; want %d and no new cookie", resp.StatusCode, resp.Header["Set-Cookie"], c.code)
			}
			if got := body(t, visit(t, app, http.MethodGet, "/get", cookie)); got != "name=bob" {
				t.Fatalf("next request sees %q; want name=bob", got)
			}
		})
	}
}

// TestNaiveAdapterLosesTheCookie is the control: adapted without this
// package, a handler writing through c.Writer sends its response without the
// cookie, and the session it meant to create is lost. If this ever passes,
// gin changed and the adapter may no longer be needed.
func TestNaiveAdapterLosesTheCookie(t *testing.T) {
	app := newApp(t, naive)
	resp := visit(t, app, http.MethodPost, "/writer?name=ann", "")
	if cookie := sessionCookie(resp); cookie != "" {
		t.Fatalf("the naive adapter sent %q: gin now routes c.Writer through the middleware's writer", cookie)
	}
}

// TestUnavailableStoreAbortsTheChain: when the middleware answers by itself
// (the store fails on load), no gin handler runs.
func TestUnavailableStoreAbortsTheChain(t *testing.T) {
	store, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlitestore.Migrate(t.Context(), store.DB()); err != nil {
		t.Fatal(err)
	}
	m := testvisitor.NewManager(store)
	ran := false
	r := gin.New()
	r.Use(ginsession.Middleware(m.Handler))
	r.GET("/get", func(c *gin.Context) { ran = true; c.String(http.StatusOK, "handler") })
	first := visit(t, r, http.MethodGet, "/get", "")
	if first.StatusCode != http.StatusOK || !ran {
		t.Fatalf("with the store up: %d, handler ran %v", first.StatusCode, ran)
	}
	store.Close() // every later Load fails
	ran = false
	token := strings.Repeat("A", 43)
	resp := visit(t, r, http.MethodGet, "/get", "__Host-session="+token)
	if resp.StatusCode < 500 || ran {
		t.Fatalf("with the store closed: %d, handler ran %v; want the middleware's 5xx and no handler", resp.StatusCode, ran)
	}
}
