package redisurl_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/cmd/sessiongen/cli"
	"github.com/sessiongen/sessiongen/example/webapp"
	"github.com/sessiongen/sessiongen/redisstore/internal/redistest"
	"github.com/sessiongen/sessiongen/storeurl"

	_ "github.com/sessiongen/sessiongen/redisstore/redisurl"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// redisURLs are a single server and a cluster (one seed plus another as
// addr=), each under a fresh prefix.
func redisURLs(t *testing.T) map[string]string {
	c := redistest.SharedCluster(t)
	single, prefix := redistest.SingleAddr(t), redistest.Prefix()
	t.Cleanup(func() { redistest.DeletePrefix(single, prefix) })
	return map[string]string{
		"single":  "redis://" + single + "?prefix=" + prefix,
		"cluster": "redis://" + c.Nodes[0].Addr + "?addr=" + c.Nodes[1].Addr + "&prefix=" + redistest.Prefix(),
	}
}

// TestExampleAndCLIOnRedis runs the example shop (package webapp, as
// redisstore/cmd/example does) and the sessiongen CLI (package cli, as
// redisstore/cmd/sessiongen does) on a Redis URL: a visitor logs in on two
// browsers, the CLI counts, lists and revokes her sessions, and both browsers
// are logged out; cleanup runs under its lease.
func TestExampleAndCLIOnRedis(t *testing.T) {
	for name, rawURL := range redisURLs(t) {
		t.Run(name, func(t *testing.T) {
			db, err := storeurl.Open(t.Context(), rawURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			if db.Kind != "redis" || db.Leaser == nil {
				t.Fatalf("storeurl.Open of %s: kind %q, leaser %v", name, db.Kind, db.Leaser)
			}
			base := startExample(t, rawURL)
			a, b := &browser{t: t, base: base}, &browser{t: t, base: base}
			for _, br := range []*browser{a, b} {
				if page := br.post("/login", url.Values{"name": {"alice"}}); !strings.Contains(page, "alice") {
					t.Fatalf("login page does not greet alice:\n%s", page)
				}
			}
			if page := a.get("/devices"); strings.Count(page, "<tr") < 3 { // a header row and one per session
				t.Fatalf("devices page lists fewer than two sessions:\n%s", page)
			}
			if out := runCLI(t, 0, "sessions", "count", "-database-url", rawURL); !strings.Contains(out, "2") {
				t.Fatalf("sessions count: %s", out)
			}
			if out := runCLI(t, 0, "sessions", "list", "-database-url", rawURL, "-user", "alice"); strings.Count(out, "alice") < 2 {
				t.Fatalf("sessions list -user alice: %s", out)
			}
			runCLI(t, 0, "sessions", "revoke", "-database-url", rawURL, "-user", "alice")
			for _, br := range []*browser{a, b} {
				if page := br.get("/"); strings.Contains(page, "alice") {
					t.Fatalf("still logged in after sessions revoke:\n%s", page)
				}
			}
			if out := runCLI(t, 0, "cleanup", "-database-url", rawURL, "-progress", "log"); !strings.Contains(out, "deleted") {
				t.Fatalf("cleanup: %s", out)
			}
			if out := runCLI(t, 0, "migrate", "-database-url", rawURL, "up"); strings.Contains(out, "error") {
				t.Fatalf("migrate up on Redis (nothing to migrate): %s", out)
			}
		})
	}
}

// runCLI runs the CLI in-process and fails unless it exits with want.
func runCLI(t *testing.T, want int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Main(args, &stdout, &stderr); code != want {
		t.Fatalf("sessiongen %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, stdout.String(), stderr.String())
	}
	return stdout.String() + stderr.String()
}

// startExample runs the example on rawURL until the test ends and returns
// its base URL.
func startExample(t *testing.T, rawURL string) string {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- webapp.Run(ctx, []string{"-addr", "127.0.0.1:0", "-database-url", rawURL}, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("example: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if err != nil {
		t.Fatalf("example did not start: %v", err)
	}
	start := strings.Index(line, "http://")
	return strings.TrimSuffix(strings.Fields(line[start:])[0], "/")
}

// browser keeps the session cookie by hand: the example's cookie is Secure,
// which Go's cookie jar does not send over plain HTTP.
type browser struct {
	t      *testing.T
	base   string
	cookie string
}

func (b *browser) get(path string) string { return b.do(http.MethodGet, path, nil) }

func (b *browser) post(path string, form url.Values) string {
	return b.do(http.MethodPost, path, strings.NewReader(form.Encode()))
}

func (b *browser) do(method, path string, body io.Reader) string {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.cookie != "" {
		req.Header.Set("Cookie", b.cookie)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 3 { // follow the POST-redirect-GET by hand, keeping the cookie
		resp, err := client.Do(req)
		if err != nil {
			b.t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.MaxAge < 0 || c.Value == "" {
				b.cookie = ""
			} else {
				b.cookie = c.Name + "=" + c.Value
			}
		}
		if resp.StatusCode >= 500 {
			b.t.Fatalf("%s %s: %d\n%s", method, path, resp.StatusCode, page)
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return string(page)
		}
		if req, err = http.NewRequest(http.MethodGet, b.base+loc, nil); err != nil {
			b.t.Fatal(err)
		}
		if b.cookie != "" {
			req.Header.Set("Cookie", b.cookie)
		}
	}
	b.t.Fatalf("%s %s: too many redirects", method, path)
	return ""
}
