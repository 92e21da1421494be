package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"time"
)

// runs collects every repetition before the median is chosen.
var runs = map[string][]result{}

// keepMedian stores r and, after the last repetition, keeps the run with the
// median throughput of its side and client count in table.
func keepMedian(table map[string]map[int]result, name string, clients int, r result, rep, reps int) {
	id := name + "/" + strconv.Itoa(clients)
	runs[id] = append(runs[id], r)
	if rep < reps-1 {
		return
	}
	all := runs[id]
	slices.SortFunc(all, func(a, b result) int {
		switch {
		case a.throughput() < b.throughput():
			return -1
		case a.throughput() > b.throughput():
			return 1
		}
		return 0
	})
	if table[name] == nil {
		table[name] = map[int]result{}
	}
	table[name][clients] = all[len(all)/2]
}

func report(w io.Writer, cfg config, command string, sides []side, table map[string]map[int]result) {
	fmt.Fprintf(w, "Command: `%s` (%s per run, %d run(s) per side and client count, median kept; %.0f%% writes). Go %s, nproc %d.\n\n",
		command, cfg.duration, cfg.reps, cfg.writeShare*100, runtime.Version(), runtime.NumCPU())
	ours, peer := sides[0].name, sides[1].name
	fmt.Fprintf(w, "| clients | %[1]s req/s | %[2]s req/s | ratio | %[1]s p50 / p99 | %[2]s p50 / p99 | errors (ours / scs) |\n", ours, peer)
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range cfg.clients {
		a, b := table[ours][n], table[peer][n]
		fmt.Fprintf(w, "| %d | %.0f | %.0f | %.2fx | %s / %s | %s / %s | %d / %d |\n", n,
			a.throughput(), b.throughput(), a.throughput()/b.throughput(),
			ms(a.percentile(50)), ms(a.percentile(99)), ms(b.percentile(50)), ms(b.percentile(99)), a.errors, b.errors)
	}
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + " ms" }
