package metrics

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// sink aggregates the values of one metric, or of one threshold selector.
type sink interface {
	add(value float64)
	snapshot() aggregate
}

// aggregate is a consistent copy of a sink's state; for trends, with the histogram's values at the
// ranks asked for (see trendSink.snapshotWith), never the histogram itself.
type aggregate struct {
	samples int64
	sum     float64 // counters and trends
	min     float64 // trends and gauges
	max     float64
	last    float64 // gauges
	nonZero int64   // rates
	// below[i] and atOrBelow[i] count the samples < and <= the sink's i-th limit (trends).
	below, atOrBelow []int64
	// percentiles maps a nearest rank to the histogram's value for it, in milliseconds.
	percentiles map[int64]float64
}

func newSink(typ Type, limits []float64) sink {
	switch typ {
	case Counter:
		return &counterSink{}
	case Gauge:
		return &gaugeSink{}
	case Rate:
		return &rateSink{}
	default:
		return newTrendSink(limits)
	}
}

type counterSink struct {
	mu      sync.Mutex
	samples int64
	sum     float64
}

func (s *counterSink) add(value float64) {
	s.mu.Lock()
	s.samples++
	s.sum += value
	s.mu.Unlock()
}

func (s *counterSink) snapshot() aggregate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return aggregate{samples: s.samples, sum: s.sum}
}

type gaugeSink struct {
	mu             sync.Mutex
	samples        int64
	last, min, max float64
}

func (s *gaugeSink) add(value float64) {
	s.mu.Lock()
	if s.samples == 0 || value < s.min {
		s.min = value
	}
	if s.samples == 0 || value > s.max {
		s.max = value
	}
	s.last = value
	s.samples++
	s.mu.Unlock()
}

func (s *gaugeSink) snapshot() aggregate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return aggregate{samples: s.samples, last: s.last, min: s.min, max: s.max}
}

type rateSink struct {
	samples, nonZero atomic.Int64
}

func (s *rateSink) add(value float64) {
	// nonZero first: a concurrent snapshot may then see a rate above the truth for an instant,
	// never a count of passes above the samples.
	if value != 0 {
		s.nonZero.Add(1)
	}
	s.samples.Add(1)
}

func (s *rateSink) snapshot() aggregate {
	samples := s.samples.Load()
	nonZero := min(s.nonZero.Load(), samples)
	return aggregate{samples: samples, nonZero: nonZero}
}

// Histogram geometry: microseconds from 1 µs to one hour, 3 significant digits.
const (
	histogramLowest  = 1
	histogramHighest = int64(time.Hour / time.Microsecond)
	histogramDigits  = 3
)

type trendSink struct {
	mu               sync.Mutex
	histogram        *hdrhistogram.Histogram // created on the first sample
	samples          int64
	sum, min, max    float64
	limits           []float64
	below, atOrBelow []int64
}

func newTrendSink(limits []float64) *trendSink {
	return &trendSink{
		limits:    limits,
		below:     make([]int64, len(limits)),
		atOrBelow: make([]int64, len(limits)),
	}
}

// microseconds rounds a value in milliseconds up to whole microseconds within the histogram's range,
// so that a percentile read back is never below the true value.
func microseconds(ms float64, highest int64) int64 {
	us := math.Ceil(ms * 1000)
	switch {
	case !(us >= 0):
		return 0
	case us >= float64(highest):
		return highest
	default:
		return int64(us)
	}
}

func (s *trendSink) add(value float64) {
	s.mu.Lock()
	if s.histogram == nil {
		s.histogram = hdrhistogram.New(histogramLowest, histogramHighest, histogramDigits)
	}
	_ = s.histogram.RecordValue(microseconds(value, s.histogram.HighestTrackableValue()))
	if s.samples == 0 || value < s.min {
		s.min = value
	}
	if s.samples == 0 || value > s.max {
		s.max = value
	}
	s.samples++
	s.sum += value
	for i, limit := range s.limits {
		if value < limit {
			s.below[i]++
		}
		if value <= limit {
			s.atOrBelow[i]++
		}
	}
	s.mu.Unlock()
}

func (s *trendSink) snapshot() aggregate { return s.snapshotWith(nil) }

// snapshotWith also reads the histogram's value at each of the given percentile fractions.
func (s *trendSink) snapshotWith(ranks []rankFraction) aggregate {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := aggregate{
		samples:   s.samples,
		sum:       s.sum,
		min:       s.min,
		max:       s.max,
		below:     append([]int64(nil), s.below...),
		atOrBelow: append([]int64(nil), s.atOrBelow...),
	}
	if len(ranks) > 0 && s.samples > 0 {
		snap.percentiles = make(map[int64]float64, len(ranks))
		for _, fraction := range ranks {
			rank := fraction.of(s.samples)
			if _, done := snap.percentiles[rank]; !done {
				snap.percentiles[rank] = s.valueAtRank(rank)
			}
		}
	}
	return snap
}

// valueAtRank returns the upper edge of the histogram bucket holding the rank-th smallest sample,
// in milliseconds, capped by the exact maximum (both are never below the true value).
func (s *trendSink) valueAtRank(rank int64) float64 {
	// ValueAtPercentile picks rank int(p/100*n + 0.5); p = 100*rank/n lands on rank itself.
	percentile := 100 * float64(rank) / float64(s.samples)
	us := s.histogram.ValueAtPercentile(percentile)
	if us >= s.histogram.HighestTrackableValue() {
		return s.max // the sample was clamped to the histogram's range
	}
	return math.Min(float64(us)/1000, s.max)
}

// buckets lists the histogram's non-empty buckets as [upper edge in µs, count], ascending: the
// value valueAtRank reports for any rank that falls in the bucket (before the cap by the maximum).
func (s *trendSink) buckets() [][2]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	buckets := [][2]int64{}
	if s.histogram == nil {
		return buckets
	}
	for _, bar := range s.histogram.Distribution() {
		if bar.Count > 0 {
			buckets = append(buckets, [2]int64{bar.To, bar.Count})
		}
	}
	return buckets
}
