// Package redistest starts throwaway Redis servers and clusters for the
// redisstore tests and benchmarks: redis-server processes on free loopback ports
// (never 6379), in a temp dir, stopped by their own PIDs. A run that was killed
// halfway leaves a pid file behind; the next run sweeps it at start.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Node is one redis-server process.
type Node struct {
	Addr string
	Port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// runDir is where every run keeps its pid file, so that a later run can find
// the servers of a run that was killed.
var runDir = filepath.Join(os.TempDir(), "sessiongen-redistest")

// run is this process's bookkeeping: its temp dir and the PIDs it started.
var run struct {
	once    sync.Once
	err     error
	dir     string
	pidFile string
	mu      sync.Mutex
	pids    map[int]bool
	nodes   []*Node
}

func setup() error {
	run.once.Do(func() {
		if _, err := exec.LookPath("redis-server"); err != nil {
			run.err = fmt.Errorf("redistest: redis-server not installed (apt-get install redis-server redis-tools): %w", err)
			return
		}
		if err := os.MkdirAll(runDir, 0o755); err != nil {
			run.err = err
			return
		}
		sweep()
		run.dir, run.err = os.MkdirTemp(runDir, fmt.Sprintf("run-%d-", os.Getpid()))
		run.pidFile = filepath.Join(runDir, fmt.Sprintf("%d.pids", os.Getpid()))
		run.pids = map[int]bool{}
	})
	return run.err
}

// sweep kills the servers of earlier runs whose test process is gone and
// removes their files. A pid is killed only while its command line is still a
// redis-server in that run's dir, so a recycled pid is left alone.
func sweep() {
	files, _ := filepath.Glob(filepath.Join(runDir, "*.pids"))
	for _, f := range files {
		owner, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(f), ".pids"))
		if err != nil || alive(owner) {
			continue
		}
		data, _ := os.ReadFile(f)
		for _, line := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(line); err == nil && isOurRedis(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		dirs, _ := filepath.Glob(filepath.Join(runDir, fmt.Sprintf("run-%d-*", owner)))
		for _, d := range dirs {
			_ = os.RemoveAll(d)
		}
		_ = os.Remove(f)
	}
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// isOurRedis reports whether pid is a redis-server started by some run of
// this package: redis-server rewrites its command line, but it works in the
// node dir it was given, under runDir.
func isOurRedis(pid int) bool {
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	return err == nil && strings.HasPrefix(cwd, runDir+string(filepath.Separator))
}

func recordPids() {
	var b strings.Builder
	for pid := range run.pids {
		fmt.Fprintln(&b, pid)
	}
	_ = os.WriteFile(run.pidFile, []byte(b.String()), 0o644)
}

// freePort returns a loopback port that is free, whose cluster bus port
// (port+10000) is free too.
func freePort() (int, error) {
	for range 100 {
		p := 20000 + rand.IntN(30000)
		if p == 6379 || !portFree(p) || !portFree(p+10000) {
			continue
		}
		return p, nil
	}
	return 0, errors.New("redistest: no free port pair found")
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// StartNode starts one redis-server on a free port with extra config lines
// (e.g. "cluster-enabled yes") and waits until it answers PING.
func StartNode(extra ...string) (*Node, error) {
	if err := setup(); err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 { // a port taken between the check and the bind: try another
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		n, err := startNode(port, extra)
		if err == nil {
			return n, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startNode(port int, extra []string) (*Node, error) {
	dir := filepath.Join(run.dir, strconv.Itoa(port))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	conf := []string{
		"bind 127.0.0.1", "port " + strconv.Itoa(port), "protected-mode no", "daemonize no",
		"dir " + dir, "save \"\"", "appendonly no", "logfile " + filepath.Join(dir, "redis.log"),
	}
	conf = append(conf, extra...)
	confPath := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(confPath, []byte(strings.Join(conf, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("redis-server", confPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a ^C to the test does not reach it first
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n := &Node{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, dir: dir, cmd: cmd, done: make(chan struct{})}
	run.mu.Lock()
	run.pids[cmd.Process.Pid] = true
	run.nodes = append(run.nodes, n)
	recordPids()
	run.mu.Unlock()
	go func() { _ = cmd.Wait(); close(n.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := n.Do("PING"); err == nil {
			return n, nil
		}
		select {
		case <-n.done:
			return nil, fmt.Errorf("redistest: redis-server on port %d exited: %s", port, n.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
	n.Kill()
	return nil, fmt.Errorf("redistest: redis-server on port %d did not answer: %s", port, n.logTail())
}

func (n *Node) logTail() string {
	data, _ := os.ReadFile(filepath.Join(n.dir, "redis.log"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}

// Kill stops the node with SIGKILL (a crash) and waits for it to exit.
func (n *Node) Kill() {
	if n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	<-n.done
	run.mu.Lock()
	delete(run.pids, n.cmd.Process.Pid)
	recordPids()
	run.mu.Unlock()
}

// Alive reports whether the node's process is still running.
func (n *Node) Alive() bool {
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// Do sends one command over a fresh connection and returns the reply as text
// (arrays joined by newlines). It is for setting up and inspecting servers, not
// for the code under test, which uses its own client.
func (n *Node) Do(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", n.Addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	return readReply(bufio.NewReader(conn))
}

func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", errors.New("redistest: empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		parts := make([]string, 0, max(n, 0))
		for range n {
			p, err := readReply(r)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, "\n"), nil
	}
	return "", fmt.Errorf("redistest: unexpected reply %q", line)
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
