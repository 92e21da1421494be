package redistest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Main runs a test binary's tests and then stops every server they started and
// removes their files.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Cleanup stops the shared servers and removes this run's files.
func Cleanup() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster != nil {
		shared.cluster.Stop()
	}
	if shared.single != nil {
		shared.single.Kill()
	}
	run.mu.Lock()
	nodes := run.nodes
	run.mu.Unlock()
	for _, n := range nodes { // every node this process started, also those of clusters nobody stopped
		if n.Alive() {
			n.Kill()
		}
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.dir != "" {
		_ = os.RemoveAll(run.dir)
		_ = os.Remove(run.pidFile)
	}
}

var shared struct {
	mu          sync.Mutex
	cluster     *Cluster
	clusterErr  error
	clusterOnce sync.Once
	single      *Node
	singleAddr  string
	singleOnce  sync.Once
	singleErr   error
}

// SharedCluster returns the test binary's 3-master, 3-replica cluster, started
// on first use and stopped by Main. Tests share it under distinct prefixes; a
// test that kills nodes starts a cluster of its own.
func SharedCluster(tb testing.TB) *Cluster {
	tb.Helper()
	shared.clusterOnce.Do(func() {
		c, err := StartCluster(ClusterOptions{})
		shared.mu.Lock()
		shared.cluster, shared.clusterErr = c, err
		shared.mu.Unlock()
	})
	if shared.clusterErr != nil {
		tb.Fatal(shared.clusterErr)
	}
	return shared.cluster
}

// SingleAddr returns the address of a single (non-cluster) Redis: the one in
// $SESSIONGEN_TEST_REDIS, else the machine's on 127.0.0.1:6379 when it
// answers, else a throwaway server started on first use. Tests on it must use
// a Prefix of their own.
func SingleAddr(tb testing.TB) string {
	tb.Helper()
	shared.singleOnce.Do(func() {
		if addr := os.Getenv("SESSIONGEN_TEST_REDIS"); addr != "" {
			shared.singleAddr = addr
			return
		}
		probe := &Node{Addr: "127.0.0.1:6379"}
		if info, err := probe.Do("INFO", "cluster"); err == nil && !strings.Contains(info, "cluster_enabled:1") {
			shared.singleAddr = probe.Addr
			sweepPrefixes(probe)
			return
		}
		n, err := StartNode()
		shared.mu.Lock()
		shared.single, shared.singleErr = n, err
		shared.mu.Unlock()
		if err == nil {
			shared.singleAddr = n.Addr
		}
	})
	if shared.singleErr != nil {
		tb.Fatal(shared.singleErr)
	}
	return shared.singleAddr
}

// Prefix returns a fresh key prefix for one test: "sgtest:<pid>-<random>:",
// so that a later run can tell the keys of a run that was killed before it
// deleted them.
func Prefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%d-%s:", prefixRoot, os.Getpid(), hex.EncodeToString(b[:]))
}

const prefixRoot = "sgtest:"

// sweepPrefixes deletes, from a shared server, the keys of test runs whose
// process is gone (killed before their cleanup ran). Keys of live runs, of
// other machines' runs (no such process here... so none on a server shared
// across machines: set SESSIONGEN_TEST_REDIS there) and of anything else are
// left alone.
func sweepPrefixes(n *Node) {
	deleteMatching(n, prefixRoot+"*", func(key string) bool {
		pidText, _, ok := strings.Cut(strings.TrimPrefix(key, prefixRoot), "-")
		pid, err := strconv.Atoi(pidText)
		return ok && err == nil && !alive(pid)
	})
}

// DeletePrefix deletes every key under prefix from the single server at addr.
func DeletePrefix(addr, prefix string) {
	deleteMatching(&Node{Addr: addr}, prefix+"*", func(string) bool { return true })
}

// deleteMatching unlinks the keys matching pattern that doomed accepts.
func deleteMatching(n *Node, pattern string, doomed func(key string) bool) {
	cursor := "0"
	for range 10000 {
		reply, err := n.Do("SCAN", cursor, "MATCH", pattern, "COUNT", "1000")
		if err != nil {
			return
		}
		lines := strings.Split(reply, "\n")
		cursor = lines[0]
		for _, key := range lines[1:] {
			if key != "" && doomed(key) {
				_, _ = n.Do("UNLINK", key)
			}
		}
		if cursor == "0" {
			return
		}
	}
}
