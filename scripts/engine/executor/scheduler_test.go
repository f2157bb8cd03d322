package executor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bulwark.dev/engine/jsrt"
)

func runScenarios(t *testing.T, ctx context.Context, env Env, configs ...Config) *Scheduler {
	t.Helper()
	for i := range configs {
		if configs[i].Exec == "" {
			configs[i].Exec = "default"
		}
		if configs[i].TimeUnit == 0 {
			configs[i].TimeUnit = time.Second
		}
	}
	scheduler, err := New(configs, env)
	if err != nil {
		t.Fatal(err)
	}
	if err := scheduler.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	if err := scheduler.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return scheduler
}

// checkNoneEarly: every iteration starts at or after its due time. Iterations are sorted by start,
// and each one's start is at or after its own due time, so the k-th earliest start is at or after
// the k-th due time.
func checkNoneEarly(t *testing.T, calls []call, start time.Time, schedule rateSchedule) {
	t.Helper()
	starts := make([]time.Time, len(calls))
	for i, c := range calls {
		starts[i] = c.at
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for k, at := range starts {
		offset, _ := schedule.due(int64(k))
		if due := start.Add(offset); at.Before(due) {
			t.Fatalf("iteration %d started %s before it was due", k, due.Sub(at))
		}
	}
}

func TestConstantArrivalRateCountsAndTiming(t *testing.T) {
	sink := newFakeSink()
	env, calls := fakeEnvWithCalls(sink, nil)
	config := Config{Name: "steady", Executor: ConstantArrivalRate, Rate: 50, Duration: time.Second, PreAllocatedVUs: 2, MaxVUs: 2,
		GracefulStop: time.Second, Tags: map[string]string{"team": "a"}}
	scheduler := runScenarios(t, context.Background(), env, config)
	if got := sink.count("iterations"); got != 50 {
		t.Errorf("iterations = %d, want 50", got)
	}
	if got := sink.count("iteration_duration"); got != 50 {
		t.Errorf("iteration_duration samples = %d, want 50", got)
	}
	if got := sink.count("dropped_iterations"); got != 0 {
		t.Errorf("dropped = %d, want 0", got)
	}
	checkNoneEarly(t, calls.all(), scheduler.StartTime(), newConstantSchedule(50, time.Second, time.Second))
	tags := sink.of("iterations")[0].Tags.Map()
	if tags["scenario"] != "steady" || tags["team"] != "a" || len(tags) != 2 {
		t.Errorf("iteration tags = %v", tags)
	}
	lag := scheduler.StartLag()
	if lag.Count != 50 {
		t.Errorf("lag count = %d", lag.Count)
	}
	t.Logf("start lag at 50/s: %+v", lag)
}

func TestRampingArrivalRateCount(t *testing.T) {
	sink := newFakeSink()
	env, calls := fakeEnvWithCalls(sink, nil)
	// 0→100/s over 1s adds 50, then 100/s for 0.5s adds 50.
	stages := []Stage{{time.Second, 100}, {500 * time.Millisecond, 100}}
	config := Config{Name: "ramp", Executor: RampingArrivalRate, StartRate: 0, Stages: stages, PreAllocatedVUs: 2, MaxVUs: 10, GracefulStop: time.Second}
	scheduler := runScenarios(t, context.Background(), env, config)
	if got := sink.count("iterations"); got != 100 {
		t.Errorf("iterations = %d, want 100", got)
	}
	if got := sink.count("dropped_iterations"); got != 0 {
		t.Errorf("dropped = %d, want 0", got)
	}
	checkNoneEarly(t, calls.all(), scheduler.StartTime(), newRampingSchedule(0, stages, time.Second))
}

func TestArrivalRateDropsOnlyAtMaxVUs(t *testing.T) {
	sink := newFakeSink()
	// Iterations outlast the scenario: the first two take both VUs and every later one is dropped.
	env := fakeEnv(sink, blockFor(1200*time.Millisecond))
	config := Config{Name: "saturated", Executor: ConstantArrivalRate, Rate: 100, Duration: time.Second, PreAllocatedVUs: 1, MaxVUs: 2, GracefulStop: time.Second}
	scheduler := runScenarios(t, context.Background(), env, config)
	if got := sink.count("iterations"); got != 2 {
		t.Errorf("iterations = %d, want 2", got)
	}
	if got := sink.count("dropped_iterations"); got != 98 {
		t.Errorf("dropped = %d, want 98", got)
	}
	if got := scheduler.VUsMax(); got != 2 {
		t.Errorf("VUsMax = %d, want 2", got)
	}
	if tags := sink.of("dropped_iterations")[0].Tags.Map(); len(tags) != 1 || tags["scenario"] != "saturated" {
		t.Errorf("dropped tags = %v", tags)
	}
}

func TestArrivalRateStalledVUsGrowInsteadOfDropping(t *testing.T) {
	sink := newFakeSink()
	env := fakeEnv(sink, blockFor(1200*time.Millisecond))
	config := Config{Name: "stalled", Executor: ConstantArrivalRate, Rate: 20, Duration: time.Second, PreAllocatedVUs: 2, MaxVUs: 100, GracefulStop: 2 * time.Second}
	scheduler := runScenarios(t, context.Background(), env, config)
	if got := sink.count("dropped_iterations"); got != 0 {
		t.Errorf("dropped = %d, want 0", got)
	}
	if got := sink.count("iterations"); got != 20 {
		t.Errorf("iterations = %d, want 20", got)
	}
	if got := scheduler.VUsMax(); got != 20 {
		t.Errorf("VUsMax = %d, want 20", got)
	}
}

func TestArrivalRateSlowVUInitIsLateNotDropped(t *testing.T) {
	sink := newFakeSink()
	env, calls := fakeEnvWithCalls(sink, blockFor(300*time.Millisecond))
	newVU := env.NewVU
	var created atomic.Int64
	env.NewVU = func(ctx context.Context) (VU, error) {
		if created.Add(1) > 1 { // Prepare creates the first one at once
			time.Sleep(50 * time.Millisecond)
		}
		return newVU(ctx)
	}
	config := Config{Name: "late", Executor: ConstantArrivalRate, Rate: 10, Duration: 300 * time.Millisecond, PreAllocatedVUs: 1, MaxVUs: 5, GracefulStop: time.Second}
	scheduler := runScenarios(t, context.Background(), env, config)
	if got := sink.count("iterations"); got != 3 {
		t.Errorf("iterations = %d, want 3", got)
	}
	if got := sink.count("dropped_iterations"); got != 0 {
		t.Errorf("dropped = %d, want 0", got)
	}
	checkNoneEarly(t, calls.all(), scheduler.StartTime(), newConstantSchedule(10, time.Second, 300*time.Millisecond))
	if lag := scheduler.StartLag(); lag.Max < 40*time.Millisecond {
		t.Errorf("the iterations waiting for a new VU should show in the lag: %+v", lag)
	}
}

// The lag's size is a benchmark figure (npm run bench, figure 5), not a test: here only the count and
// that the lag is measured at all.
func TestStartLagAt500PerSecond(t *testing.T) {
	sink := newFakeSink()
	env := fakeEnv(sink, nil)
	config := Config{Name: "fast", Executor: ConstantArrivalRate, Rate: 500, Duration: 2 * time.Second, PreAllocatedVUs: 5, MaxVUs: 200, GracefulStop: time.Second}
	scheduler := runScenarios(t, context.Background(), env, config)
	if got := sink.count("iterations"); got != 1000 {
		t.Errorf("iterations = %d, want 1000", got)
	}
	lag := scheduler.StartLag()
	t.Logf("start lag at 500/s: p50 %s p99 %s max %s", lag.P50, lag.P99, lag.Max)
	if lag.Count != 1000 || lag.P50 < 0 || lag.P99 < lag.P50 || lag.Max < lag.P99 {
		t.Errorf("start lag = %+v, want 1000 ordered, non-negative figures", lag)
	}
}

func TestGracefulStopInterrupts(t *testing.T) {
	sink := newFakeSink()
	// Never finishes by itself.
	env := fakeEnv(sink, blockFor(time.Hour))
	config := Config{Name: "stuck", Executor: ConstantVUs, VUs: 2, Duration: 200 * time.Millisecond, GracefulStop: 100 * time.Millisecond}
	began := time.Now()
	runScenarios(t, context.Background(), env, config)
	// At least duration + gracefulStop; far less than the hour the iterations would take on their own.
	if took := time.Since(began); took < 300*time.Millisecond || took > 10*time.Second {
		t.Errorf("took %s, want duration + gracefulStop (300ms), not the iterations' hour", took)
	}
	if got := sink.count("interrupted_iterations"); got != 2 {
		t.Errorf("interrupted = %d, want 2", got)
	}
	if got := sink.count("iterations") + sink.count("iteration_duration"); got != 0 {
		t.Errorf("interrupted iterations counted as completed: %d samples", got)
	}
}

func TestGracefulStopLetsIterationsFinish(t *testing.T) {
	sink := newFakeSink()
	env := fakeEnv(sink, blockFor(250*time.Millisecond))
	config := Config{Name: "slow", Executor: ConstantVUs, VUs: 2, Duration: 200 * time.Millisecond, GracefulStop: time.Second}
	runScenarios(t, context.Background(), env, config)
	if got := sink.count("iterations"); got != 2 {
		t.Errorf("iterations = %d, want 2 (one per VU, finished within gracefulStop)", got)
	}
	if got := sink.count("interrupted_iterations"); got != 0 {
		t.Errorf("interrupted = %d, want 0", got)
	}
}

func TestCancelInterruptsAtOnce(t *testing.T) {
	sink := newFakeSink()
	env := fakeEnv(sink, blockFor(time.Hour))
	config := Config{Name: "a", Executor: ConstantArrivalRate, Rate: 10, Duration: 10 * time.Second, PreAllocatedVUs: 3, MaxVUs: 3, GracefulStop: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	began := time.Now()
	runScenarios(t, ctx, env, config)
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("Run took %s after cancel, as if it waited for the iterations' gracefulStop or their hour", took)
	}
	if got := sink.count("interrupted_iterations"); got != 3 {
		t.Errorf("interrupted = %d, want 3", got)
	}
}

func TestPerVUAndSharedIterations(t *testing.T) {
	sink := newFakeSink()
	env, calls := fakeEnvWithCalls(sink, nil)
	env.RunnerID = 3
	runScenarios(t, context.Background(), env,
		Config{Name: "per", Executor: PerVUIterations, VUs: 3, Iterations: 4, MaxDuration: 5 * time.Second, GracefulStop: time.Second},
		Config{Name: "shared", Executor: SharedIterations, VUs: 3, Iterations: 10, MaxDuration: 5 * time.Second, GracefulStop: time.Second},
	)
	perVU := map[int64]int{}
	byScenario := map[string][]int64{}
	inTest := map[int64]bool{}
	for _, c := range calls.all() {
		if c.scenario == "per" {
			perVU[c.vu]++
		}
		byScenario[c.scenario] = append(byScenario[c.scenario], c.info.InScenario)
		if c.info.InTest>>40 != 3 || inTest[c.info.InTest] {
			t.Errorf("InTest %x: wrong runner id or a duplicate", c.info.InTest)
		}
		inTest[c.info.InTest] = true
	}
	if len(perVU) != 3 {
		t.Errorf("per-vu-iterations ran on %d VUs, want 3", len(perVU))
	}
	for vu, n := range perVU {
		if n != 4 {
			t.Errorf("VU %d ran %d iterations, want 4", vu, n)
		}
	}
	for scenario, want := range map[string]int{"per": 12, "shared": 10} {
		ids := byScenario[scenario]
		slices.Sort(ids)
		if len(ids) != want || ids[0] != 0 || ids[len(ids)-1] != int64(want-1) {
			t.Errorf("%s: InScenario ids %v, want 0..%d", scenario, ids, want-1)
		}
	}
	if got := sink.count("iterations"); got != 22 {
		t.Errorf("iterations = %d, want 22", got)
	}
}

func TestMaxDurationBoundsIterations(t *testing.T) {
	sink := newFakeSink()
	env := fakeEnv(sink, blockFor(100*time.Millisecond))
	config := Config{Name: "bounded", Executor: PerVUIterations, VUs: 1, Iterations: 100, MaxDuration: 250 * time.Millisecond, GracefulStop: 0}
	runScenarios(t, context.Background(), env, config)
	if got := sink.count("iterations"); got != 2 {
		t.Errorf("iterations = %d, want 2", got)
	}
	if got := sink.count("interrupted_iterations"); got != 1 {
		t.Errorf("interrupted = %d, want 1", got)
	}
}

func TestRampingVUs(t *testing.T) {
	sink := newFakeSink()
	var mu sync.Mutex
	active, most := 0, 0
	env, calls := fakeEnvWithCalls(sink, func(ctx context.Context, info jsrt.IterationInfo) error {
		mu.Lock()
		active++
		most = max(most, active)
		mu.Unlock()
		defer func() { mu.Lock(); active--; mu.Unlock() }()
		return blockFor(20*time.Millisecond)(ctx, info)
	})
	config := Config{Name: "ramp", Executor: RampingVUs, StartVUs: 0, GracefulStop: time.Second, GracefulRampDown: 0,
		Stages: []Stage{{400 * time.Millisecond, 4}, {400 * time.Millisecond, 0}}}
	scheduler := runScenarios(t, context.Background(), env, config)
	if most != 4 {
		t.Errorf("at most %d VUs at once, want 4", most)
	}
	if got := scheduler.VUsMax(); got != 4 {
		t.Errorf("VUsMax = %d, want 4", got)
	}
	// VU k (joining at k·100ms, leaving at 800 − k·100ms) runs about (800 − 2k·100)/20 iterations.
	perVU := map[int64]int{}
	for _, c := range calls.all() {
		perVU[c.vu]++
	}
	if len(perVU) != 4 {
		t.Errorf("%d VUs ran, want 4", len(perVU))
	}
	t.Logf("iterations per VU: %v", perVU)
}

func TestScenariosRunConcurrentlyFromStartTime(t *testing.T) {
	sink := newFakeSink()
	env, calls := fakeEnvWithCalls(sink, nil)
	scheduler := runScenarios(t, context.Background(), env,
		Config{Name: "first", Executor: PerVUIterations, VUs: 1, Iterations: 1, MaxDuration: 200 * time.Millisecond},
		Config{Name: "later", Executor: PerVUIterations, VUs: 1, Iterations: 1, MaxDuration: time.Second, StartTime: 200 * time.Millisecond},
	)
	for _, c := range calls.all() {
		if c.scenario == "later" && c.at.Sub(scheduler.StartTime()) < 200*time.Millisecond {
			t.Errorf("scenario later started %s after the test start", c.at.Sub(scheduler.StartTime()))
		}
	}
	// The two scenarios do not overlap in time: they share one VU.
	if got := scheduler.VUsMax(); got != 1 {
		t.Errorf("VUsMax = %d, want 1 (the later scenario reuses the VU)", got)
	}
	if got := scheduler.MaxDuration(); got != 200*time.Millisecond+time.Second {
		t.Errorf("MaxDuration = %s", got)
	}
}

func TestScriptErrorsCountAsCompletedAndAreRateLimited(t *testing.T) {
	sink := newFakeSink()
	env := fakeEnv(sink, func(ctx context.Context, info jsrt.IterationInfo) error {
		return &jsrt.ScriptError{Message: fmt.Sprintf("boom %d", info.InScenario), Source: "scenario.ts:3:7"}
	})
	var mu sync.Mutex
	var lines []string
	var fields []map[string]string
	env.Log = func(level, message string, f map[string]string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, level+" "+message)
		fields = append(fields, f)
	}
	runScenarios(t, context.Background(), env, Config{Name: "failing", Executor: SharedIterations, VUs: 2, Iterations: 25, MaxDuration: time.Second})
	if got := sink.count("iterations"); got != 25 {
		t.Errorf("iterations = %d, want 25", got)
	}
	// The first 10, then one line counting the rest (flushed at the end).
	if len(lines) != 11 {
		t.Fatalf("%d log lines, want 11: %v", len(lines), lines)
	}
	if !strings.HasPrefix(lines[10], "warn 15 more iteration errors, the last one: boom") {
		t.Errorf("count line = %q", lines[10])
	}
	if f := fields[0]; f["kind"] != "iteration" || f["at"] != "scenario.ts:3:7" || !strings.HasPrefix(lines[0], "warn boom") {
		t.Errorf("first line %q %v", lines[0], f)
	}
}

func TestErrorLogOneLinePerInterval(t *testing.T) {
	var lines []string
	log := newErrorLog(func(level, message string, fields map[string]string) { lines = append(lines, message) })
	log.burst, log.interval = 2, 50*time.Millisecond
	for range 5 {
		log.report("s", errors.New("x"))
	}
	time.Sleep(60 * time.Millisecond)
	log.report("s", errors.New("y"))
	log.flush()
	want := []string{"x", "x", "4 iteration errors in the last 50ms, the last one: y"}
	if !slices.Equal(lines, want) {
		t.Errorf("got %q, want %q", lines, want)
	}
}
