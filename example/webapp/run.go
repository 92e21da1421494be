// Package webapp is the example shop: its handlers, pages and Main. The
// example command (./example) runs it; a build with another store registered
// with storeurl (redisstore/cmd/example, for Redis) runs the same app by
// calling Main.
package webapp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sessiongen/sessiongen/storeurl"
)

// defaultDatabase is the SQLite file used when neither -database-url nor
// DATABASE_URL is set.
const defaultDatabase = "sessiongen-example.db"

// Bounds that keep a slow database or client from hanging the app.
const (
	startTimeout    = 30 * time.Second
	shutdownTimeout = 10 * time.Second
)

// Main runs the example as a command: it serves until SIGINT or SIGTERM and
// exits non-zero on an error.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return
	case err != nil:
		fmt.Fprintln(os.Stderr, "example:", err)
		stop()
		os.Exit(1)
	}
}

// Run parses args, opens and migrates the database, and serves until ctx ends.
// The first line on stdout is the URL to open (tests read it).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("example", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "listen `address` (port 0 picks a free port)")
	// No default value: -h would print it, and DATABASE_URL may hold a password.
	databaseURL := flags.String("database-url", "",
		"database `URL`: postgres://..., mysql://..., sqlite://path, path.db or dir://path (default $DATABASE_URL, else "+defaultDatabase+")")
	clientIPHeader := flags.String("client-ip-header", "",
		"`header` a trusted reverse proxy sets with the client's address (X-Forwarded-For, X-Real-IP, Forwarded, ...), for the devices page; default: the connection's address")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *databaseURL == "" {
		*databaseURL = envOr("DATABASE_URL", defaultDatabase)
	}

	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	db, err := storeurl.Open(startCtx, *databaseURL)
	if err != nil {
		return fmt.Errorf("opening %s: %w", storeurl.Redact(*databaseURL), err)
	}
	defer db.Close()
	if err := db.Migrate(startCtx); err != nil {
		return fmt.Errorf("migrating %s: %w", storeurl.Redact(*databaseURL), err)
	}

	a := newApp(db.Store)
	a.sessions.ClientIPHeader = *clientIPHeader
	if err := a.sessions.Check(); err != nil {
		return err
	}

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	server := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(stderr, nil), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "sessiongen example: http://%s/ (sessions in %s, %s)\n",
		listener.Addr(), storeurl.Redact(*databaseURL), db.Kind)

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancelShutdown()
	return server.Shutdown(shutdownCtx)
}

// envOr returns the environment variable name, or fallback when it is unset
// or empty.
func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
