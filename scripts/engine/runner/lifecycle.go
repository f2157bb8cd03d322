// Package runner runs one test: compile, init, options, setup, the scenarios, teardown, the summary
// and handleSummary, and maps the outcome to the engine's exit code (see exitcodes.go).
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"bulwark.dev/engine/executor"
	"bulwark.dev/engine/jsrt"
	"bulwark.dev/engine/metrics"
)

// Config is the command line of `run` and `inspect`.
type Config struct {
	Bundle      string            // path of the CommonJS bundle
	OutJSON     string            // --out json=<path>
	OutMetrics  []string          // --out-metrics
	SummaryJSON string            // --summary-json
	Env         map[string]string // -e KEY=VALUE, over the process environment
	RunnerID    int64             // --runner-id
	StartAt     time.Time         // --start-at: zero for none
	// Stripe is --execution-segment within --execution-segment-sequence: nil for the whole test.
	Stripe *executor.Stripe
	// SummaryHistograms (--summary-histograms) adds each trend's histogram buckets to the summary.
	SummaryHistograms bool
	// InsecureSkipTLSVerify (--insecure-skip-tls-verify) wins over the script's option when set.
	InsecureSkipTLSVerify bool
	LogFormat             string // json (default) or text

	Stdout, Stderr           io.Writer
	IsStdOutTTY, IsStdErrTTY bool
}

// interruptedTeardownLimit bounds teardown and handleSummary after SIGINT/SIGTERM.
const interruptedTeardownLimit = 10 * time.Second

// test is one run's state.
type test struct {
	config   Config
	log      *logger
	env      *jsrt.Environment
	vu0      *jsrt.VU
	options  testOptions
	registry *metrics.Registry

	execution *execution
	out       forwardingSink
}

// Run runs the test and returns the process exit code. Cancelling ctx is SIGINT/SIGTERM: the
// scenarios stop, iterations are interrupted, teardown (at most 10 s), the summary and handleSummary
// still run, and the code is 30.
func Run(ctx context.Context, config Config) int {
	t, code := load(ctx, config)
	if t == nil {
		return code
	}
	defer t.vu0.Close()
	return t.run(ctx)
}

// Inspect prints the script's options after defaults as JSON.
func Inspect(ctx context.Context, config Config) int {
	t, code := load(ctx, config)
	if t == nil {
		return code
	}
	defer t.vu0.Close()
	if _, err := metrics.NewCollector(t.registry, metrics.CollectorOptions{Thresholds: t.options.Thresholds, TrendStats: t.options.SummaryTrendStats}); err != nil {
		t.log.error(kindThreshold, err.Error(), "")
		return ExitScriptError
	}
	text, err := t.options.inspectJSON()
	if err != nil {
		t.log.error(kindInternal, err.Error(), "")
		return ExitInternal
	}
	fmt.Fprintf(config.Stdout, "%s\n", text)
	return ExitPassed
}

// load reads and compiles the bundle, runs the init context on VU 0 and validates the options.
func load(ctx context.Context, config Config) (*test, int) {
	if config.Stdout == nil {
		config.Stdout = os.Stdout
	}
	if config.Stderr == nil {
		config.Stderr = os.Stderr
	}
	log := newLogger(config.Stderr, config.LogFormat)
	source, err := os.ReadFile(config.Bundle)
	if err != nil {
		log.error(kindUsage, fmt.Sprintf("cannot read the bundle: %v", err), "")
		return nil, ExitUsage
	}
	program, err := jsrt.Compile(filepath.Base(config.Bundle), source)
	if err != nil {
		message, at := describe(err)
		log.error(kindInit, "the bundle does not compile: "+message, at)
		return nil, ExitScriptError
	}
	baseDir, _ := filepath.Abs(filepath.Dir(config.Bundle))
	t := &test{config: config, log: log, registry: metrics.NewRegistry(), execution: &execution{testStart: time.Now()}}
	t.execution.log = log
	t.env = &jsrt.Environment{
		Program:   program,
		Env:       processEnv(config.Env),
		Registry:  t.registry,
		Out:       &t.out,
		Log:       log.log,
		BaseDir:   baseDir,
		Execution: t.execution,
		RunnerID:  config.RunnerID,
	}
	log.setPhase(kindInit)
	if t.vu0, err = jsrt.NewVU(ctx, t.env, 0); err != nil {
		message, at := describe(err)
		log.error(kindInit, "the init context failed: "+message, at)
		return nil, ExitScriptError
	}
	raw, err := t.vu0.Options()
	if err == nil {
		t.options, err = parseOptions(raw)
	}
	if err == nil {
		err = t.checkExports()
	}
	if err == nil {
		t.options.Scenarios = executor.ApplyStripe(t.options.Scenarios, config.Stripe)
	}
	if err != nil {
		t.vu0.Close()
		message, at := describe(err)
		log.error(kindInit, message, at)
		return nil, ExitScriptError
	}
	t.env.InsecureSkipTLSVerify = t.options.InsecureSkipTLSVerify || config.InsecureSkipTLSVerify
	t.env.MaxRedirects = t.options.MaxRedirects
	if t.options.MaxRedirects == 0 {
		// The HTTP module reads 0 as "the default"; a negative value is "never follow".
		t.env.MaxRedirects = -1
	}
	t.env.DiscardResponseBodies = t.options.DiscardResponseBodies
	t.env.UserAgent = t.options.UserAgent
	return t, ExitPassed
}

// checkExports: every scenario's exec function must be exported.
func (t *test) checkExports() error {
	for _, scenario := range t.options.Scenarios {
		if !t.vu0.HasExport(scenario.Exec) {
			if scenario.Exec == "default" {
				return fmt.Errorf("scenarios.%s: the script exports no default function to run", scenario.Name)
			}
			return fmt.Errorf("scenarios.%s.exec: the script exports no function %q", scenario.Name, scenario.Exec)
		}
	}
	return nil
}

func (t *test) run(ctx context.Context) int {
	collector, err := metrics.NewCollector(t.registry, metrics.CollectorOptions{
		Thresholds: t.options.Thresholds, TrendStats: t.options.SummaryTrendStats, Start: t.execution.testStart,
	})
	if err != nil {
		t.log.error(kindThreshold, err.Error(), "")
		return ExitScriptError
	}
	sinks := metrics.Fanout{collector}
	var stream *metrics.JSONLines
	if t.config.OutJSON != "" {
		if stream, err = metrics.NewJSONLines(t.config.OutJSON, t.config.OutMetrics); err != nil {
			t.log.error(kindUsage, fmt.Sprintf("--out json=%s: %v", t.config.OutJSON, err), "")
			return ExitUsage
		}
		sinks = append(sinks, stream)
	}
	t.out.set(sinks)

	// testCtx ends on a signal (ctx), exec.test.abort() or a failed abortOnFail threshold.
	testCtx, cancelTest := context.WithCancel(ctx)
	defer cancelTest()
	t.execution.setCancel(cancelTest)

	outcome := t.runScenarios(ctx, testCtx, collector)

	results := collector.Evaluate()
	summary := collector.Summary(metrics.SummaryInput{
		TestRunDuration: time.Since(t.execution.testStart),
		IsStdOutTTY:     t.config.IsStdOutTTY,
		IsStdErrTTY:     t.config.IsStdErrTTY,
		Results:         results,
		Histograms:      t.config.SummaryHistograms,
	})
	if stream != nil {
		if err := stream.Close(); err != nil {
			t.log.error(kindInternal, fmt.Sprintf("--out json=%s: %v", t.config.OutJSON, err), "")
		}
	}
	if outcome.setupFailed {
		return ExitSetupFailed
	}
	if outcome.initFailed {
		return ExitScriptError
	}
	code := ExitPassed
	if t.config.SummaryJSON != "" {
		if err := writeFileAtomically(t.config.SummaryJSON, summary); err != nil {
			t.log.error(kindSummary, fmt.Sprintf("--summary-json %s: %v", t.config.SummaryJSON, err), "")
			code = ExitInternal
		}
	}
	if !t.handleSummary(ctx, summary) {
		outcome.scriptFailed = true
	}
	failed := 0
	for _, result := range results {
		if !result.OK {
			failed++
			t.log.log("error", fmt.Sprintf("threshold %s on %s failed (%d samples, observed %s)", result.Threshold.Source, result.Selector,
				result.Samples, formatNumber(result.Observed)), map[string]string{"kind": kindThreshold})
		}
	}

	switch {
	case t.execution.abortedByScript():
		return ExitScriptAborted
	case ctx.Err() != nil:
		return ExitInterrupted
	case code != ExitPassed:
		return code
	case outcome.scriptFailed:
		return ExitTeardownFailed
	case failed > 0 && outcome.abortedOnFail:
		return ExitAbortedOnFail
	case failed > 0:
		return ExitThresholdsFailed
	}
	return ExitPassed
}

type outcome struct {
	initFailed    bool // a VU's init context, or the scenarios against each other
	setupFailed   bool
	scriptFailed  bool // teardown or handleSummary
	abortedOnFail bool
}

// runScenarios: setup, the start barrier, the scenarios with the vus gauges and the abortOnFail
// watch, then teardown.
func (t *test) runScenarios(ctx, testCtx context.Context, collector *metrics.Collector) outcome {
	var result outcome
	t.log.setPhase(kindSetup)
	setupCtx, cancelSetup := context.WithTimeout(testCtx, t.options.SetupTimeout)
	setupData, err := t.vu0.Setup(setupCtx)
	setupTimedOut := errors.Is(setupCtx.Err(), context.DeadlineExceeded) && testCtx.Err() == nil
	cancelSetup()
	switch {
	case err == nil:
	case t.execution.abortedByScript() || ctx.Err() != nil:
		return result
	case setupTimedOut:
		t.log.error(kindSetup, fmt.Sprintf("setup() timed out after %s (options.setupTimeout)", t.options.SetupTimeout), "")
		result.setupFailed = true
		return result
	default:
		message, at := describe(err)
		t.log.error(kindSetup, "setup() failed: "+message, at)
		result.setupFailed = true
		return result
	}

	builtins := t.registry.Builtins()
	var (
		nextID  atomic.Int64
		vusMu   sync.Mutex
		created []*jsrt.VU
	)
	defer func() {
		vusMu.Lock()
		defer vusMu.Unlock()
		for _, vu := range created {
			vu.Close()
		}
	}()
	scheduler, err := executor.New(t.options.Scenarios, executor.Env{
		NewVU: func(ctx context.Context) (executor.VU, error) {
			vu, err := jsrt.NewVU(ctx, t.env, nextID.Add(1))
			if err != nil {
				return nil, err
			}
			vusMu.Lock()
			created = append(created, vu)
			vusMu.Unlock()
			return vu, nil
		},
		Out:       &t.out,
		Builtins:  builtins,
		SetupData: setupData,
		Log:       t.log.log,
		RunnerID:  t.config.RunnerID,
	})
	if err == nil {
		t.execution.scheduler.Store(scheduler)
		t.log.setPhase(kindInit)
		restoreGC := leanGCWhileInitializing()
		err = scheduler.Prepare(testCtx)
		restoreGC()
	}
	if err != nil && testCtx.Err() == nil {
		message, at := describe(err)
		t.log.error(kindInit, "initializing the VUs failed: "+message, at)
		t.teardown(ctx, setupData)
		result.initFailed = true
		return result
	}
	if !t.config.StartAt.IsZero() && testCtx.Err() == nil {
		if late := time.Since(t.config.StartAt); late > 0 {
			// The runners of a segment sequence are then out of step by this much.
			t.log.log("warn", fmt.Sprintf("start barrier %s missed by %s: starting now", t.config.StartAt.UTC().Format(time.RFC3339Nano), late),
				map[string]string{"kind": kindInternal})
		} else {
			t.log.info(kindInternal, "waiting for the start barrier at "+t.config.StartAt.UTC().Format(time.RFC3339Nano))
		}
		sleepUntil(testCtx, t.config.StartAt)
	}

	if testCtx.Err() == nil {
		t.log.setPhase(kindIteration)
		runStart := time.Now()
		t.execution.runStart.Store(&runStart)
		watchCtx, stopWatch := context.WithCancel(testCtx)
		var watch sync.WaitGroup
		watch.Go(func() {
			t.tick(watchCtx, scheduler, collector, runStart, func() {
				result.abortedOnFail = true
				cancelTestFrom(t.execution)
			})
		})
		if err := scheduler.Run(testCtx); err != nil {
			message, at := describe(err)
			t.log.error(kindInternal, message, at)
		}
		stopWatch()
		watch.Wait()
		t.emitVUs(scheduler)
		if lag := scheduler.StartLag(); lag.Count > 0 {
			t.log.log("info", fmt.Sprintf("arrival-rate start lag over %d iterations: p50 %s, p99 %s, max %s", lag.Count, lag.P50, lag.P99, lag.Max),
				map[string]string{"kind": kindInternal})
		}
	}

	if t.execution.abortedByScript() {
		t.log.error(kindIteration, "the script aborted the test: "+t.execution.reason(), "")
	}
	if !t.teardown(ctx, setupData) {
		result.scriptFailed = true
	}
	return result
}

// teardown runs teardown(data) on VU 0; false when it failed.
func (t *test) teardown(ctx context.Context, setupData json.RawMessage) bool {
	t.log.setPhase(kindTeardown)
	limit := t.options.TeardownTimeout
	if ctx.Err() != nil {
		limit = min(limit, interruptedTeardownLimit)
	}
	teardownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	err := t.vu0.Teardown(teardownCtx, setupData)
	if err == nil {
		return true
	}
	if errors.Is(teardownCtx.Err(), context.DeadlineExceeded) {
		t.log.error(kindTeardown, fmt.Sprintf("teardown() timed out after %s", limit), "")
	} else {
		message, at := describe(err)
		t.log.error(kindTeardown, "teardown() failed: "+message, at)
	}
	return false
}

// handleSummary calls the script's handleSummary and writes what it returns, or prints the short
// text summary when it is not exported; false when it failed.
func (t *test) handleSummary(ctx context.Context, summary map[string]any) bool {
	t.log.setPhase(kindSummary)
	limit := defaultTeardownTimeout
	if ctx.Err() != nil {
		limit = interruptedTeardownLimit
	}
	summaryCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	outputs, found, err := t.vu0.HandleSummary(summaryCtx, summary)
	if err != nil {
		message, at := describe(err)
		t.log.error(kindSummary, "handleSummary() failed: "+message, at)
		return false
	}
	if !found {
		writeTextSummary(t.config.Stdout, summary)
		return true
	}
	ok := true
	for target, text := range outputs {
		switch target {
		case "stdout":
			_, err = io.WriteString(t.config.Stdout, text)
		case "stderr":
			_, err = io.WriteString(t.config.Stderr, text)
		default:
			err = os.WriteFile(target, []byte(text), 0o644)
		}
		if err != nil {
			t.log.error(kindSummary, fmt.Sprintf("handleSummary(): writing %s: %v", target, err), "")
			ok = false
		}
	}
	return ok
}

// tick emits the vus gauges every second and stops the test when an abortOnFail threshold fails
// (each once its delayAbortEval has passed since the scenarios started).
func (t *test) tick(ctx context.Context, scheduler *executor.Scheduler, collector *metrics.Collector, start time.Time, abort func()) {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	watch := hasAbortOnFail(t.options.Thresholds)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		t.emitVUs(scheduler)
		if !watch {
			continue
		}
		if failed, ok := firstAbortingFailure(collector.Evaluate(), time.Since(start)); ok {
			t.log.error(kindThreshold, fmt.Sprintf("threshold %s on %s failed with abortOnFail (%d samples, observed %s): stopping the test",
				failed.Threshold.Source, failed.Selector, failed.Samples, formatNumber(failed.Observed)), "")
			abort()
			return
		}
	}
}

func (t *test) emitVUs(scheduler *executor.Scheduler) {
	now := time.Now()
	builtins := t.registry.Builtins()
	t.out.Add(
		metrics.Sample{Metric: builtins.VUs, Time: now, Value: float64(scheduler.VUsActive())},
		metrics.Sample{Metric: builtins.VUsMax, Time: now, Value: float64(scheduler.VUsMax())},
	)
}

// describe splits an error into its message and, for script errors, its source location.
func describe(err error) (message, at string) {
	var scriptError *jsrt.ScriptError
	if errors.As(err, &scriptError) {
		return strings.TrimSpace(scriptError.Message), scriptError.Source
	}
	return err.Error(), ""
}

// processEnv is __ENV: the process environment, with -e entries over it.
func processEnv(overrides map[string]string) map[string]string {
	env := map[string]string{}
	for _, entry := range os.Environ() {
		if key, value, ok := strings.Cut(entry, "="); ok && key != "" {
			env[key] = value
		}
	}
	for key, value := range overrides {
		env[key] = value
	}
	return env
}

// writeFileAtomically writes value as JSON to a temporary file beside path, then renames it.
func writeFileAtomically(path string, value any) error {
	data, err := json.Marshal(value)
	if err != nil {
		return err
	}
	file, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(file.Name())
	if _, err := file.Write(data); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	if err := os.Chmod(file.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(file.Name(), path)
}

func sleepUntil(ctx context.Context, at time.Time) {
	timer := time.NewTimer(time.Until(at))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// forwardingSink lets VU 0 be created before the collector exists: samples go wherever set points.
type forwardingSink struct {
	target atomic.Pointer[metrics.Fanout]
}

func (f *forwardingSink) set(sinks metrics.Fanout) { f.target.Store(&sinks) }

func (f *forwardingSink) Add(samples ...metrics.Sample) {
	if target := f.target.Load(); target != nil {
		target.Add(samples...)
	}
}

// execution is what k6/execution sees of the runner.
type execution struct {
	testStart time.Time
	runStart  atomic.Pointer[time.Time]
	scheduler atomic.Pointer[executor.Scheduler]
	log       *logger

	mu          sync.Mutex
	cancel      context.CancelFunc
	aborted     bool
	abortReason string
}

func (e *execution) setCancel(cancel context.CancelFunc) {
	e.mu.Lock()
	e.cancel = cancel
	e.mu.Unlock()
}

// Abort is exec.test.abort(reason).
func (e *execution) Abort(reason string) {
	e.mu.Lock()
	if !e.aborted {
		e.aborted, e.abortReason = true, reason
	}
	cancel := e.cancel
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (e *execution) abortedByScript() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.aborted
}

func (e *execution) reason() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.abortReason == "" {
		return "exec.test.abort() called"
	}
	return e.abortReason
}

func cancelTestFrom(e *execution) {
	e.mu.Lock()
	cancel := e.cancel
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (e *execution) VUsActive() int64 {
	if s := e.scheduler.Load(); s != nil {
		return s.VUsActive()
	}
	return 0
}

func (e *execution) VUsMax() int64 {
	if s := e.scheduler.Load(); s != nil {
		return s.VUsMax()
	}
	return 0
}

// StartTime is when the scenarios started (before that: when the test started).
func (e *execution) StartTime() time.Time {
	if start := e.runStart.Load(); start != nil {
		return *start
	}
	return e.testStart
}

// initGCPercent is the GC target while the VUs are initialized: each VU's init context leaves
// garbage behind (the bundle's top level, parsed plans, compiled options) while the live heap grows
// by a runtime per VU, and at the run's GOGC of 400 the heap could reach five times the VUs' live
// size before a collection, which would be the peak memory of a run with many VUs.
const initGCPercent = 25

// leanGCWhileInitializing collects more often while the VUs are initialized, unless GOGC is set;
// the returned function collects once and restores the run's setting.
func leanGCWhileInitializing() func() {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	previous := debug.SetGCPercent(initGCPercent)
	return func() {
		runtime.GC()
		debug.SetGCPercent(previous)
	}
}
