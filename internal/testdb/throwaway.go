package testdb

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// throwaway is a PostgreSQL cluster that testdb started in a temporary
// directory. It listens only on a unix socket in that directory, so it never
// clashes with another server or another test process.
type throwaway struct {
	dir   string // socket directory and parent of data/
	pgCtl string
	runAs *user.User // nil: run as the current user
	url   string
}

// binDirs is where Debian and Ubuntu install the server binaries, which are
// not on PATH.
const binDirs = "/usr/lib/postgresql/*/bin"

// startThrowaway initialises and starts a cluster tuned for tests (no fsync:
// the data dies with the test process anyway).
func startThrowaway() (*throwaway, error) {
	initdb, pgCtl, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sessiongen-pg-")
	if err != nil {
		return nil, err
	}
	c := &throwaway{dir: dir, pgCtl: pgCtl}
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
	opts := fmt.Sprintf("-h '' -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off", dir)
	if err := c.run(pgCtl, "-D", data, "-l", c.logPath(), "-o", opts, "-w", "start"); err != nil {
		err = fmt.Errorf("%w (log: %s)", err, c.logTail())
		os.RemoveAll(dir)
		return nil, err
	}
	c.url = "postgres://postgres@/postgres?host=" + url.QueryEscape(dir)
	return c, nil
}

// stop shuts the cluster down and removes its directory.
func (c *throwaway) stop() error {
	err := c.run(c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(c.dir))
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
