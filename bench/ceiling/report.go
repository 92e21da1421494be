package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
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
	for _, name := range []string{"shared_buffers", "synchronous_commit", "fsync", "max_connections", "commit_delay", "commit_siblings"} {
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
	return fmt.Sprintf("- CPU: %s, nproc %d (what else ran shows in the load average column)\n- memory: %s\n- PostgreSQL: %s (%s)\n- %s\n- Go: %s %s/%s",
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

// loadAverage is the 1-minute load average (0 when unknown).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return f
}

// median returns the median of v (the lower middle for an even count, so
// that it is always a measured value).
func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// ratio is the median and the range of a per-round ratio a/b.
func ratio(rounds []round, a, b string) string {
	var v []float64
	for _, r := range rounds {
		v = append(v, r.ops[a]/r.ops[b])
	}
	return fmt.Sprintf("**%.2f** (%.2f-%.2f)", median(v), slices.Min(v), slices.Max(v))
}

// report writes the markdown tables: medians per side, then the ratios of
// pgstore to pgbench and to raw pgx, computed per round (the sides of a round
// ran within a minute of each other) with their median and range.
func report(w io.Writer, cfg config, command, machine string, rows []row) {
	fmt.Fprintf(w, "Command: `%s`: %s per measurement, %d rows of %d B, %d rounds per cell (sides alternate, order rotating).\n\n%s\n\n",
		command, cfg.duration, cfg.rows, dataSize, cfg.reps, machine)
	fmt.Fprintln(w, "| workload | clients | pgbench tps | raw pgx ops/s | raw pgx, no scan | pgstore ops/s | pgstore / pgbench | pgstore / raw pgx | raw pgx / pgbench | load average |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rows {
		med := func(side string) string {
			if !slices.Contains(r.sides, side) {
				return "—"
			}
			var v []float64
			for _, rd := range r.rounds {
				v = append(v, rd.ops[side])
			}
			return fmt.Sprintf("%.0f", median(v))
		}
		var loads []float64
		for _, rd := range r.rounds {
			loads = append(loads, rd.loadBefore, rd.loadAfter)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %.1f-%.1f |\n", r.workload, r.clients,
			med(sidePgbench), med(sideRaw), med(sideBare), med(sideStore),
			ratio(r.rounds, sideStore, sidePgbench), ratio(r.rounds, sideStore, sideRaw), ratio(r.rounds, sideRaw, sidePgbench),
			slices.Min(loads), slices.Max(loads))
	}
	fmt.Fprintln(w, "\nRatios: median of the per-round ratios, (min-max) over the rounds. Medians per side: median over the rounds.")
	fmt.Fprintln(w, "\nEvery round (operations per second; the sides are listed in a fixed order, they ran in rotating order):")
	fmt.Fprintln(w)
	for _, r := range rows {
		for i, rd := range r.rounds {
			fmt.Fprintf(w, "- %s, %d clients, round %d (load %.1f → %.1f):", r.workload, r.clients, i+1, rd.loadBefore, rd.loadAfter)
			for _, s := range r.sides {
				fmt.Fprintf(w, " %s %.0f;", s, rd.ops[s])
			}
			fmt.Fprintln(w)
		}
	}
}
