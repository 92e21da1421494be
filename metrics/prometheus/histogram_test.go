package prometheus

import (
	"testing"

	prom "github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// histogramOf reads a histogram's current state.
func histogramOf(t *testing.T, h prom.Histogram) *dto.Histogram {
	t.Helper()
	var m dto.Metric
	if err := h.(prom.Metric).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram()
}
