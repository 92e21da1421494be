package lostupdate

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sessiongen/sessiongen/bench/httpload/app"
)

const (
	incrementClients = 16
	incrementsEach   = 100
	disjointRounds   = 50
)

// outcome is what one test saw on one setup.
type outcome struct {
	test, setup          string
	acked, refused, lost int64
}

var (
	mu       sync.Mutex
	outcomes []outcome
)

func record(o outcome) {
	mu.Lock()
	defer mu.Unlock()
	outcomes = append(outcomes, o)
}

func TestMain(m *testing.M) {
	code := m.Run()
	table := "| test | setup | acknowledged | refused (non-200) | lost |\n|---|---|---:|---:|---:|\n"
	for _, o := range outcomes {
		table += fmt.Sprintf("| %s | %s | %d | %d | %d |\n", o.test, o.setup, o.acked, o.refused, o.lost)
	}
	fmt.Print(table)
	if path := os.Getenv("LOSTUPDATE_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// visitor is a client of one session: clients made with clone share its
// cookie, so all of them send the same session token.
type visitor struct {
	t    *testing.T
	base string
	jar  http.CookieJar
}

func startSession(t *testing.T, h http.Handler) *visitor {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	v := &visitor{t: t, base: srv.URL, jar: jar}
	if code, _ := v.do(http.MethodPost, "/start"); code != http.StatusOK {
		t.Fatalf("POST /start: %d", code)
	}
	return v
}

// clone returns a visitor with its own jar holding the same cookies, as a
// browser's parallel tabs would.
func (v *visitor) clone() *visitor {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(v.base)
	jar.SetCookies(u, v.jar.Cookies(u))
	return &visitor{t: v.t, base: v.base, jar: jar}
}

// do sends one request and returns the status and body; a transport error
// fails the test.
func (v *visitor) do(method, path string) (int, string) {
	req, err := http.NewRequest(method, v.base+path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	resp, err := (&http.Client{Jar: v.jar}).Do(req)
	if err != nil {
		v.t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// read returns the session as GET / prints it.
func (v *visitor) read() map[string]string {
	code, body := v.do(http.MethodGet, "/")
	if code != http.StatusOK {
		v.t.Fatalf("GET /: %d %s", code, body)
	}
	return app.Parse(body)
}

// judge records o and fails the test when a sessiongen setup lost updates.
func judge(t *testing.T, s setup, o outcome) {
	record(o)
	t.Logf("%s: acknowledged %d, refused %d, lost %d", s.name, o.acked, o.refused, o.lost)
	if s.ours && o.lost != 0 {
		t.Errorf("%s lost %d acknowledged updates", s.name, o.lost)
	}
	if s.ours && o.acked == 0 {
		t.Errorf("%s acknowledged no update at all", s.name)
	}
}

// Every client increments the one counter; a lost increment is one that was
// acknowledged but is not in the final count.
func TestConcurrentIncrements(t *testing.T) {
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			v := startSession(t, s.handler(t))
			var acked, refused atomic.Int64
			var wg sync.WaitGroup
			for range incrementClients {
				c := v.clone()
				wg.Go(func() {
					for range incrementsEach {
						if code, _ := c.do(http.MethodPost, "/incr"); code == http.StatusOK {
							acked.Add(1)
						} else {
							refused.Add(1)
						}
					}
				})
			}
			wg.Wait()
			final := app.Count(v.read())
			if s.ours && final > acked.Load() {
				// An increment that answered an error must not have been saved
				// either: both stores here report a save's outcome exactly.
				t.Errorf("final count %d exceeds the %d acknowledged increments", final, acked.Load())
			}
			judge(t, s, outcome{test: "16 x 100 concurrent increments", setup: s.name,
				acked: acked.Load(), refused: refused.Load(), lost: acked.Load() - final})
		})
	}
}

// In each round, one request per field sets its field to the round's value
// at the same time; a lost update is a field that does not hold the value its
// acknowledged request set.
func TestDisjointFields(t *testing.T) {
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			v := startSession(t, s.handler(t))
			clients := make([]*visitor, len(app.Fields))
			for i := range clients {
				clients[i] = v.clone()
			}
			var o outcome
			for round := range disjointRounds {
				value := fmt.Sprintf("r%d", round)
				ok := make([]bool, len(app.Fields))
				var wg sync.WaitGroup
				for i, field := range app.Fields {
					wg.Go(func() {
						code, _ := clients[i].do(http.MethodPost, "/set?f="+field+"&v="+value)
						ok[i] = code == http.StatusOK
					})
				}
				wg.Wait()
				got := v.read()
				for i, field := range app.Fields {
					switch {
					case !ok[i]:
						o.refused++
					case got[field] != value:
						o.acked++
						o.lost++
					default:
						o.acked++
					}
				}
			}
			o.test, o.setup = fmt.Sprintf("%d rounds x %d disjoint fields", disjointRounds, len(app.Fields)), s.name
			judge(t, s, o)
		})
	}
}
