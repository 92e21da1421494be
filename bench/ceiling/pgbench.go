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

// loadColumns are the columns our Load reads (gen/pgdb LoadSession).
const loadColumns = "key, owner, data, version, created_at, idle_expires_at, absolute_expires_at, prev_key, prev_expires_at"

// selectScript is a primary-key read of Load's columns, on a uniformly random
// row: the plain statement with nothing of our store's around it (no UNION
// ALL branch for rotated keys, no Go-side decoding).
func selectScript(rows int) string {
	return fmt.Sprintf(`\set id random(1, %d)
SELECT %s FROM sessiongen_sessions WHERE key = %s;
`, rows, loadColumns, keySQL)
}

// updateScript is a version-checked update like Save's: data, version and
// idle expiry, WHERE key AND version. Each pgbench client walks its own key
// range (see walk) with a per-client counter :i, so the version it names is
// always the current one; savedCount checks afterwards that every
// transaction pgbench counted did update its row.
func updateScript(rows, clients int) string {
	span := rows / clients
	return fmt.Sprintf(`\set id :client_id * %[1]d + :i %% %[1]d + 1
\set v 1 + :i / %[1]d
UPDATE sessiongen_sessions SET data = :data::bytea, version = version + 1, idle_expires_at = :idle::timestamptz
 WHERE key = %[2]s AND version = :v;
\set i :i + 1
`, span, keySQL)
}

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
