package metrics

import (
	"math/big"
	"time"
)

// ThresholdResult is one threshold after evaluation.
type ThresholdResult struct {
	Selector  string
	Threshold Threshold
	OK        bool
	// Samples of the selector when judged; Observed is the statistic's value (percentiles from the
	// histogram), reported beside the exact verdict.
	Samples  int64
	Observed float64
}

// Evaluate judges every threshold on the samples so far. Percentile thresholds are exact: with n
// samples and r = ceil(N*n/100) (integer arithmetic on N's decimal digits), p(N)<L passes when at
// least r samples are < L; <= when at least r are <= L; > when fewer than r are <= L; >= when fewer
// than r are < L; == when both counts straddle r. The other statistics are exact (sums, min, max).
// Results come sorted by selector, then in the order the thresholds were written.
func (c *Collector) Evaluate() []ThresholdResult {
	elapsed := time.Since(c.start)
	var results []ThresholdResult
	for _, selector := range c.selectors {
		snap := selector.snapshot()
		for i, threshold := range selector.thresholds {
			ok, observed := selector.judge(i, snap, elapsed)
			results = append(results, ThresholdResult{
				Selector:  selector.selector.Source,
				Threshold: threshold,
				OK:        ok,
				Samples:   snap.samples,
				Observed:  observed,
			})
		}
	}
	return results
}

// snapshot copies the selector's aggregate with the histogram values its thresholds need.
func (s *selectorState) snapshot() aggregate {
	trend, ok := s.sink.(*trendSink)
	if !ok {
		return s.sink.snapshot()
	}
	var ranks []rankFraction
	for _, threshold := range s.thresholds {
		if threshold.rank != (rankFraction{}) {
			ranks = append(ranks, threshold.rank)
		}
	}
	return trend.snapshotWith(ranks)
}

// judge returns the verdict of thresholds[i] and the statistic's observed value.
func (s *selectorState) judge(i int, snap aggregate, elapsed time.Duration) (bool, float64) {
	threshold := s.thresholds[i]
	n := snap.samples
	if threshold.rank != (rankFraction{}) {
		return s.judgePercentile(threshold, snap), snap.percentiles[threshold.rank.of(n)]
	}

	var observed float64
	switch s.metric.Type {
	case Trend:
		switch threshold.Statistic {
		case "avg":
			if n > 0 {
				observed = snap.sum / float64(n)
			}
		case "min":
			observed = snap.min
		case "max":
			observed = snap.max
		case "count":
			observed = float64(n)
		}
	case Counter:
		observed = snap.sum
		if threshold.Statistic == "rate" {
			observed = 0
			if seconds := elapsed.Seconds(); seconds > 0 {
				observed = snap.sum / seconds
			}
		}
	case Rate:
		// Compared as the exact fraction nonZero/n against the limit as written.
		if n == 0 {
			return compare(new(big.Rat).Cmp(s.exactLimits[i]), threshold.Operator), 0
		}
		rate := new(big.Rat).SetFrac64(snap.nonZero, n)
		return compare(rate.Cmp(s.exactLimits[i]), threshold.Operator), float64(snap.nonZero) / float64(n)
	case Gauge:
		switch threshold.Statistic {
		case "value":
			observed = snap.last
		case "min":
			observed = snap.min
		case "max":
			observed = snap.max
		}
	}
	return compareFloats(observed, threshold.Limit, threshold.Operator), observed
}

// judgePercentile applies the exact rule on the counts of samples below and at-or-below the limit.
func (s *selectorState) judgePercentile(threshold Threshold, snap aggregate) bool {
	r := threshold.rank.of(snap.samples)
	limit := -1
	for j, candidate := range s.limits {
		if candidate == threshold.Limit {
			limit = j
			break
		}
	}
	below, atOrBelow := snap.below[limit], snap.atOrBelow[limit]
	switch threshold.Operator {
	case "<":
		return below >= r
	case "<=":
		return atOrBelow >= r
	case ">":
		return atOrBelow < r
	case ">=":
		return below < r
	case "==":
		return below < r && r <= atOrBelow
	case "!=":
		return !(below < r && r <= atOrBelow)
	}
	return false
}

func compareFloats(observed, limit float64, operator string) bool {
	switch {
	case observed < limit:
		return compare(-1, operator)
	case observed > limit:
		return compare(1, operator)
	case observed == limit:
		return compare(0, operator)
	}
	return false // NaN
}

// compare applies the operator to the result of comparing the observed value with the limit.
func compare(cmp int, operator string) bool {
	switch operator {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case ">=":
		return cmp >= 0
	case "==":
		return cmp == 0
	case "!=":
		return cmp != 0
	}
	return false
}
