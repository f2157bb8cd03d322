package executor

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"bulwark.dev/engine/jsrt"
	"bulwark.dev/engine/metrics"
)

// fakeVU records every iteration's start and runs behave (nil: return at once).
type fakeVU struct {
	id       int64
	calls    *callLog
	behave   func(ctx context.Context, info jsrt.IterationInfo) error
	running  atomic.Bool
	scenario string
}

func (v *fakeVU) ID() int64 { return v.id }

func (v *fakeVU) Activate(activation jsrt.Activation) error {
	v.scenario = activation.Scenario
	return nil
}

func (v *fakeVU) RunIteration(ctx context.Context, info jsrt.IterationInfo) error {
	if !v.running.CompareAndSwap(false, true) {
		panic("a VU ran two iterations at once")
	}
	defer v.running.Store(false)
	v.calls.add(call{vu: v.id, scenario: v.scenario, info: info, at: time.Now()})
	if v.behave == nil {
		return nil
	}
	return v.behave(ctx, info)
}

type call struct {
	vu       int64
	scenario string
	info     jsrt.IterationInfo
	at       time.Time
}

type callLog struct {
	mu    sync.Mutex
	calls []call
}

func (l *callLog) add(c call) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

func (l *callLog) all() []call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]call(nil), l.calls...)
}

// fakeSink counts samples by metric name and keeps them.
type fakeSink struct {
	mu      sync.Mutex
	samples []metrics.Sample
}

func newFakeSink() *fakeSink { return &fakeSink{} }

func (s *fakeSink) Add(samples ...metrics.Sample) {
	s.mu.Lock()
	s.samples = append(s.samples, samples...)
	s.mu.Unlock()
}

func (s *fakeSink) count(metric string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sample := range s.samples {
		if sample.Metric.Name == metric {
			n++
		}
	}
	return n
}

func (s *fakeSink) of(metric string) []metrics.Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []metrics.Sample
	for _, sample := range s.samples {
		if sample.Metric.Name == metric {
			out = append(out, sample)
		}
	}
	return out
}

func testBuiltins() *metrics.Builtins {
	m := func(name string, typ metrics.Type, contains metrics.Contains) *metrics.Metric {
		return &metrics.Metric{Name: name, Type: typ, Contains: contains}
	}
	return &metrics.Builtins{
		Iterations:            m("iterations", metrics.Counter, metrics.Default),
		IterationDuration:     m("iteration_duration", metrics.Trend, metrics.Time),
		DroppedIterations:     m("dropped_iterations", metrics.Counter, metrics.Default),
		InterruptedIterations: m("interrupted_iterations", metrics.Counter, metrics.Default),
		VUs:                   m("vus", metrics.Gauge, metrics.Default),
		VUsMax:                m("vus_max", metrics.Gauge, metrics.Default),
	}
}

// fakeEnv hands out fakeVUs with ids from 1 that behave as given.
func fakeEnv(sink *fakeSink, behave func(ctx context.Context, info jsrt.IterationInfo) error) Env {
	env, _ := fakeEnvWithCalls(sink, behave)
	return env
}

func fakeEnvWithCalls(sink *fakeSink, behave func(ctx context.Context, info jsrt.IterationInfo) error) (Env, *callLog) {
	calls := &callLog{}
	var ids atomic.Int64
	return Env{
		NewVU: func(ctx context.Context) (VU, error) {
			return &fakeVU{id: ids.Add(1), calls: calls, behave: behave}, nil
		},
		Out:      sink,
		Builtins: testBuiltins(),
	}, calls
}

// blockFor makes iterations last d, or until their ctx ends (then they return ctx.Err()).
func blockFor(d time.Duration) func(ctx context.Context, info jsrt.IterationInfo) error {
	return func(ctx context.Context, info jsrt.IterationInfo) error {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
