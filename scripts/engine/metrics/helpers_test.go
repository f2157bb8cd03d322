package metrics

import (
	"testing"
	"time"
)

var testTime = time.Date(2026, 11, 22, 1, 52, 29, 560862621, time.UTC)

// newTestCollector builds a collector on a fresh registry with string thresholds.
func newTestCollector(t testing.TB, thresholds map[string][]string, define ...func(*Registry)) (*Registry, *Collector) {
	t.Helper()
	registry := NewRegistry()
	for _, fn := range define {
		fn(registry)
	}
	configs := map[string][]ThresholdConfig{}
	for selector, expressions := range thresholds {
		for _, expression := range expressions {
			configs[selector] = append(configs[selector], ThresholdConfig{Threshold: expression})
		}
	}
	collector, err := NewCollector(registry, CollectorOptions{Thresholds: configs})
	if err != nil {
		t.Fatalf("NewCollector: %v", err)
	}
	return registry, collector
}

func addValues(c *Collector, metric *Metric, tags *TagSet, values ...float64) {
	for _, value := range values {
		c.Add(Sample{Metric: metric, Time: testTime, Value: value, Tags: tags})
	}
}

func repeat(value float64, n int) []float64 {
	values := make([]float64, n)
	for i := range values {
		values[i] = value
	}
	return values
}

func sequence(from, to int) []float64 {
	var values []float64
	for v := from; v <= to; v++ {
		values = append(values, float64(v))
	}
	return values
}

// verdicts maps "selector threshold" to the threshold's verdict.
func verdicts(results []ThresholdResult) map[string]bool {
	out := map[string]bool{}
	for _, result := range results {
		out[result.Selector+" "+result.Threshold.Source] = result.OK
	}
	return out
}

func resultFor(t *testing.T, results []ThresholdResult, selector, source string) ThresholdResult {
	t.Helper()
	for _, result := range results {
		if result.Selector == selector && result.Threshold.Source == source {
			return result
		}
	}
	t.Fatalf("no result for %s %s", selector, source)
	return ThresholdResult{}
}
