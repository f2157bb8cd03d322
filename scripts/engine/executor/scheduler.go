package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"bulwark.dev/engine/jsrt"
	"bulwark.dev/engine/metrics"
)

// Scheduler runs the scenarios of one test.
type Scheduler struct {
	env       Env
	scenarios []*scenario
	pool      *pool

	active          atomic.Int64 // VUs running an iteration now
	testIterations  atomic.Int64 // started iterations, for IterationInfo.InTest
	lags            *lagRecorder
	iterationErrors *errorLog
	prepared        bool
	started         atomic.Pointer[time.Time] // when Run started the scenarios
}

// scenario is one Config being run.
type scenario struct {
	config    Config
	scheduler *Scheduler
	// iterationTags: scenario=<name> plus the scenario's tags; scenarioTag: scenario=<name> only.
	iterationTags, scenarioTag *metrics.TagSet
	activation                 jsrt.Activation
	iterations                 atomic.Int64 // started iterations, for IterationInfo.InScenario
}

// New checks the configs against each other (unique names) and prepares the schedule.
func New(configs []Config, env Env) (*Scheduler, error) {
	if len(configs) == 0 {
		return nil, errors.New("no scenario to run")
	}
	if env.NewVU == nil || env.Out == nil || env.Builtins == nil {
		return nil, errors.New("executor.Env needs NewVU, Out and Builtins")
	}
	if env.RunnerID < 0 || env.RunnerID > 1023 {
		return nil, fmt.Errorf("runner id %d is outside 0..1023", env.RunnerID)
	}
	s := &Scheduler{env: env, pool: &pool{newVU: env.NewVU}, lags: newLagRecorder(), iterationErrors: newErrorLog(env.Log)}
	names := map[string]bool{}
	for _, config := range configs {
		if names[config.Name] {
			return nil, fmt.Errorf("scenarios.%s: the name is used twice", config.Name)
		}
		names[config.Name] = true
		if _, known := executorKeys[config.Executor]; !known {
			return nil, fmt.Errorf("scenarios.%s.executor: unknown executor %q", config.Name, config.Executor)
		}
		tags := map[string]string{}
		maps.Copy(tags, config.Tags)
		tags["scenario"] = config.Name
		s.scenarios = append(s.scenarios, &scenario{
			config:        config,
			scheduler:     s,
			iterationTags: metrics.NewTagSet(tags),
			scenarioTag:   metrics.NewTagSet(map[string]string{"scenario": config.Name}),
			activation: jsrt.Activation{
				Scenario: config.Name, Exec: config.Exec, SetupData: env.SetupData, Tags: tags, Env: config.Env,
			},
		})
	}
	if peak := peakReservation(configs); peak > maxVUsLimit {
		return nil, fmt.Errorf("the scenarios need %d VUs at once, above the limit of %d (%s)", peak, maxVUsLimit, maxVUsReason)
	}
	return s, nil
}

// Prepare initializes every VU the scenarios need up front (preAllocatedVUs, vus, startVUs and the
// ramping maximum); arrival-rate scenarios may add VUs up to maxVUs later. Scenarios that do not
// overlap in time share VUs.
func (s *Scheduler) Prepare(ctx context.Context) error {
	configs := make([]Config, len(s.scenarios))
	for i, sc := range s.scenarios {
		configs[i] = sc.config
	}
	if err := s.pool.fill(ctx, int(peakReservation(configs))); err != nil {
		return err
	}
	s.prepared = true
	return nil
}

// Run runs every scenario from its startTime and returns when all have ended. Cancelling ctx stops
// the test: no new iterations, running ones interrupted at once. Iterations still running at a
// scenario's end get its gracefulStop, then are interrupted and counted in interrupted_iterations;
// only completed iterations count in iterations and iteration_duration. dropped_iterations counts
// arrival-rate iterations that found no free VU with maxVUs reached.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.prepared {
		if err := s.Prepare(ctx); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	s.started.Store(&start)
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	for _, sc := range s.scenarios {
		wg.Go(func() {
			scenarioStart := start.Add(sc.config.StartTime)
			if !sleepUntil(ctx, scenarioStart) {
				return
			}
			if err := sc.run(ctx, scenarioStart); err != nil {
				errMu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("scenario %s: %w", sc.config.Name, err)
				}
				errMu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	s.iterationErrors.flush()
	return firstErr
}

// run takes the scenario's VUs from the pool, runs the executor and gives the VUs back.
func (sc *scenario) run(ctx context.Context, start time.Time) error {
	sc.activation.StartTime = start
	switch sc.config.Executor {
	case ConstantArrivalRate:
		return sc.runArrivalRate(ctx, start, newConstantSchedule(sc.config.Rate, sc.config.TimeUnit, sc.config.Duration))
	case RampingArrivalRate:
		return sc.runArrivalRate(ctx, start, newRampingSchedule(sc.config.StartRate, sc.config.Stages, sc.config.TimeUnit))
	case ConstantVUs:
		return sc.runConstantVUs(ctx, start)
	case RampingVUs:
		return sc.runRampingVUs(ctx, start)
	case PerVUIterations, SharedIterations:
		return sc.runIterations(ctx, start)
	}
	return fmt.Errorf("unknown executor %q", sc.config.Executor)
}

// takeVUs takes n VUs from the pool and activates them for the scenario.
func (sc *scenario) takeVUs(ctx context.Context, n int64) ([]VU, error) {
	vus := make([]VU, 0, n)
	for range n {
		vu, err := sc.scheduler.pool.take(ctx)
		if err != nil {
			sc.scheduler.pool.put(vus...)
			return nil, err
		}
		vus = append(vus, vu)
		if err := vu.Activate(sc.activation); err != nil {
			sc.scheduler.pool.put(vus...)
			return nil, fmt.Errorf("activating VU %d: %w", vu.ID(), err)
		}
	}
	return vus, nil
}

// VUsActive is the number of VUs running an iteration now; VUsMax the number initialized.
func (s *Scheduler) VUsActive() int64 { return s.active.Load() }
func (s *Scheduler) VUsMax() int64    { return s.pool.initialized.Load() }

// StartTime is when Run started the scenarios (startTime offsets count from it); zero before Run.
func (s *Scheduler) StartTime() time.Time {
	if started := s.started.Load(); started != nil {
		return *started
	}
	return time.Time{}
}

// StartLag summarizes how late arrival-rate iterations started after their due time.
func (s *Scheduler) StartLag() LagStats { return s.lags.stats() }

// MaxDuration is the longest the scenarios can take, gracefulStop included.
func (s *Scheduler) MaxDuration() time.Duration {
	var longest time.Duration
	for _, sc := range s.scenarios {
		longest = max(longest, sc.config.StartTime+scenarioMaxDuration(sc.config))
	}
	return longest
}

// scenarioMaxDuration is the longest one scenario can take from its start, gracefulStop included.
func scenarioMaxDuration(config Config) time.Duration {
	switch config.Executor {
	case ConstantArrivalRate, ConstantVUs:
		return config.Duration + config.GracefulStop
	case RampingArrivalRate, RampingVUs:
		return stagesDuration(config.Stages) + config.GracefulStop
	default:
		return config.MaxDuration + config.GracefulStop
	}
}

// reservedVUs is how many VUs a scenario takes from the pool when it starts.
func reservedVUs(config Config) int64 {
	switch config.Executor {
	case ConstantArrivalRate, RampingArrivalRate:
		return config.PreAllocatedVUs
	case RampingVUs:
		most := config.StartVUs
		for _, stage := range config.Stages {
			most = max(most, stage.Target)
		}
		return most
	case SharedIterations:
		return min(config.VUs, config.Iterations)
	default:
		return config.VUs
	}
}

func stagesDuration(stages []Stage) time.Duration {
	var total time.Duration
	for _, stage := range stages {
		total += stage.Duration
	}
	return total
}

// sleepUntil waits for a wall-clock instant; false when ctx ended first.
func sleepUntil(ctx context.Context, at time.Time) bool {
	wait := time.Until(at)
	if wait <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// scenarioContexts: stop ends at the scenario's end (no new iteration may start after it); hard ends
// gracefulStop later and interrupts what still runs. Both end at once when the test is cancelled.
func scenarioContexts(ctx context.Context, end time.Time, gracefulStop time.Duration) (stop, hard context.Context, cancel func()) {
	hard, cancelHard := context.WithDeadline(ctx, end.Add(gracefulStop))
	stop, cancelStop := context.WithDeadline(hard, end)
	return stop, hard, func() { cancelStop(); cancelHard() }
}

// before reports whether no new iteration should start yet: stop has not ended and end is ahead.
// The clock is checked too because a context deadline may fire a little late.
func before(stop context.Context, end time.Time) bool {
	return stop.Err() == nil && time.Now().Before(end)
}
