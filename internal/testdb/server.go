package testdb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// pingTimeout bounds the check whether the default server answers before a
// throwaway cluster is started instead. A server named by EnvURL has no
// fallback, so it gets configuredPingTimeout: a test binary under valgrind
// (bench/ceiling/callgrind.sh) runs some 50x slower.
const (
	pingTimeout           = 3 * time.Second
	configuredPingTimeout = 60 * time.Second
)

// findServer connects to the configured server, or starts a throwaway cluster
// when the default one does not answer.
func findServer() (*pgxpool.Pool, string, *throwaway, error) {
	target, fromEnv := os.LookupEnv(EnvURL)
	if !fromEnv || target == "" {
		target, fromEnv = DefaultURL, false
	}
	timeout := pingTimeout
	if fromEnv {
		timeout = configuredPingTimeout
	}
	pool, err := open(target, timeout)
	if err == nil {
		return pool, target, nil, nil
	}
	if fromEnv {
		return nil, "", nil, fmt.Errorf("testdb: %s=%q does not answer: %v", EnvURL, target, err)
	}
	c, startErr := startThrowaway()
	if startErr != nil {
		return nil, "", nil, fmt.Errorf("testdb: no PostgreSQL server answers at %s (%v), and none could be started: %v. "+
			"Start one, set %s to a server URL, or install the PostgreSQL server binaries (initdb, pg_ctl; "+
			"Debian/Ubuntu: apt-get install postgresql)", DefaultURL, err, startErr, EnvURL)
	}
	pool, err = open(c.url, pingTimeout)
	if err != nil {
		err = fmt.Errorf("testdb: throwaway cluster started but does not answer: %v (log: %s)", err, c.logTail())
		return nil, "", nil, errors.Join(err, c.stop())
	}
	return pool, c.url, c, nil
}

// open returns a pool on serverURL once a round trip to it has succeeded
// within timeout.
func open(serverURL string, timeout time.Duration) (*pgxpool.Pool, error) {
	if _, err := url.Parse(serverURL); err != nil {
		return nil, fmt.Errorf("want a postgres:// URL: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	pool, err := pgxpool.New(ctx, serverURL)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}
