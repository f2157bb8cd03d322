package jsrt

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"bulwark.dev/engine/metrics"
)

// recordingSink keeps every sample.
type recordingSink struct {
	mu      sync.Mutex
	samples []metrics.Sample
	adds    int
}

func (s *recordingSink) Add(samples ...metrics.Sample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adds++
	s.samples = append(s.samples, samples...)
}

// named returns the samples of one metric.
func (s *recordingSink) named(metric string) []metrics.Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []metrics.Sample
	for _, sample := range s.samples {
		if sample.Metric.Name == metric {
			found = append(found, sample)
		}
	}
	return found
}

type logLine struct{ level, message string }

type recordingLog struct {
	mu    sync.Mutex
	lines []logLine
}

func (l *recordingLog) log(level, message string, _ map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, logLine{level, message})
}

func (l *recordingLog) contains(text string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line.message, text) {
			return true
		}
	}
	return false
}

// fakeExecution records exec.test.abort calls.
type fakeExecution struct {
	mu       sync.Mutex
	aborted  []string
	started  time.Time
	vusMax   int64
	vusAlive int64
}

func (f *fakeExecution) Abort(reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aborted = append(f.aborted, reason)
}
func (f *fakeExecution) VUsActive() int64     { return f.vusAlive }
func (f *fakeExecution) VUsMax() int64        { return f.vusMax }
func (f *fakeExecution) StartTime() time.Time { return f.started }

type harness struct {
	env  *Environment
	sink *recordingSink
	log  *recordingLog
	exec *fakeExecution
}

func newHarness(t *testing.T, filename, source string) *harness {
	t.Helper()
	program, err := Compile(filename, []byte(source))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	h := &harness{sink: &recordingSink{}, log: &recordingLog{}, exec: &fakeExecution{started: time.Now(), vusMax: 3, vusAlive: 2}}
	h.env = &Environment{
		Program:   program,
		Env:       map[string]string{},
		Registry:  metrics.NewRegistry(),
		Out:       h.sink,
		Log:       h.log.log,
		Execution: h.exec,
	}
	return h
}

func (h *harness) newVU(t *testing.T, id int64) *VU {
	t.Helper()
	vu, err := NewVU(context.Background(), h.env, id)
	if err != nil {
		t.Fatalf("NewVU: %v", err)
	}
	t.Cleanup(vu.Close)
	return vu
}

// newScriptVU makes a VU from a tiny CommonJS module whose default export does nothing, with
// require available as a global so eval can use the k6 modules.
func newScriptVU(t *testing.T, init string) (*harness, *VU) {
	t.Helper()
	h := newHarness(t, "test.js", init+"\nmodule.exports.default = function () {};\n")
	vu := h.newVU(t, 1)
	if err := vu.rt.Set("require", vu.require); err != nil {
		t.Fatal(err)
	}
	if err := vu.Activate(Activation{Scenario: "s", Exec: "default"}); err != nil {
		t.Fatal(err)
	}
	return h, vu
}

// eval runs code in the VU as an iteration would (under a context, timers settled).
func (v *VU) eval(t *testing.T, code string) goja.Value {
	t.Helper()
	value, err := v.evalErr(context.Background(), code)
	if err != nil {
		t.Fatalf("eval %q: %v", code, err)
	}
	return value
}

func (v *VU) evalErr(ctx context.Context, code string) (goja.Value, error) {
	return v.call(ctx, func() (goja.Value, error) { return v.rt.RunString(code) })
}

func tag(sample metrics.Sample, key string) string {
	value, _ := sample.Tags.Get(key)
	return value
}
