package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"slices"
	"time"

	"github.com/sessiongen/sessiongen/pgstore"
)

// poolCell is pgstore.Save at one client count on one pool size, one
// measurement per round, and the server's own figure for as many
// connections: pgbench running the same UPDATE on min(clients, size)
// connections, measured next to it in the same round.
type poolCell struct {
	clients, size int
	runs          []driven
	pgbench       []float64
	loads         []float64
}

// poolTable measures pgstore.Save at every client count on a pool of every
// size in cfg.poolSizes. The sizes alternate within a round (the order
// rotating from round to round), so that each client count compares pool
// sizes under the same conditions.
func (m *measurer) poolTable(ctx context.Context) ([]*poolCell, error) {
	var cells []*poolCell
	for _, n := range m.cfg.clients {
		row := map[int]*poolCell{}
		for _, size := range m.cfg.poolSizes {
			row[size] = &poolCell{clients: n, size: size}
			cells = append(cells, row[size])
		}
		for rep := range m.cfg.reps {
			for k := range m.cfg.poolSizes {
				size := m.cfg.poolSizes[(rep+k)%len(m.cfg.poolSizes)]
				if err := resetVersions(ctx, m.pool); err != nil {
					return nil, err
				}
				log.Printf("Save, %d clients, pool of %d, round %d", n, size, rep+1)
				load := loadAverage()
				d, err := m.saveOnPool(ctx, n, size)
				if err != nil {
					return nil, err
				}
				log.Printf("  %.0f/s, p50 %v, p99 %v", d.opsPerSec, d.p50, d.p99)
				conns := min(n, size)
				log.Printf("Save, pgbench on %d connections, round %d", conns, rep+1)
				tps, err := m.pgbenchSave(ctx, conns)
				if err != nil {
					return nil, err
				}
				log.Printf("  %.0f/s", tps)
				c := row[size]
				c.runs = append(c.runs, d)
				c.pgbench = append(c.pgbench, tps)
				c.loads = append(c.loads, load, loadAverage())
			}
		}
	}
	return cells, nil
}

// saveOnPool drives pgstore.Save at n clients on a pool of size
// connections of its own, closed afterwards: the pools of all sizes held open
// at once would take more connections than a shared server allows.
func (m *measurer) saveOnPool(ctx context.Context, n, size int) (driven, error) {
	pool, err := openPool(ctx, m.db.URL, size)
	if err != nil {
		return driven{}, err
	}
	defer pool.Close()
	return drive(ctx, n, m.cfg.duration, ourSave(pgstore.New(pool), m.cfg.rows, n, m.data, m.exp))
}

// poolReport writes the pool-size table: medians over the rounds, each
// size's throughput against the first size's in the same rounds, and the same
// for pgbench on as many connections: how far the server itself goes with
// more connections, which bounds what a bigger pool can give.
func poolReport(w io.Writer, cfg config, command, machine string, cells []*poolCell) {
	fmt.Fprintf(w, "Command: `%s`: pgstore.Save, %s per measurement, %d rows of %d B, %d rounds per cell (pool sizes alternate, order rotating).\n\n%s\n\n",
		command, cfg.duration, cfg.rows, dataSize, cfg.reps, machine)
	fmt.Fprintf(w, "| clients | pool size | Save/s | vs pool of %d | p50 | p99 | pgbench, min(clients, size) connections | pgstore / pgbench | pgbench vs %d connections | load average |\n",
		cfg.poolSizes[0], cfg.poolSizes[0])
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	var first *poolCell
	for _, c := range cells {
		if c.size == cfg.poolSizes[0] {
			first = c
		}
		pick := func(f func(driven) float64, runs []driven) []float64 {
			var v []float64
			for _, d := range runs {
				v = append(v, f(d))
			}
			return v
		}
		ops := func(d driven) float64 { return d.opsPerSec }
		var ratios, ofPgbench, pgbenchRatios []float64
		for i, d := range c.runs {
			ratios = append(ratios, d.opsPerSec/first.runs[i].opsPerSec)
			ofPgbench = append(ofPgbench, d.opsPerSec/c.pgbench[i])
			pgbenchRatios = append(pgbenchRatios, c.pgbench[i]/first.pgbench[i])
		}
		spread := func(v []float64) string {
			return fmt.Sprintf("%.2f (%.2f-%.2f)", median(v), slices.Min(v), slices.Max(v))
		}
		times := func(v []float64) string {
			return fmt.Sprintf("%.2fx (%.2f-%.2f)", median(v), slices.Min(v), slices.Max(v))
		}
		ms := func(f func(driven) time.Duration) string {
			return fmt.Sprintf("%.1f ms", median(pick(func(d driven) float64 { return float64(f(d)) / 1e6 }, c.runs)))
		}
		fmt.Fprintf(w, "| %d | %d | %.0f | %s | %s | %s | %.0f | %s | %s | %.1f-%.1f |\n", c.clients, c.size,
			median(pick(ops, c.runs)), times(ratios),
			ms(func(d driven) time.Duration { return d.p50 }), ms(func(d driven) time.Duration { return d.p99 }),
			median(c.pgbench), spread(ofPgbench), times(pgbenchRatios),
			slices.Min(c.loads), slices.Max(c.loads))
	}
}
