package faulttest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/genvisitor"
	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/internal/testlog"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// app is the test application on pgstore over pool, served on loopback.
type app struct {
	url string
	log *testlog.Buffer
}

// serveApp starts the application on pgstore over pool; wrap, if not nil,
// wraps the session middleware (a request deadline, say).
func serveApp(t *testing.T, pool *pgxpool.Pool, wrap func(http.Handler) http.Handler) *app {
	t.Helper()
	return serveStore(t, pgstore.New(pool), wrap)
}

// serveStore starts the application on store; wrap is as for serveApp.
func serveStore(t *testing.T, store session.Store, wrap func(http.Handler) http.Handler) *app {
	t.Helper()
	a := &app{log: &testlog.Buffer{}}
	m := genvisitor.NewVisitorManager(store)
	m.Logger = slog.New(slog.NewTextHandler(a.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := App(m)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

// withDeadline gives every request a deadline of d, as a production server
// would (http.TimeoutHandler's budget, a load balancer's timeout).
func withDeadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// visitor is one browser: its own cookie jar.
type visitor struct {
	t      *testing.T
	client *http.Client
	base   string
}

func newVisitor(t *testing.T, a *app) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, base: a.url, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// reply is what one request got back.
type reply struct {
	code      int
	body      string
	setCookie bool
	err       error // transport error
	took      time.Duration
}

func (v *visitor) do(method, path string) reply {
	start := time.Now()
	req, err := http.NewRequest(method, v.base+path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return reply{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return reply{code: resp.StatusCode, body: strings.TrimSpace(string(body)),
		setCookie: len(resp.Header.Values("Set-Cookie")) > 0, took: time.Since(start)}
}

// mustDo sends a request that must succeed with 200.
func (v *visitor) mustDo(method, path string) reply {
	v.t.Helper()
	r := v.do(method, path)
	if r.err != nil || r.code != http.StatusOK {
		v.t.Fatalf("%s %s: %d %q %v", method, path, r.code, r.body, r.err)
	}
	return r
}

// count reads the visitor's counter through GET /.
func (v *visitor) count() int64 {
	v.t.Helper()
	n, err := strconv.ParseInt(v.mustDo(http.MethodGet, "/").body, 10, 64)
	if err != nil {
		v.t.Fatal(err)
	}
	return n
}

// rows counts the stored sessions.
func rows(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM sessiongen_sessions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
