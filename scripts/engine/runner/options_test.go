package runner

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"bulwark.dev/engine/metrics"
)

func TestParseOptions(t *testing.T) {
	options, err := parseOptions(json.RawMessage(`{
		"scenarios": {"s": {"executor": "constant-vus", "vus": 2, "duration": "1s", "tags": {"team": "b"}}},
		"thresholds": {
			"http_req_duration{endpoint:x}": ["p(95)<200", {"threshold": "p(99)<300", "abortOnFail": true, "delayAbortEval": "5s"}],
			"checks": "rate>0.99"
		},
		"summaryTrendStats": ["avg", "p(99)", "count"],
		"setupTimeout": "30s", "teardownTimeout": 2000, "discardResponseBodies": true, "maxRedirects": 3, "userAgent": "me/1",
		"tags": {"team": "a", "env": "ci"},
		"summaryTimeUnit": "ms", "noConnectionReuse": false, "hosts": {}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	wantThresholds := map[string][]metrics.ThresholdConfig{
		"http_req_duration{endpoint:x}": {{Threshold: "p(95)<200"}, {Threshold: "p(99)<300", AbortOnFail: true, DelayAbortEval: "5s"}},
		"checks":                        {{Threshold: "rate>0.99"}},
	}
	if !reflect.DeepEqual(options.Thresholds, wantThresholds) {
		t.Errorf("thresholds %+v", options.Thresholds)
	}
	if options.SetupTimeout != 30*time.Second || options.TeardownTimeout != 2*time.Second || !options.DiscardResponseBodies ||
		options.MaxRedirects != 3 || options.UserAgent != "me/1" || len(options.SummaryTrendStats) != 3 {
		t.Errorf("options %+v", options)
	}
	if tags := options.Scenarios[0].Tags; !reflect.DeepEqual(tags, map[string]string{"team": "b", "env": "ci"}) {
		t.Errorf("scenario tags %v: the scenario's own tags win over options.tags", tags)
	}
}

func TestParseOptionsErrors(t *testing.T) {
	for options, want := range map[string]string{
		`{"rps": 100, "hosts": {"a": "1.2.3.4"}}`:                       "options.hosts, options.rps is not supported",
		`{"noConnectionReuse": true}`:                                   "options.noConnectionReuse is not supported",
		`{"setupTimeout": "soon"}`:                                      `options.setupTimeout: "soon" is not a duration`,
		`{"maxRedirects": -1}`:                                          "options.maxRedirects: -1 is not a whole number from 0 to 1000",
		`{"thresholds": {"checks": [{"threshold": "rate>0", "x": 1}]}}`: `unknown key "x"`,
		`{"thresholds": {"checks": [42]}}`:                              `options.thresholds["checks"]: 42 is neither`,
		`{"scenarios": {"s": {"executor": "nope"}}}`:                    `scenarios.s.executor: unknown executor "nope"`,
	} {
		_, err := parseOptions(json.RawMessage(options))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", options, err, want)
		}
	}
}

func TestTextSummary(t *testing.T) {
	var out bytes.Buffer
	writeTextSummary(&out, map[string]any{
		"state": map[string]any{"testRunDurationMs": 2500.0},
		"metrics": map[string]any{
			"checks":    map[string]any{"type": "rate", "contains": "default", "values": map[string]any{"rate": 0.5, "passes": int64(1), "fails": int64(1)}},
			"http_reqs": map[string]any{"type": "counter", "contains": "default", "values": map[string]any{"count": int64(10), "rate": 4.0}},
			"http_req_duration": map[string]any{"type": "trend", "contains": "time", "values": map[string]any{"avg": 1.5, "p(95)": 2.25, "max": 3.0},
				"thresholds": map[string]any{"p(95)<2": map[string]any{"ok": false}}},
		},
	})
	want := `bulwark-engine: test ran 2.5s
  checks..............  50.00%  1 of 2
  http_req_duration...  avg=1.5ms max=3ms p(95)=2.25ms
  http_reqs...........  10  4/s
thresholds:
  ✗ http_req_duration p(95)<2
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestLogLines(t *testing.T) {
	var out bytes.Buffer
	log := newLogger(&out, "json")
	log.setPhase(kindSetup)
	log.log("info", "a <b> & c", map[string]string{"source": "console"})
	log.log("debug", "dropped", nil)
	log.log("warn", "boom", map[string]string{"kind": "iteration", "at": "x.ts:1:2", "scenario": "s"})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines: %q", lines)
	}
	// Fixed key order, empty fields left out, extra fields last.
	first := lines[0][strings.Index(lines[0], `,"level"`):]
	if first != `,"level":"info","msg":"a <b> & c","source":"console","kind":"setup"}` {
		t.Errorf("line 1: %s", lines[0])
	}
	second := lines[1][strings.Index(lines[1], `,"level"`):]
	if second != `,"level":"warn","msg":"boom","source":"engine","kind":"iteration","at":"x.ts:1:2","scenario":"s"}` {
		t.Errorf("line 2: %s", lines[1])
	}
}
