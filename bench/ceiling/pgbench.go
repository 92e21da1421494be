package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// pgbenchResult is what one pgbench run reported.
type pgbenchResult struct {
	tps          float64
	transactions int64
	output       string
}

var (
	tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)
	txLine  = regexp.MustCompile(`(?m)^number of transactions actually processed: ([0-9]+)`)
)

// runPgbench runs script with clients connections and as many threads for d,
// in prepared mode, without pgbench's own vacuum (-n).
func runPgbench(ctx context.Context, dbURL, script string, clients int, d time.Duration, vars map[string]string) (pgbenchResult, error) {
	dir, err := os.MkdirTemp("", "ceiling-")
	if err != nil {
		return pgbenchResult{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		return pgbenchResult{}, err
	}
	args := []string{"-n", "-M", "prepared", "-T", strconv.Itoa(int(d.Seconds())),
		"-c", strconv.Itoa(clients), "-j", strconv.Itoa(clients), "-f", path}
	for k, v := range vars {
		args = append(args, "-D", k+"="+v)
	}
	cmd := exec.CommandContext(ctx, "pgbench", append(args, dbURL)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench: %w: %s", err, out.String())
	}
	res := pgbenchResult{output: out.String()}
	m, n := tpsLine.FindStringSubmatch(res.output), txLine.FindStringSubmatch(res.output)
	if m == nil || n == nil {
		return res, fmt.Errorf("pgbench: no tps in output: %s", res.output)
	}
	res.tps, _ = strconv.ParseFloat(m[1], 64)
	res.transactions, _ = strconv.ParseInt(n[1], 10, 64)
	return res, nil
}

// byteaLiteral is data in PostgreSQL's hex bytea input format.
func byteaLiteral(data []byte) string { return `\x` + hex.EncodeToString(data) }
