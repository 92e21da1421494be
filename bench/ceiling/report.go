package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// describeMachine says what the figures were measured on.
func describeMachine(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var pgVersion string
	if err := pool.QueryRow(ctx, "SELECT version()").Scan(&pgVersion); err != nil {
		return "", err
	}
	var settings []string
	for _, name := range []string{"shared_buffers", "synchronous_commit", "fsync", "max_connections"} {
		var v string
		if err := pool.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			return "", err
		}
		settings = append(settings, name+"="+v)
	}
	var tls bool
	if err := pool.QueryRow(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&tls); err != nil {
		return "", err
	}
	settings = append(settings, fmt.Sprintf("connection over TLS: %v (sslmode from the URL, libpq/pgx default prefer, for pgbench and pgx alike)", tls))
	pgbench, _ := exec.CommandContext(ctx, "pgbench", "--version").Output()
	return fmt.Sprintf("- CPU: %s, nproc %d (shared with other work during the run)\n- memory: %s\n- PostgreSQL: %s (%s)\n- %s\n- Go: %s %s/%s",
		procField("/proc/cpuinfo", "model name"), runtime.NumCPU(), procField("/proc/meminfo", "MemTotal"),
		pgVersion, strings.Join(settings, ", "), strings.TrimSpace(string(pgbench)),
		runtime.Version(), runtime.GOOS, runtime.GOARCH), nil
}

// procField returns the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// report writes the markdown table.
func report(w io.Writer, cfg config, command, machine string, rows []row) {
	fmt.Fprintf(w, "Command: `%s`: %s per measurement, %d rows of %d B, median of %d alternating repetitions per cell.\n\n%s\n\n",
		command, cfg.duration, cfg.rows, dataSize, cfg.reps, machine)
	if cfg.raw {
		fmt.Fprintln(w, "| workload | clients | pgbench tps | pgstore ops/s | pgstore / pgbench | raw pgx ops/s | raw pgx / pgbench |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Fprintln(w, "| workload | clients | pgbench tps | pgstore ops/s | pgstore / pgbench |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	}
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.2f |", r.workload, r.clients, r.pgbench, r.ours, r.ours/r.pgbench)
		if cfg.raw {
			fmt.Fprintf(w, " %.0f | %.2f |", r.raw, r.raw/r.pgbench)
		}
		fmt.Fprintln(w)
	}
}
