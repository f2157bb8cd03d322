package metrics

import (
	"strconv"
	"time"
)

// SummaryInput is what the summary needs besides the samples.
type SummaryInput struct {
	TestRunDuration time.Duration
	IsStdOutTTY     bool
	IsStdErrTTY     bool
	Results         []ThresholdResult // from the final Evaluate; nil evaluates now
	// Histograms adds "histogram": [[upper edge µs, count], …] (non-empty buckets, ascending) to every
	// trend entry: runners' histograms add, so merged percentiles read as one process's would.
	Histograms bool
}

// Summary returns handleSummary's data: {options, state, metrics, root_group}. metrics[selector] is
// {type, contains, values, thresholds?: {expr: {ok}}, exact?}; every metric with samples appears,
// and every selector with thresholds appears even without samples. exact (only beside thresholds) is
// {samples, nonZero (rates), limits: {"<limit>": {below, atOrBelow}} (trends)}.
// A trend selector's values also carry the statistics its thresholds use (e.g. p(99)).
func (c *Collector) Summary(input SummaryInput) map[string]any {
	results := input.Results
	if results == nil {
		results = c.Evaluate()
	}
	verdicts := make(map[[2]string]bool, len(results))
	for _, result := range results {
		verdicts[[2]string{result.Selector, result.Threshold.Source}] = result.OK
	}

	metrics := map[string]any{}
	for _, state := range c.metricStates() {
		if state.aggregate.snapshot().samples > 0 {
			metrics[state.metric.Name] = c.metricSummary(state.metric, state.aggregate, nil, input.TestRunDuration, nil)
			addHistogram(metrics[state.metric.Name], state.aggregate, input.Histograms)
		}
	}
	for _, selector := range c.selectors {
		metrics[selector.selector.Source] = c.metricSummary(selector.metric, selector.sink, selector, input.TestRunDuration, verdicts)
		addHistogram(metrics[selector.selector.Source], selector.sink, input.Histograms)
	}

	trendStats := make([]any, len(c.trendStats))
	for i, stat := range c.trendStats {
		trendStats[i] = stat
	}
	return map[string]any{
		"options": map[string]any{
			"summaryTrendStats": trendStats,
			"summaryTimeUnit":   "",
			"noColor":           false,
		},
		"state": map[string]any{
			"isStdOutTTY":       input.IsStdOutTTY,
			"isStdErrTTY":       input.IsStdErrTTY,
			"testRunDurationMs": float64(input.TestRunDuration) / float64(time.Millisecond),
		},
		"root_group": c.checks.rootGroup(),
		"metrics":    metrics,
	}
}

// metricSummary is one metrics[...] entry; selector is nil for a metric's plain aggregate.
func (c *Collector) metricSummary(metric *Metric, from sink, selector *selectorState, duration time.Duration, verdicts map[[2]string]bool) map[string]any {
	values := map[string]any{}
	var snap aggregate
	switch metric.Type {
	case Trend:
		ranks := make(map[string]rankFraction, len(c.trendRanks))
		for stat, rank := range c.trendRanks {
			ranks[stat] = rank
		}
		stats := c.trendStats
		if selector != nil {
			stats = append([]string(nil), stats...)
			for _, threshold := range selector.thresholds {
				if threshold.rank != (rankFraction{}) {
					ranks[threshold.Statistic] = threshold.rank
				}
				stats = append(stats, threshold.Statistic)
			}
		}
		fractions := make([]rankFraction, 0, len(ranks))
		for _, rank := range ranks {
			fractions = append(fractions, rank)
		}
		snap = from.(*trendSink).snapshotWith(fractions)
		for _, stat := range stats {
			values[stat] = trendValue(stat, snap, ranks)
		}
	case Counter:
		snap = from.snapshot()
		values["count"] = snap.sum
		values["rate"] = 0.0
		if seconds := duration.Seconds(); seconds > 0 {
			values["rate"] = snap.sum / seconds
		}
	case Rate:
		snap = from.snapshot()
		values["rate"] = 0.0
		if snap.samples > 0 {
			values["rate"] = float64(snap.nonZero) / float64(snap.samples)
		}
		values["passes"] = snap.nonZero
		values["fails"] = snap.samples - snap.nonZero
	case Gauge:
		snap = from.snapshot()
		values["value"] = snap.last
		values["min"] = snap.min
		values["max"] = snap.max
	}

	entry := map[string]any{"type": string(metric.Type), "contains": string(metric.Contains), "values": values}
	if selector == nil || len(selector.thresholds) == 0 {
		return entry
	}
	thresholds := map[string]any{}
	for _, threshold := range selector.thresholds {
		thresholds[threshold.Source] = map[string]any{"ok": verdicts[[2]string{selector.selector.Source, threshold.Source}]}
	}
	entry["thresholds"] = thresholds
	exact := map[string]any{"samples": snap.samples}
	switch metric.Type {
	case Rate:
		exact["nonZero"] = snap.nonZero
	case Trend:
		if len(selector.limits) > 0 {
			limits := map[string]any{}
			for i, limit := range selector.limits {
				limits[strconv.FormatFloat(limit, 'f', -1, 64)] = map[string]any{
					"below":     snap.below[i],
					"atOrBelow": snap.atOrBelow[i],
				}
			}
			exact["limits"] = limits
		}
	}
	entry["exact"] = exact
	return entry
}

func trendValue(stat string, snap aggregate, ranks map[string]rankFraction) float64 {
	switch stat {
	case "avg":
		if snap.samples == 0 {
			return 0
		}
		return snap.sum / float64(snap.samples)
	case "min":
		return snap.min
	case "max":
		return snap.max
	case "count":
		return float64(snap.samples)
	}
	return snap.percentiles[ranks[stat].of(snap.samples)]
}

func addHistogram(entry any, from sink, wanted bool) {
	trend, ok := from.(*trendSink)
	if !wanted || !ok {
		return
	}
	entry.(map[string]any)["histogram"] = trend.buckets()
}
