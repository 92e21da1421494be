package testdb

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ClusterOptions shape a throwaway cluster.
type ClusterOptions struct {
	// TCP makes the server listen on a free loopback port as well as on the
	// unix socket in its directory; without it the server is off the network
	// and never clashes with another server or another test process.
	TCP bool
	// Settings are server settings ("name=value"), passed as -c options.
	Settings []string
}

// fastSettings trade durability for speed: testdb's own clusters die with the
// test process anyway.
var fastSettings = []string{"fsync=off", "synchronous_commit=off", "full_page_writes=off"}

// throwaway is a PostgreSQL cluster started in a temporary directory.
type throwaway struct {
	dir     string // socket directory and parent of data/
	pgCtl   string
	runAs   *user.User // nil: run as the current user
	opts    ClusterOptions
	port    int // with opts.TCP
	url     string
	running bool
}

// binDirs is where Debian and Ubuntu install the server binaries, which are
// not on PATH.
const binDirs = "/usr/lib/postgresql/*/bin"

// startThrowaway initialises and starts a cluster tuned for tests, off the
// network and with fastSettings.
func startThrowaway() (*throwaway, error) {
	return newThrowaway(ClusterOptions{Settings: fastSettings})
}

// newThrowaway initialises a cluster in a new temporary directory and starts it.
func newThrowaway(opts ClusterOptions) (*throwaway, error) {
	initdb, pgCtl, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sessiongen-pg-")
	if err != nil {
		return nil, err
	}
	c := &throwaway{dir: dir, pgCtl: pgCtl, opts: opts}
	// initdb refuses to run as root; run the cluster as the postgres user.
	if os.Geteuid() == 0 {
		if c.runAs, err = user.Lookup("postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres user to run initdb as: %w", err)
		}
		if err := chown(dir, c.runAs); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if err := c.run(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.url = "postgres://postgres@/postgres?host=" + url.QueryEscape(dir)
	if opts.TCP {
		if c.port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		// connect_timeout bounds a dial while a fault test has the server down.
		c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?connect_timeout=2", c.port)
	}
	if err := c.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// start starts the server and waits until it accepts connections.
func (c *throwaway) start() error {
	opts := fmt.Sprintf("-h '' -k %s", c.dir)
	if c.opts.TCP {
		opts = fmt.Sprintf("-h 127.0.0.1 -p %d -k %s", c.port, c.dir)
	}
	for _, setting := range c.opts.Settings {
		opts += " -c " + setting
	}
	if err := c.run(c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-l", c.logPath(), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("%w (log: %s)", err, c.logTail())
	}
	c.running = true
	return nil
}

// halt stops the server the way a crash would: no checkpoint, open
// connections cut; the next start runs crash recovery.
func (c *throwaway) halt() error {
	c.running = false
	return c.run(c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
}

// stop shuts the cluster down, if it runs, and removes its directory.
func (c *throwaway) stop() error {
	var err error
	if c.running {
		err = c.halt()
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

// freePort returns a loopback port nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *throwaway) logPath() string { return filepath.Join(c.dir, "postgres.log") }

// logTail returns the end of the server log, for error messages.
func (c *throwaway) logTail() string {
	b, _ := os.ReadFile(c.logPath())
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// run runs a PostgreSQL binary as c.runAs, returning its output on failure.
func (c *throwaway) run(bin string, args ...string) error {
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if c.runAs != nil {
		if err := runAs(cmd, c.runAs); err != nil {
			return err
		}
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(bin), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// findBinaries looks for initdb and pg_ctl on PATH, then in the newest of
// Debian's versioned directories.
func findBinaries() (initdb, pgCtl string, err error) {
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return initdb, pgCtl, nil
	}
	dirs, _ := filepath.Glob(binDirs)
	slices.SortFunc(dirs, func(a, b string) int { return majorVersion(a) - majorVersion(b) })
	for _, dir := range slices.Backward(dirs) {
		initdb, pgCtl = filepath.Join(dir, "initdb"), filepath.Join(dir, "pg_ctl")
		if isFile(initdb) && isFile(pgCtl) {
			return initdb, pgCtl, nil
		}
	}
	return "", "", fmt.Errorf("initdb and pg_ctl are neither on PATH nor in %s", binDirs)
}

// majorVersion reads 15 from /usr/lib/postgresql/15/bin.
func majorVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
