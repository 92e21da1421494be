//go:build unix

package readme

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// section is the README heading whose commands and files the test follows.
const section = "## Add sessiongen to your app"

// modulePath is the library's module, which the fresh module's go.mod
// replaces with this checkout: the stand-in for a published version.
const modulePath = "github.com/sessiongen/sessiongen"

// block is one fenced block of the README.
type block struct {
	lang, body string
	line       int // of the opening fence, for messages
}

// readSection returns the fenced blocks of the README section, in order.
func readSection(t *testing.T, readme string) []block {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n"+section+"\n")
	if start < 0 {
		t.Fatalf("README.md has no %q section", section)
	}
	text = text[start+1:]
	if end := strings.Index(text[len(section):], "\n## "); end >= 0 {
		text = text[:len(section)+end]
	}
	firstLine := strings.Count(string(b[:start+1]), "\n") + 1
	var blocks []block
	var cur *block
	for i, line := range strings.Split(text, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &block{lang: strings.TrimPrefix(line, "```"), line: firstLine + i}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("README.md:%d: unclosed code block", cur.line)
	}
	return blocks
}

// env is the environment of every command: the module proxy and checksum
// database off (the module cache, shared with this test's own build, holds
// every dependency), no workspace, the local toolchain, and none of the
// caller's GOFLAGS or DATABASE_URL.
func env() []string {
	return append(os.Environ(),
		"GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=",
		"DATABASE_URL=", "ADDR=127.0.0.1:0")
}

// fillModuleCache puts what the README's commands will need in the module
// cache, with the caller's own proxy settings, since those commands run with
// the proxy off: `go mod tidy` loads the packages of the tests of every
// dependency (testify, for msgpack's and pgx's tests) and `go get` the go.mod
// of every module in the graph (testify v1.3.0, which pgpassfile requires),
// where this module's own builds load only what they compile. Running both
// here, in this module (`tidy -diff` changes nothing), fetches the same set.
// Without it, on a machine whose cache held only what its builds had needed,
// the test failed for a missing module, not for a wrong README.
func fillModuleCache(t *testing.T, root string) {
	t.Helper()
	for _, args := range [][]string{{"mod", "tidy", "-diff"}, {"list", "-m", "all"}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), root, err, out)
		}
	}
}

// run runs one README command in dir.
func run(t *testing.T, dir, command string, at int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir, cmd.Env = dir, env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README.md:%d: %s: %v\n%s", at, command, err, out)
	}
}

// listening finds the address the app prints when it is ready.
var listening = regexp.MustCompile(`listening on http://(\S+)`)

// TestREADMEInAFreshModule follows the section from top to bottom: every sh
// line is run as written (after `go mod init`, a replace points the library at
// this checkout), every go block is written to the file its first line names,
// and the last command, which serves, is started and sent requests.
func TestREADMEInAFreshModule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readSection(t, filepath.Join(root, "README.md"))
	fillModuleCache(t, root)
	dir := t.TempDir()
	var server string
	var serverAt int
	files := 0
	for bi, b := range blocks {
		switch b.lang {
		case "go":
			first, body, _ := strings.Cut(b.body, "\n")
			name, ok := strings.CutPrefix(first, "// ")
			if !ok || !strings.HasSuffix(name, ".go") || strings.Contains(name, " ") {
				t.Fatalf("README.md:%d: a go block must start with a comment naming its file (// main.go), so that this test can compile it; got %q", b.line, first)
			}
			path := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(strings.TrimLeft(body, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			files++
		case "sh":
			lines := strings.Split(strings.TrimSpace(b.body), "\n")
			for i, line := range lines {
				command := strings.TrimSpace(line)
				if command == "" || strings.HasPrefix(command, "#") {
					continue
				}
				if bi == len(blocks)-1 || (i == len(lines)-1 && strings.HasPrefix(command, "go run")) {
					server, serverAt = command, b.line+1+i
					continue
				}
				run(t, dir, command, b.line+1+i)
				if strings.HasPrefix(command, "go mod init ") {
					run(t, dir, "go mod edit -replace "+modulePath+"="+root, b.line+1+i)
				}
			}
		case "text":
		default:
			t.Fatalf("README.md:%d: a %q block: the test knows go (a file), sh (commands) and text (output)", b.line, b.lang)
		}
	}
	if files < 2 || server == "" {
		t.Fatalf("the section has %d go files and server command %q; want the session struct, main.go and a go run", files, server)
	}
	base := serve(t, dir, server, serverAt)
	checkSession(t, base)
}

// serve starts the app with the README's command and returns its URL once it
// listens. It runs in a process group of its own, so that stopping it stops
// the binary go run started, too.
func serve(t *testing.T, dir, command string, at int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir, cmd.Env = dir, env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	addr, ok := <-found
	if !ok {
		t.Fatalf("README.md:%d: %s ended without listening:\n%s", at, command, log.String())
	}
	go func() { // keep draining, so that the app never blocks on its log
		for range found {
		}
	}()
	return "http://" + addr
}

// checkSession sends the requests a browser would: a POST that sets fields,
// which must store the session and send its cookie, then two GETs with the
// cookie, which must see the saved cart, the flash once, and the counter.
func checkSession(t *testing.T, base string) {
	t.Helper()
	client := &http.Client{
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.PostForm(base+"/cart", url.Values{"product": {"tea"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /cart = %s, want 303 See Other", resp.Status)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.Value == "" {
		t.Fatalf("POST /cart set cookies %q; want a Secure, HttpOnly session cookie", resp.Header["Set-Cookie"])
	}
	get := func() string {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/", nil)
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET / = %s, %v: %s", resp.Status, err, body)
		}
		return string(body)
	}
	if got, want := get(), "Added tea\nvisits: 1, items in cart: 1\n"; got != want {
		t.Fatalf("first GET with the cookie = %q, want %q", got, want)
	}
	if got, want := get(), "\nvisits: 2, items in cart: 1\n"; got != want {
		t.Fatalf("second GET with the cookie = %q, want %q (the flash is read once)", got, want)
	}
}
