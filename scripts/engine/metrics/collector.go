package metrics

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CollectorOptions configure aggregation.
type CollectorOptions struct {
	// Thresholds by selector as options.thresholds has them.
	Thresholds map[string][]ThresholdConfig
	// TrendStats are the keys a trend's summary values carry (summaryTrendStats), default
	// avg min med max p(90) p(95). "count" is allowed.
	TrendStats []string
	// Start is when the test run started, for counters' rate in Evaluate; zero means when
	// NewCollector was called.
	Start time.Time
}

var defaultTrendStats = []string{"avg", "min", "med", "max", "p(90)", "p(95)"}

// Collector aggregates every sample for the summary and the thresholds. Add is safe for concurrent
// use and cheap: one histogram and one set of counters per metric and per selector with thresholds,
// shared by all VUs.
type Collector struct {
	registry   *Registry
	trendStats []string
	// trendRanks holds the rank fraction of every percentile among trendStats (med included).
	trendRanks map[string]rankFraction
	start      time.Time

	checksMetric, groupDurationMetric *Metric
	checks                            checkTally

	// states is indexed by Metric.index-1; it only grows, copy-on-write under grow.
	states atomic.Pointer[[]*metricState]
	grow   sync.Mutex

	// selectors are the selectors with thresholds, sorted by source.
	selectors []*selectorState
}

// metricState is the aggregation of one metric.
type metricState struct {
	metric    *Metric
	aggregate sink
	// filtered routes samples to the threshold selectors of this metric with a tag filter.
	filtered selectorMatcher
}

// selectorState is one selector with thresholds and its own aggregation (for a selector without a
// tag filter, the metric's aggregate).
type selectorState struct {
	selector   Selector
	metric     *Metric
	thresholds []Threshold
	// exactLimits[i] is the exact rational limit of thresholds[i] (rates are compared exactly).
	exactLimits []*big.Rat
	// limits are the distinct limits of the thresholds, counted exactly by a trend sink.
	limits []float64
	sink   sink
}

// NewCollector validates the thresholds (unknown metric, bad selector or expression, a statistic the
// metric's type does not have: an error quoting selector and expression).
func NewCollector(registry *Registry, options CollectorOptions) (*Collector, error) {
	c := &Collector{
		registry:            registry,
		trendStats:          options.TrendStats,
		trendRanks:          map[string]rankFraction{},
		start:               options.Start,
		checksMetric:        registry.Builtins().Checks,
		groupDurationMetric: registry.Builtins().GroupDuration,
	}
	if len(c.trendStats) == 0 {
		c.trendStats = defaultTrendStats
	}
	c.trendStats = slices.Clone(c.trendStats)
	if c.start.IsZero() {
		c.start = time.Now()
	}
	for _, stat := range c.trendStats {
		rank, err := parseTrendStat(stat)
		if err != nil {
			return nil, err
		}
		if rank != (rankFraction{}) {
			c.trendRanks[stat] = rank
		}
	}

	sources := make([]string, 0, len(options.Thresholds))
	for source := range options.Thresholds {
		sources = append(sources, source)
	}
	sort.Strings(sources)
	for _, source := range sources {
		selector, err := newSelectorState(registry, source, options.Thresholds[source])
		if err != nil {
			return nil, err
		}
		c.selectors = append(c.selectors, selector)
	}

	metrics := registry.All()
	states := make([]*metricState, len(metrics))
	for i, metric := range metrics {
		states[i] = c.newMetricState(metric)
	}
	c.states.Store(&states)
	return c, nil
}

var trendPercentilePattern = regexp.MustCompile(`^p\(([0-9]+(?:\.[0-9]+)?)\)$`)

// parseTrendStat validates one summaryTrendStats entry and returns its rank for med and p(N).
func parseTrendStat(stat string) (rankFraction, error) {
	switch stat {
	case "avg", "min", "max", "count":
		return rankFraction{}, nil
	case "med":
		return rankFraction{numerator: 50, denominator: 100}, nil
	}
	if match := trendPercentilePattern.FindStringSubmatch(stat); match != nil {
		rank, err := parseRankFraction(match[1])
		if err != nil {
			return rankFraction{}, fmt.Errorf("summaryTrendStats: %q: %v", stat, err)
		}
		return rank, nil
	}
	return rankFraction{}, fmt.Errorf("summaryTrendStats: unknown statistic %q (expected avg, min, med, max, count or p(N))", stat)
}

// statisticsByType are the statistics a threshold may use on each metric type.
var statisticsByType = map[Type][]string{
	Trend:   {"avg", "min", "med", "max", "count", "p(N)"},
	Counter: {"count", "rate"},
	Rate:    {"rate"},
	Gauge:   {"value", "min", "max"},
}

func newSelectorState(registry *Registry, source string, configs []ThresholdConfig) (*selectorState, error) {
	selector, err := ParseSelector(source)
	if err != nil {
		return nil, fmt.Errorf("thresholds: %v", err)
	}
	metric := registry.Lookup(selector.Metric)
	if metric == nil {
		return nil, fmt.Errorf("thresholds: unknown metric %q in %q", selector.Metric, source)
	}
	state := &selectorState{selector: selector, metric: metric}
	for _, config := range configs {
		threshold, err := ParseThreshold(config)
		if err != nil {
			return nil, fmt.Errorf("thresholds: %q: %v", source, err)
		}
		statistic := threshold.Statistic
		if strings.HasPrefix(statistic, "p(") {
			statistic = "p(N)"
		}
		allowed := statisticsByType[metric.Type]
		if !slices.Contains(allowed, statistic) {
			return nil, fmt.Errorf("thresholds: %q: %q: %s is not a statistic of %s metrics (use %s)",
				source, threshold.Source, threshold.Statistic, metric.Type, strings.Join(allowed, ", "))
		}
		exact, ok := new(big.Rat).SetString(strings.TrimPrefix(threshold.limitText, "+"))
		if !ok {
			exact = new(big.Rat).SetFloat64(threshold.Limit)
		}
		state.thresholds = append(state.thresholds, threshold)
		state.exactLimits = append(state.exactLimits, exact)
		if metric.Type == Trend && !slices.Contains(state.limits, threshold.Limit) {
			state.limits = append(state.limits, threshold.Limit)
		}
	}
	return state, nil
}

func (c *Collector) newMetricState(metric *Metric) *metricState {
	state := &metricState{metric: metric}
	for _, selector := range c.selectors {
		if selector.metric != metric {
			continue
		}
		// The first selector without a tag filter shares the metric's aggregate.
		if selector.selector.Tags == nil && state.aggregate == nil {
			state.aggregate = newSink(metric.Type, selector.limits)
			selector.sink = state.aggregate
			continue
		}
		selector.sink = newSink(metric.Type, selector.limits)
		state.filtered.addSelector(selector)
	}
	if state.aggregate == nil {
		state.aggregate = newSink(metric.Type, nil)
	}
	return state
}

// Add aggregates samples. NaN values are dropped.
func (c *Collector) Add(samples ...Sample) {
	states := *c.states.Load()
	for i := range samples {
		sample := &samples[i]
		if sample.Metric == nil || sample.Value != sample.Value {
			continue
		}
		var state *metricState
		if index := sample.Metric.index - 1; index >= 0 && index < len(states) && states[index].metric == sample.Metric {
			state = states[index]
		} else if state = c.lateState(sample.Metric); state == nil {
			continue
		} else {
			states = *c.states.Load()
		}

		state.aggregate.add(sample.Value)
		if len(state.filtered.selectors) > 0 {
			state.filtered.add(sample.Tags, sample.Value)
		}
		switch state.metric {
		case c.checksMetric:
			c.checks.addCheck(sample.Tags, sample.Value != 0)
		case c.groupDurationMetric:
			c.checks.addGroup(sample.Tags)
		}
	}
}

// lateState finds the state of a metric defined after NewCollector (a VU's init context may define
// a metric the first VU did not), or of a Metric value copied from a registered one.
func (c *Collector) lateState(metric *Metric) *metricState {
	registered := c.registry.Lookup(metric.Name)
	if registered == nil || registered.Type != metric.Type {
		return nil
	}
	c.grow.Lock()
	defer c.grow.Unlock()
	states := *c.states.Load()
	if index := registered.index - 1; index < len(states) {
		return states[index]
	}
	all := c.registry.All()
	grown := make([]*metricState, len(all))
	copy(grown, states)
	for i := len(states); i < len(all); i++ {
		grown[i] = c.newMetricState(all[i])
	}
	c.states.Store(&grown)
	return grown[registered.index-1]
}

// metricStates returns the aggregation of every metric known so far, in registration order.
func (c *Collector) metricStates() []*metricState {
	return *c.states.Load()
}
