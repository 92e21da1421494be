package testdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MariaDBOptions shape a throwaway MariaDB server.
type MariaDBOptions struct {
	// Settings are server options ("--name=value") added to its command line.
	Settings []string
}

// fastMariaDBSettings trade durability for speed: the fallback server dies
// with the test process anyway.
var fastMariaDBSettings = []string{"--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0"}

// MariaDB is a MariaDB server of one test's own, in a temporary directory,
// listening on a free loopback port, that the test may kill and start as it
// likes (fault injection): nothing else uses it. It needs the MariaDB server
// binaries and is removed when the test ends.
type MariaDB struct {
	t testing.TB
	s *mariadbServer
}

// NewMariaDB initialises and starts a server shaped by opts.
func NewMariaDB(t testing.TB, opts MariaDBOptions) *MariaDB {
	t.Helper()
	s, err := startMariaDB(opts)
	if err != nil {
		t.Fatalf("testdb: starting a MariaDB server needs its binaries (mariadbd, mariadb-install-db; "+
			"Debian/Ubuntu: apt-get install mariadb-server): %v", err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("testdb: removing the MariaDB server: %v", err)
		}
	})
	return &MariaDB{t: t, s: s}
}

// DSN is the server's DSN for root, without a database name.
func (m *MariaDB) DSN() string { return m.s.dsn }

// PID is the server process's id while it runs (for reading its CPU time),
// 0 after Kill.
func (m *MariaDB) PID() int {
	if m.s.cmd == nil {
		return 0
	}
	return m.s.cmd.Process.Pid
}

// Kill stops the server the way a crash would (SIGKILL): open connections are
// cut, and the next Start runs crash recovery.
func (m *MariaDB) Kill() {
	m.t.Helper()
	if err := m.s.kill(); err != nil {
		m.t.Fatalf("testdb: killing MariaDB: %v", err)
	}
}

// Start starts the server again after Kill and waits until it accepts
// connections.
func (m *MariaDB) Start() {
	m.t.Helper()
	if err := m.s.start(); err != nil {
		m.t.Fatalf("testdb: starting MariaDB: %v", err)
	}
}

// mariadbServer is a server started in a temporary directory.
type mariadbServer struct {
	dir    string // data/, socket, log
	daemon string // the mariadbd binary
	opts   MariaDBOptions
	port   int
	dsn    string
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
}

// mariadbStartTimeout bounds installing the system tables and starting up on
// a machine under heavy load.
const mariadbStartTimeout = 2 * time.Minute

// startMariaDB installs a data directory and starts a server on it.
func startMariaDB(opts MariaDBOptions) (*mariadbServer, error) {
	daemon, install, err := findMariaDB()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sessiongen-mariadb-")
	if err != nil {
		return nil, err
	}
	s := &mariadbServer{dir: dir, daemon: daemon, opts: opts}
	if s.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.dsn = fmt.Sprintf("root@tcp(127.0.0.1:%d)/?timeout=2s", s.port)
	args := []string{"--no-defaults", "--datadir=" + s.dataDir(), "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		// mariadbd refuses to run as root: the server and its files belong
		// to the mysql user.
		u, err := user.Lookup("mysql")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no mysql user to run the server as: %w", err)
		}
		if err := chown(dir, u); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		args = append(args, "--user=mysql")
	}
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%s: %w: %s", filepath.Base(install), err, tail(out))
	}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *mariadbServer) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *mariadbServer) logPath() string { return filepath.Join(s.dir, "error.log") }

// start runs the server in the background and waits until it answers.
func (s *mariadbServer) start() error {
	args := []string{
		"--no-defaults",
		"--datadir=" + s.dataDir(),
		"--socket=" + filepath.Join(s.dir, "mysqld.sock"),
		"--pid-file=" + filepath.Join(s.dir, "mysqld.pid"),
		"--log-error=" + s.logPath(),
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--port=%d", s.port),
		"--innodb-buffer-pool-size=64M",
		"--skip-log-bin",
	}
	if os.Geteuid() == 0 {
		args = append(args, "--user=mysql")
	}
	s.cmd = exec.Command(s.daemon, append(args, s.opts.Settings...)...)
	detach(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	s.exited = exited
	go func(cmd *exec.Cmd) { _ = cmd.Wait(); close(exited) }(s.cmd)
	cfg, err := mysql.ParseDSN(s.dsn)
	if err != nil {
		return err
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	deadline := time.Now().Add(mariadbStartTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		err := db.PingContext(ctx)
		cancel()
		switch {
		case err == nil:
			return nil
		case time.Now().After(deadline):
			return errors.Join(fmt.Errorf("MariaDB did not answer within %v: %w (log: %s)", mariadbStartTimeout, err, s.logTail()), s.kill())
		}
		select {
		case <-exited:
			return fmt.Errorf("mariadbd exited at start-up (log: %s)", s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL and waits for the process to end.
func (s *mariadbServer) kill() error {
	if s.cmd == nil {
		return nil
	}
	err := s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
	if errors.Is(err, os.ErrProcessDone) {
		err = nil
	}
	return err
}

// stop kills the server, if it runs, and removes its directory.
func (s *mariadbServer) stop() error {
	return errors.Join(s.kill(), os.RemoveAll(s.dir))
}

// logTail returns the end of the server's error log, for error messages.
func (s *mariadbServer) logTail() string {
	b, _ := os.ReadFile(s.logPath())
	return tail(b)
}

// tail returns the last 2000 bytes of b.
func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// findMariaDB looks for the MariaDB server and its install script on PATH,
// then in /usr/sbin and /usr/bin, where Debian puts them, under their current
// names or their older MySQL-compatible ones.
func findMariaDB() (daemon, install string, err error) {
	daemon, err1 := lookBinary("mariadbd", "mysqld")
	install, err2 := lookBinary("mariadb-install-db", "mysql_install_db")
	if err := errors.Join(err1, err2); err != nil {
		return "", "", err
	}
	return daemon, install, nil
}

// lookBinary returns the first of names found on PATH or in the system
// directories.
func lookBinary(names ...string) (string, error) {
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
		for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
			if path := filepath.Join(dir, name); isFile(path) {
				return path, nil
			}
		}
	}
	return "", fmt.Errorf("none of %v on PATH or in /usr/sbin, /usr/bin", names)
}
