package cleanup

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// cases picks the sub-benchmarks: batch:duty pairs, comma-separated, e.g.
// go test -bench Cleanup ./cleanup/ -args -cases 500:1,1000:1
var cases = flag.String("cases", "250:1,1000:1,5000:1", "batch:duty pairs to run")

// waits logs what the load backends wait on (see sampleWaits).
var waits = flag.Bool("waits", false, "sample pg_stat_activity wait events of the loads")

// benchCase is one cleanup configuration.
type benchCase struct {
	batch int
	duty  float64
}

func benchCases(b *testing.B) []benchCase {
	var out []benchCase
	for _, f := range strings.Split(*cases, ",") {
		bs, ds, ok := strings.Cut(strings.TrimSpace(f), ":")
		batch, err1 := strconv.Atoi(bs)
		duty, err2 := strconv.ParseFloat(ds, 64)
		if !ok || err1 != nil || err2 != nil || batch <= 0 || duty <= 0 || duty > 1 {
			b.Fatalf("-cases: %q is not batch:duty", f)
		}
		out = append(out, benchCase{batch, duty})
	}
	return out
}

func (c benchCase) String() string { return fmt.Sprintf("batch=%d/duty=%v", c.batch, c.duty) }
