package cli

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// barWidth is the number of cells of the progress bar.
const barWidth = 30

// progressBar redraws one terminal line: bar, rows deleted, rate and ETA. The
// ETA comes from the expired count taken at the start; sessions that expire
// during the run are not in it, so the bar is clamped at 100%.
type progressBar struct {
	w     io.Writer
	total int64
	drawn bool
}

func (b *progressBar) draw(done int64, elapsed time.Duration) {
	total := max(b.total, done)
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	filled := int(frac * barWidth)
	eta := "--"
	if done > 0 && elapsed > 0 {
		left := time.Duration(float64(total-done) / float64(done) * float64(elapsed))
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r[%s%s] %5.1f%%  %d/%d rows  %s  ETA %s\x1b[K",
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), 100*frac, done, total, rate(done, elapsed), eta)
	b.drawn = true
}

// finish ends the bar's line so that what follows starts on a fresh one.
func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}

// rate formats a deletion rate.
func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "-- rows/s"
	}
	return fmt.Sprintf("%.0f rows/s", float64(n)/d.Seconds())
}

// count formats n things: "1 session", "2 sessions", "3 batches".
func count(n int64, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "s"):
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
