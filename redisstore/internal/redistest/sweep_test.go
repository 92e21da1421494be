package redistest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const childEnv = "REDISTEST_SWEEP_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		// A test run that starts a server and is then killed: it prints the
		// server's pid and waits for its end.
		n, err := StartNode()
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("pid", n.cmd.Process.Pid)
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	Main(m)
}

// TestSweepKilledRun: a run killed with SIGKILL leaves its redis-server
// running (in a process group of its own) and its pid file behind; the next
// run's sweep kills that server and removes the files.
func TestSweepKilledRun(t *testing.T) {
	if err := setup(); err != nil {
		t.Skip(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=1")
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "pid ") {
		_ = child.Process.Kill()
		t.Fatalf("child: %q, %v", line, err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "pid ")))
	_ = child.Process.Kill()
	_ = child.Wait()
	if !isOurRedis(pid) {
		t.Fatalf("the killed run's server %d is not running: nothing to sweep", pid)
	}
	pidFile := fmt.Sprintf("%s/%d.pids", runDir, child.Process.Pid)
	if _, err := os.Stat(pidFile); err != nil {
		t.Fatalf("the killed run left no pid file: %v", err)
	}
	sweep()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // SIGKILLed; its parent is gone, init reaps it
	}
	if syscall.Kill(pid, 0) == nil && isOurRedis(pid) {
		t.Fatalf("sweep left the killed run's server %d running", pid)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Fatalf("sweep left the pid file: %v", err)
	}
}
