package executor

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseScenariosDefaults(t *testing.T) {
	configs, err := ParseScenarios(json.RawMessage(`{
		"thresholds": {"http_req_duration": ["p(95)<200"]},
		"scenarios": {
			"zeta": {"executor": "constant-arrival-rate", "rate": 50, "duration": "2s", "preAllocatedVUs": 5},
			"alpha": {"executor": "ramping-vus", "stages": [{"duration": "1m", "target": 10}, {"duration": 500, "target": 0}],
			          "startTime": "30s", "exec": "browse", "tags": {"team": "a"}, "env": {"K": "v"}}
		}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Config{
		{Name: "zeta", Executor: ConstantArrivalRate, Exec: "default", GracefulStop: 30 * time.Second, TimeUnit: time.Second,
			Rate: 50, Duration: 2 * time.Second, PreAllocatedVUs: 5, MaxVUs: 5},
		{Name: "alpha", Executor: RampingVUs, Exec: "browse", StartTime: 30 * time.Second, GracefulStop: 30 * time.Second,
			GracefulRampDown: 30 * time.Second, TimeUnit: time.Second, StartVUs: 1,
			Stages: []Stage{{time.Minute, 10}, {500 * time.Millisecond, 0}}, Tags: map[string]string{"team": "a"}, Env: map[string]string{"K": "v"}},
	}
	if !reflect.DeepEqual(configs, want) {
		t.Fatalf("got  %+v\nwant %+v", configs, want)
	}
}

func TestParseScenariosShortcuts(t *testing.T) {
	tests := []struct {
		options string
		want    Config
	}{
		{`{}`, Config{Executor: PerVUIterations, VUs: 1, Iterations: 1, MaxDuration: 10 * time.Minute}},
		{`{"vus": 5, "duration": "10s"}`, Config{Executor: ConstantVUs, VUs: 5, Duration: 10 * time.Second}},
		{`{"iterations": 20, "vus": 4}`, Config{Executor: SharedIterations, VUs: 4, Iterations: 20, MaxDuration: 10 * time.Minute}},
		{`{"stages": [{"duration": "5s", "target": 3}]}`, Config{Executor: RampingVUs, StartVUs: 1, GracefulRampDown: 30 * time.Second,
			Stages: []Stage{{5 * time.Second, 3}}}},
	}
	for _, test := range tests {
		configs, err := ParseScenarios(json.RawMessage(test.options))
		if err != nil {
			t.Fatalf("%s: %v", test.options, err)
		}
		want := test.want
		want.Name, want.Exec, want.GracefulStop, want.TimeUnit = "default", "default", 30*time.Second, time.Second
		if len(configs) != 1 || !reflect.DeepEqual(configs[0], want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", test.options, configs, want)
		}
	}
}

func TestParseScenariosErrors(t *testing.T) {
	scenario := func(body string) string { return `{"scenarios": {"browse": ` + body + `}}` }
	tests := []struct{ options, want string }{
		{scenario(`{"executor": "constant-arival-rate"}`), `scenarios.browse.executor: unknown executor "constant-arival-rate"`},
		{scenario(`{"rate": 5}`), `scenarios.browse.executor: missing`},
		{scenario(`{"executor": "constant-arrival-rate", "duration": "1s", "preAllocatedVUs": 1}`), `scenarios.browse.rate: missing`},
		{scenario(`{"executor": "constant-arrival-rate", "rate": 5, "preAllocatedVUs": 1}`), `scenarios.browse.duration: missing`},
		{scenario(`{"executor": "constant-arrival-rate", "rate": 5, "duration": "1s"}`), `scenarios.browse.preAllocatedVUs: missing`},
		{scenario(`{"executor": "constant-arrival-rate", "rate": 5, "duration": "1s", "preAllocatedVUs": 5, "maxVUs": 2}`),
			`scenarios.browse.maxVUs: 2 is below preAllocatedVUs 5`},
		{scenario(`{"executor": "constant-vus", "vus": -3, "duration": "1s"}`), `scenarios.browse.vus: -3 is negative`},
		{scenario(`{"executor": "constant-vus", "vus": 2.5, "duration": "1s"}`), `scenarios.browse.vus: 2.5 is not a whole number`},
		{scenario(`{"executor": "constant-vus", "vus": 2, "duration": "5 s"}`), `scenarios.browse.duration: "5 s" is not a duration`},
		{scenario(`{"executor": "constant-vus", "vus": 2, "duration": "-5s"}`), `scenarios.browse.duration: "-5s" is negative`},
		{scenario(`{"executor": "constant-vus", "vus": 2, "duration": "0s"}`), `scenarios.browse.duration: "0s" must be above zero`},
		{scenario(`{"executor": "constant-vus", "vus": 2, "duration": "1s", "rate": 5}`), `scenarios.browse: unknown key "rate" for executor constant-vus`},
		{scenario(`{"executor": "constant-vus", "vus": 2, "duration": "1s", "gracefulstop": "5s"}`), `unknown key "gracefulstop"`},
		{scenario(`{"executor": "constant-vus", "vus": 200000, "duration": "1s"}`), `scenarios.browse.vus: 200000 is above the limit of 100000 (each VU is a JavaScript runtime`},
		{scenario(`{"executor": "ramping-arrival-rate", "preAllocatedVUs": 1, "stages": []}`), `scenarios.browse.stages: the list is empty`},
		{scenario(`{"executor": "ramping-arrival-rate", "preAllocatedVUs": 1, "stages": [{"duration": "1s", "target": -1}]}`), `scenarios.browse.stages[0].target: -1 is negative`},
		{scenario(`{"executor": "ramping-vus", "stages": [{"duration": "1s", "target": 1, "vus": 2}]}`), `scenarios.browse.stages[0]: unknown key "vus"`},
		{scenario(`{"executor": "constant-arrival-rate", "rate": 5, "timeUnit": "0s", "duration": "1s", "preAllocatedVUs": 1}`), `scenarios.browse.timeUnit: "0s" must be above zero`},
		{scenario(`{"executor": "constant-arrival-rate", "rate": 5000000, "duration": "1s", "preAllocatedVUs": 1}`), `scenarios.browse.rate: 5000000 is above the limit of 1000000`},
		{scenario(`{"executor": "shared-iterations", "iterations": 5, "maxDuration": "2h0"}`), `scenarios.browse.maxDuration: "2h0" is not a duration`},
		{scenario(`{"executor": "constant-vus", "vus": 2, "duration": "1000h"}`), `scenarios.browse.duration: "1000h" is above the limit of 168h0m0s`},
		{scenario(`"fast"`), `scenarios.browse: "fast" is not an object`},
		{`{"scenarios": {"bad name": {"executor": "constant-vus", "duration": "1s"}}}`, `scenario name "bad name" must match ^[A-Za-z0-9_-]{1,64}$`},
		{`{"scenarios": {"` + strings.Repeat("a", 65) + `": {"executor": "constant-vus", "duration": "1s"}}}`, `must match`},
		{`{"scenarios": {}}`, `options.scenarios: no scenario defined`},
		{`{"vus": 2, "scenarios": {"a": {"executor": "constant-vus", "duration": "1s"}}}`, `options.vus cannot be combined with options.scenarios`},
		{`{"duration": "forever"}`, `options.duration: "forever" is not a duration`},
		{`{"stages": [{"duration": "1s", "target": 1}], "iterations": 5}`, `options.stages cannot be combined with options.iterations`},
		{`[1]`, `options: [1] is not an object`},
	}
	for _, test := range tests {
		_, err := ParseScenarios(json.RawMessage(test.options))
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s:\n got error %v\nwant one containing %q", test.options, err, test.want)
		}
	}
}

func TestNewRejectsDuplicateNames(t *testing.T) {
	config := Config{Name: "a", Executor: ConstantVUs, VUs: 1, Duration: time.Second}
	_, err := New([]Config{config, config}, fakeEnv(newFakeSink(), nil))
	if err == nil || !strings.Contains(err.Error(), "scenarios.a: the name is used twice") {
		t.Fatalf("got %v", err)
	}
}
