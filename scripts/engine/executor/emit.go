package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"bulwark.dev/engine/jsrt"
	"bulwark.dev/engine/metrics"
)

// runIteration runs one iteration on vu and records its outcome: iterations and iteration_duration
// when it completed (a script exception included), interrupted_iterations when ctx ended it.
func (sc *scenario) runIteration(ctx context.Context, vu VU) {
	sc.runIterationDue(ctx, vu, time.Time{}, -1)
}

// runIterationDue is runIteration for an iteration due at a given instant (arrival rate): its start
// lag is recorded. scheduleIndex is its index in the whole test's schedule (the same on every runner
// of a segment sequence, so unique across them), or -1 for executors without a schedule.
func (sc *scenario) runIterationDue(ctx context.Context, vu VU, due time.Time, scheduleIndex int64) {
	s := sc.scheduler
	info := jsrt.IterationInfo{
		InScenario: sc.iterations.Add(1) - 1,
		InTest:     s.env.RunnerID<<40 | (s.testIterations.Add(1) - 1),
	}
	if scheduleIndex >= 0 {
		info.InTest = scheduleIndex
	}
	s.active.Add(1)
	begin := time.Now()
	if !due.IsZero() {
		s.lags.record(begin.Sub(due))
	}
	err := vu.RunIteration(ctx, info)
	end := time.Now()
	s.active.Add(-1)
	if err != nil && ctx.Err() != nil {
		sc.emitInterrupted(end)
		return
	}
	builtins := s.env.Builtins
	s.env.Out.Add(
		metrics.Sample{Metric: builtins.Iterations, Time: end, Value: 1, Tags: sc.iterationTags},
		metrics.Sample{Metric: builtins.IterationDuration, Time: end, Value: float64(end.Sub(begin)) / float64(time.Millisecond), Tags: sc.iterationTags},
	)
	if err != nil {
		s.iterationErrors.report(sc.config.Name, err)
	}
}

func (sc *scenario) emitDropped() {
	sc.scheduler.env.Out.Add(metrics.Sample{Metric: sc.scheduler.env.Builtins.DroppedIterations, Time: time.Now(), Value: 1, Tags: sc.scenarioTag})
}

func (sc *scenario) emitInterrupted(at time.Time) {
	sc.scheduler.env.Out.Add(metrics.Sample{Metric: sc.scheduler.env.Builtins.InterruptedIterations, Time: at, Value: 1, Tags: sc.scenarioTag})
}

// errorLog logs iteration errors at warn level without flooding: the first burst lines, then at most
// one line per interval with the count of the errors it stood for.
type errorLog struct {
	log      jsrt.Logger
	burst    int
	interval time.Duration

	mu         sync.Mutex
	logged     int
	suppressed int
	last       error
	lastIn     string // the scenario of last
	lastLine   time.Time
}

func newErrorLog(log jsrt.Logger) *errorLog {
	return &errorLog{log: log, burst: 10, interval: 10 * time.Second}
}

func (l *errorLog) report(scenario string, err error) {
	if l.log == nil {
		return
	}
	now := time.Now()
	l.mu.Lock()
	if l.logged < l.burst {
		l.logged++
		l.lastLine = now
		l.mu.Unlock()
		l.write(scenario, err, "")
		return
	}
	l.suppressed++
	l.last, l.lastIn = err, scenario
	if now.Sub(l.lastLine) < l.interval {
		l.mu.Unlock()
		return
	}
	count := l.suppressed
	l.suppressed, l.lastLine = 0, now
	l.mu.Unlock()
	l.write(scenario, err, fmt.Sprintf("%d iteration errors in the last %s, the last one: ", count, l.interval))
}

// flush writes the count of errors not logged yet.
func (l *errorLog) flush() {
	if l.log == nil {
		return
	}
	l.mu.Lock()
	count, last, scenario := l.suppressed, l.last, l.lastIn
	l.suppressed = 0
	l.mu.Unlock()
	if count > 0 {
		l.write(scenario, last, fmt.Sprintf("%d more iteration errors, the last one: ", count))
	}
}

func (l *errorLog) write(scenario string, err error, prefix string) {
	fields := map[string]string{"kind": "iteration", "source": "engine", "scenario": scenario}
	message := err.Error()
	var scriptError *jsrt.ScriptError
	if errors.As(err, &scriptError) {
		message = scriptError.Message
		if scriptError.Source != "" {
			fields["at"] = scriptError.Source
		}
	}
	l.log("warn", prefix+message, fields)
}
