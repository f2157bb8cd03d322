package executor

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// LagStats summarizes how late arrival-rate iterations started after their due time (start − due,
// never negative: no iteration starts early). Late iterations waiting for a new VU are included.
type LagStats struct {
	Count         int64
	P50, P99, Max time.Duration
}

// lagRecorder keeps start lags in a histogram: memory stays flat however long the test runs.
type lagRecorder struct {
	mu        sync.Mutex
	histogram *hdrhistogram.Histogram
}

func newLagRecorder() *lagRecorder {
	// 1 µs to 1 hour in microseconds, 3 significant digits.
	return &lagRecorder{histogram: hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)}
}

func (r *lagRecorder) record(lag time.Duration) {
	micros := max(int64(lag/time.Microsecond), 1) // below 1 µs counts as 1 µs
	r.mu.Lock()
	_ = r.histogram.RecordValue(min(micros, r.histogram.HighestTrackableValue()))
	r.mu.Unlock()
}

func (r *lagRecorder) stats() LagStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.histogram.TotalCount() == 0 {
		return LagStats{}
	}
	micros := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return LagStats{
		Count: r.histogram.TotalCount(),
		P50:   micros(r.histogram.ValueAtQuantile(50)),
		P99:   micros(r.histogram.ValueAtQuantile(99)),
		Max:   micros(r.histogram.Max()),
	}
}
