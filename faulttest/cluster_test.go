package faulttest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// cluster is a throwaway PostgreSQL server of one test, on a free loopback
// port, in a temporary directory. The test may stop it any way it likes:
// nothing else uses it. It keeps synchronous_commit on, so that an immediate
// stop (a crash, to PostgreSQL) loses no acknowledged commit; fsync is off,
// because the machine does not crash, only the server process stops.
type cluster struct {
	t          *testing.T
	bin, data  string
	port       int
	credential *syscall.Credential // nil: run as the current user
}

// startCluster initialises and starts a cluster, and removes it when t ends.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.Sort(dirs) // "15" < "16" < "17": the newest last (two-digit majors)
	if len(dirs) == 0 {
		t.Fatal("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)")
	}
	dir, err := os.MkdirTemp("", "faulttest-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, bin: dirs[len(dirs)-1], data: filepath.Join(dir, "data"), port: freePort(t)}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: run the server as postgres.
		c.credential = postgresUser(t)
		if err := os.Chown(dir, int(c.credential.Uid), int(c.credential.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		c.ctl("stop", "-m", "immediate") // may already be stopped
		os.RemoveAll(dir)
	})
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start()
	return c
}

// url is the server's connection URL. connect_timeout bounds a dial while the
// server is down.
func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?connect_timeout=2", c.port)
}

// start starts the server and waits until it accepts connections.
func (c *cluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=40 -c shared_buffers=16MB",
		c.port, filepath.Dir(c.data))
	if out, err := c.ctl("start", "-w", "-t", "60", "-l", filepath.Join(filepath.Dir(c.data), "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(filepath.Dir(c.data), "log"))
		c.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// stopImmediate stops the server the way a crash would: no checkpoint, open
// connections cut; the next start runs crash recovery.
func (c *cluster) stopImmediate() {
	c.t.Helper()
	if out, err := c.ctl("stop", "-m", "immediate", "-w"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

func (c *cluster) ctl(args ...string) ([]byte, error) {
	return c.run("pg_ctl", append([]string{"-D", c.data}, args...)...)
}

func (c *cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if c.credential != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.credential}
	}
	err := cmd.Run()
	return out.Bytes(), err
}

func postgresUser(t *testing.T) *syscall.Credential {
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("running as root and no postgres user to run the server as: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
