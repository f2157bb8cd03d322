package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// countingServer counts requests to /hit (and /teardown) and remembers when the last one arrived.
type countingServer struct {
	*httptest.Server
	hits, teardowns atomic.Int64
	last            atomic.Int64 // unix nanoseconds of the last request
	status          atomic.Int64
}

func newCountingServer(t *testing.T) *countingServer {
	s := &countingServer{}
	s.status.Store(200)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.last.Store(time.Now().UnixNano())
		if r.URL.Path == "/teardown" {
			s.teardowns.Add(1)
		} else {
			s.hits.Add(1)
		}
		w.WriteHeader(int(s.status.Load()))
	}))
	t.Cleanup(s.Close)
	return s
}

type runResult struct {
	code           int
	stdout, stderr string
	summary        map[string]any
	took           time.Duration
}

// runScript runs testdata/basic.js in-process with the options and extra __ENV entries given.
func runScript(t *testing.T, ctx context.Context, server *countingServer, options string, env map[string]string) runResult {
	t.Helper()
	summaryPath := filepath.Join(t.TempDir(), "summary.json")
	var stdout, stderr bytes.Buffer
	config := Config{
		Bundle:      "testdata/basic.js",
		SummaryJSON: summaryPath,
		Env:         map[string]string{"OPTIONS": options, "BASE": server.URL},
		LogFormat:   "json",
		Stdout:      &stdout,
		Stderr:      &stderr,
	}
	for key, value := range env {
		config.Env[key] = value
	}
	began := time.Now()
	code := Run(ctx, config)
	result := runResult{code: code, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(began)}
	if data, err := os.ReadFile(summaryPath); err == nil {
		if err := json.Unmarshal(data, &result.summary); err != nil {
			t.Fatalf("summary JSON: %v", err)
		}
	}
	return result
}

// metricValue reads summary.metrics[name].values[key].
func metricValue(t *testing.T, summary map[string]any, name, key string) float64 {
	t.Helper()
	metrics, _ := summary["metrics"].(map[string]any)
	metric, ok := metrics[name].(map[string]any)
	if !ok {
		t.Fatalf("no metric %s in the summary", name)
	}
	value, ok := metric["values"].(map[string]any)[key].(float64)
	if !ok {
		t.Fatalf("no %s.values.%s in the summary", name, key)
	}
	return value
}

func TestConstantArrivalRateExactCounts(t *testing.T) {
	server := newCountingServer(t)
	options := `{"scenarios": {"steady": {"executor": "constant-arrival-rate", "rate": 50, "timeUnit": "1s", "duration": "2s",
		"preAllocatedVUs": 5, "maxVUs": 20, "gracefulStop": "5s"}},
		"thresholds": {"http_reqs{endpoint:hit}": ["count==100"], "http_req_failed": ["rate<0.01"], "checks": ["rate==1"]}}`
	result := runScript(t, context.Background(), server, options, nil)
	if result.code != ExitPassed {
		t.Fatalf("exit %d, stderr:\n%s", result.code, result.stderr)
	}
	if got := metricValue(t, result.summary, "iterations", "count"); got != 100 {
		t.Errorf("iterations = %v, want 100", got)
	}
	if got := metricValue(t, result.summary, "http_reqs{endpoint:hit}", "count"); got != 100 {
		t.Errorf("http_reqs{endpoint:hit} = %v, want 100", got)
	}
	if got := server.hits.Load(); got != 100 {
		t.Errorf("the server saw %d requests, want 100", got)
	}
	if got := server.teardowns.Load(); got != 1 {
		t.Errorf("teardown requests = %d, want 1", got)
	}
	if _, dropped := result.summary["metrics"].(map[string]any)["dropped_iterations"]; dropped {
		t.Errorf("dropped iterations in the summary")
	}
	// No handleSummary: the short text summary is on stdout.
	if !strings.Contains(result.stdout, "iterations") || !strings.Contains(result.stdout, "✓ http_reqs{endpoint:hit} count==100") {
		t.Errorf("text summary:\n%s", result.stdout)
	}
}

func TestThresholdsFailExit10(t *testing.T) {
	server := newCountingServer(t)
	options := `{"scenarios": {"few": {"executor": "per-vu-iterations", "vus": 1, "iterations": 3}},
		"thresholds": {"http_reqs": ["count>1000"]}}`
	result := runScript(t, context.Background(), server, options, nil)
	if result.code != ExitThresholdsFailed {
		t.Fatalf("exit %d, want 10; stderr:\n%s", result.code, result.stderr)
	}
	if !strings.Contains(result.stderr, `threshold count>1000 on http_reqs failed`) {
		t.Errorf("stderr:\n%s", result.stderr)
	}
}

func TestSetupThrowsExit21(t *testing.T) {
	server := newCountingServer(t)
	result := runScript(t, context.Background(), server, `{}`, map[string]string{"SETUP_THROW": "1"})
	if result.code != ExitSetupFailed {
		t.Fatalf("exit %d, want 21; stderr:\n%s", result.code, result.stderr)
	}
	line := findLogLine(t, result.stderr, "setup() failed")
	if line["level"] != "error" || line["kind"] != "setup" || !strings.Contains(line["msg"], "setup exploded") ||
		!strings.HasPrefix(line["at"], "basic.js:12") {
		t.Errorf("setup error line: %v", line)
	}
	if server.hits.Load() != 0 {
		t.Errorf("scenarios ran after setup failed")
	}
}

func TestAbortOnFailExit11Early(t *testing.T) {
	server := newCountingServer(t)
	server.status.Store(500)
	options := `{"scenarios": {"long": {"executor": "constant-arrival-rate", "rate": 20, "duration": "20s", "preAllocatedVUs": 2, "maxVUs": 10}},
		"thresholds": {"http_req_failed": [{"threshold": "rate<0.5", "abortOnFail": true, "delayAbortEval": "500ms"}]}}`
	result := runScript(t, context.Background(), server, options, nil)
	if result.code != ExitAbortedOnFail {
		t.Fatalf("exit %d, want 11; stderr:\n%s", result.code, result.stderr)
	}
	if result.took > 5*time.Second {
		t.Errorf("took %s: abortOnFail did not stop the test early", result.took)
	}
	if result.summary == nil {
		t.Errorf("no summary written")
	}
}

func TestScriptAbortExit23(t *testing.T) {
	server := newCountingServer(t)
	options := `{"scenarios": {"s": {"executor": "constant-vus", "vus": 1, "duration": "10s"}}}`
	result := runScript(t, context.Background(), server, options, map[string]string{"ABORT_AT": "2"})
	if result.code != ExitScriptAborted {
		t.Fatalf("exit %d, want 23; stderr:\n%s", result.code, result.stderr)
	}
	if result.took > 3*time.Second {
		t.Errorf("took %s", result.took)
	}
	if !strings.Contains(result.stderr, "the script aborted the test: enough") {
		t.Errorf("stderr:\n%s", result.stderr)
	}
}

func TestInvalidOptionsExit20(t *testing.T) {
	server := newCountingServer(t)
	for options, want := range map[string]string{
		`{"rps": 10}`: "options.rps is not supported",
		`{"scenarios": {"s": {"executor": "constant-vus", "vus": 1, "duration": "5 s"}}}`:                   `scenarios.s.duration: "5 s" is not a duration`,
		`{"thresholds": {"no_such_metric": ["count>0"]}}`:                                                   "no_such_metric",
		`{"scenarios": {"s": {"executor": "constant-vus", "vus": 1, "duration": "1s", "exec": "missing"}}}`: `scenarios.s.exec: the script exports no function "missing"`,
	} {
		result := runScript(t, context.Background(), server, options, nil)
		if result.code != ExitScriptError || !strings.Contains(logMessages(result.stderr), want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant 20 and %q", options, result.code, result.stderr, want)
		}
	}
	// Harmless options, and refused ones at their zero value, are accepted.
	result := runScript(t, context.Background(), server, `{"summaryTimeUnit": "ms", "noConnectionReuse": false, "tags": {"team": "a"}}`, nil)
	if result.code != ExitPassed {
		t.Errorf("exit %d, stderr:\n%s", result.code, result.stderr)
	}
}

func TestHandleSummaryWritesFiles(t *testing.T) {
	server := newCountingServer(t)
	path := filepath.Join(t.TempDir(), "mine.json")
	result := runScript(t, context.Background(), server, `{"iterations": 4, "vus": 2}`, map[string]string{"SUMMARY_FILE": path})
	if result.code != ExitPassed {
		t.Fatalf("exit %d, stderr:\n%s", result.code, result.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != `{"iterations":4}` {
		t.Errorf("handleSummary file: %q %v", data, err)
	}
	if result.stdout != "" {
		t.Errorf("stdout should be empty with handleSummary: %q", result.stdout)
	}
}

func TestInspect(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Inspect(context.Background(), Config{
		Bundle: "testdata/basic.js", Stdout: &stdout, Stderr: &stderr,
		Env: map[string]string{"OPTIONS": `{"scenarios": {"s": {"executor": "constant-arrival-rate", "rate": 5, "duration": "1m", "preAllocatedVUs": 2}}}`},
	})
	if code != ExitPassed {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var options map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &options); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	scenario := options["scenarios"].(map[string]any)["s"].(map[string]any)
	if scenario["maxVUs"] != 2.0 || scenario["gracefulStop"] != "30s" || options["setupTimeout"] != "1m0s" {
		t.Errorf("inspect: %s", stdout.String())
	}
}

// The process tests run the built binary.

var (
	buildOnce   sync.Once
	binaryPath  string
	buildFailed error
)

func engineBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bulwark-engine-test")
		if err != nil {
			buildFailed = err
			return
		}
		binaryPath = filepath.Join(dir, "bulwark-engine")
		output, err := exec.Command("go", "build", "-o", binaryPath, "bulwark.dev/engine").CombinedOutput()
		if err != nil {
			buildFailed = errors.New(string(output))
		}
	})
	if buildFailed != nil {
		t.Fatalf("building the engine: %v", buildFailed)
	}
	return binaryPath
}

func engineCommand(t *testing.T, server *countingServer, options string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	binary := engineBinary(t)
	command := exec.Command(binary, append(append([]string{"run"}, args...),
		"-e", "OPTIONS="+options, "-e", "BASE="+server.URL, "testdata/basic.js")...)
	var stderr bytes.Buffer
	command.Stderr = &stderr
	command.Stdout = io.Discard
	return command, &stderr
}

func exitCode(t *testing.T, err error) int {
	var exitErr *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &exitErr) {
		t.Fatalf("waiting for the engine: %v", err)
	}
	return exitErr.ExitCode()
}

const longRun = `{"scenarios": {"long": {"executor": "constant-arrival-rate", "rate": 20, "duration": "30s", "preAllocatedVUs": 2, "maxVUs": 10}}}`

func TestSIGTERMExit30WithSummary(t *testing.T) {
	server := newCountingServer(t)
	summaryPath := filepath.Join(t.TempDir(), "summary.json")
	command, stderr := engineCommand(t, server, longRun, "--summary-json", summaryPath)
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return server.hits.Load() >= 5 })
	if err := command.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	code := exitCode(t, command.Wait())
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 30; stderr:\n%s", code, stderr)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("took %s to stop", took)
	}
	data, err := os.ReadFile(summaryPath)
	if err != nil || !bytes.Contains(data, []byte(`"iterations"`)) {
		t.Errorf("summary after SIGTERM: %v %.200s", err, data)
	}
	if server.teardowns.Load() != 1 {
		t.Errorf("teardown did not run after SIGTERM")
	}
}

func TestStdinClosedExit31(t *testing.T) {
	server := newCountingServer(t)
	summaryPath := filepath.Join(t.TempDir(), "summary.json")
	command, stderr := engineCommand(t, server, longRun, "--watch-stdin", "--summary-json", summaryPath)
	stdin, err := command.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return server.hits.Load() >= 5 })
	stdin.Close()
	closed := time.Now()
	code := exitCode(t, command.Wait())
	exited := time.Now()
	if code != ExitStdinClosed {
		t.Fatalf("exit %d, want 31; stderr:\n%s", code, stderr)
	}
	if took := exited.Sub(closed); took > time.Second {
		t.Errorf("exited %s after stdin closed, want within a second", took)
	}
	hits := server.hits.Load()
	time.Sleep(300 * time.Millisecond)
	if server.hits.Load() != hits || time.Unix(0, server.last.Load()).After(exited) {
		t.Errorf("the server saw requests after the engine exited")
	}
	if server.teardowns.Load() != 0 {
		t.Errorf("teardown ran on a hard stop")
	}
	if _, err := os.Stat(summaryPath); err == nil {
		t.Errorf("a summary was written on a hard stop")
	}
}

func TestUsageErrors(t *testing.T) {
	binary := engineBinary(t)
	for _, args := range [][]string{
		{"run"},
		{"run", "--out", "csv=x", "testdata/basic.js"},
		{"run", "--runner-id", "5000", "testdata/basic.js"},
		{"run", "testdata/missing.js"},
		{"frobnicate"},
	} {
		var stderr bytes.Buffer
		command := exec.Command(binary, args...)
		command.Stderr = &stderr
		if code := exitCode(t, command.Run()); code != ExitUsage {
			t.Errorf("%v: exit %d, want 40; stderr: %s", args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), `"level":"error"`) || !strings.Contains(stderr.String(), `"kind":"usage"`) {
			t.Errorf("%v: stderr: %s", args, stderr.String())
		}
	}
	output, err := exec.Command(binary, "version").Output()
	if err != nil || string(output) != "bulwark-engine dev\n" {
		t.Errorf("version: %q %v", output, err)
	}
}

func waitFor(t *testing.T, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// findLogLine returns the first JSON log line whose msg contains text.
func findLogLine(t *testing.T, stderr, text string) map[string]string {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		var fields map[string]string
		if json.Unmarshal([]byte(line), &fields) == nil && strings.Contains(fields["msg"], text) {
			return fields
		}
	}
	t.Fatalf("no log line with %q in:\n%s", text, stderr)
	return nil
}

// logMessages joins the msg fields of the JSON log lines.
func logMessages(stderr string) string {
	var messages []string
	for _, line := range strings.Split(stderr, "\n") {
		var fields map[string]string
		if json.Unmarshal([]byte(line), &fields) == nil {
			messages = append(messages, fields["msg"])
		}
	}
	return strings.Join(messages, "\n")
}
