// Package metrics holds the engine's metric registry, the aggregation of samples (HDR histograms plus
// exact counters for threshold limits), threshold parsing and exact evaluation, the end-of-test
// summary in the shape handleSummary receives, and the JSON-lines sample stream.
//
// Files: tagset.go (TagSet), registry.go (Registry, builtins), threshold.go (ParseThreshold,
// ParseDuration), selector.go (ParseSelector), sinks.go (per-metric aggregation), collector.go
// (Collector.Add), checks.go (check results by group), evaluate.go (Evaluate), summary.go
// (Summary), jsonlines.go (JSONLines).
package metrics

import "time"

// Type is a metric's kind, spelled as in the summary.
type Type string

const (
	Counter Type = "counter"
	Gauge   Type = "gauge"
	Rate    Type = "rate"
	Trend   Type = "trend"
)

// Contains says what a metric's values are.
type Contains string

const (
	Default Contains = "default"
	Time    Contains = "time" // milliseconds
	Data    Contains = "data" // bytes
)

// Metric is a registered metric. Pointers are stable for the whole run.
type Metric struct {
	Name     string
	Type     Type
	Contains Contains
	index    int // 1-based position in its registry; 0 for a Metric not made by a registry
}

// Sample is one observed value. Tags may be nil (no tags).
type Sample struct {
	Metric *Metric
	Time   time.Time
	Value  float64
	Tags   *TagSet
}

// Sink receives samples; implementations are safe for concurrent use.
type Sink interface {
	Add(samples ...Sample)
}

// Fanout sends samples to every sink.
type Fanout []Sink

func (f Fanout) Add(samples ...Sample) {
	for _, sink := range f {
		sink.Add(samples...)
	}
}
