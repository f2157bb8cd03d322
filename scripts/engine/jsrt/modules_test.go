package jsrt

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCheckAndGroupTags(t *testing.T) {
	h, vu := newScriptVU(t, "")
	got := vu.eval(t, `
		var k6 = require("k6");
		var results = [];
		k6.group("outer", function () {
			k6.group("inner", function () {
				results.push(k6.check(1, {"is one": function (v) { return v === 1; }, "literal false": false}, {kind: "x"}));
			});
			results.push(k6.check(2, {"is two": function (v) { return v === 2; }}));
		});
		results.push(k6.check(3, {}));
		results.join(",");
	`).String()
	if got != "false,true,true" {
		t.Errorf("check results %q", got)
	}
	checks := h.sink.named("checks")
	want := []struct {
		name, group string
		value       float64
	}{{"is one", "::outer::inner", 1}, {"literal false", "::outer::inner", 0}, {"is two", "::outer", 1}}
	if len(checks) != len(want) {
		t.Fatalf("%d checks samples", len(checks))
	}
	for i, w := range want {
		if tag(checks[i], "check") != w.name || tag(checks[i], "group") != w.group || checks[i].Value != w.value || tag(checks[i], "scenario") != "s" {
			t.Errorf("check %d: %v = %v", i, checks[i].Tags.Map(), checks[i].Value)
		}
	}
	if tag(checks[0], "kind") != "x" || tag(checks[2], "kind") != "" {
		t.Error("check tags argument not applied to its own checks only")
	}
	groups := h.sink.named("group_duration")
	if len(groups) != 2 || tag(groups[0], "group") != "::outer::inner" || tag(groups[1], "group") != "::outer" {
		t.Errorf("group_duration samples %+v", groups)
	}
	if vu.tags.group != "" {
		t.Errorf("group path %q after the groups", vu.tags.group)
	}
}

func TestCheckExceptionIsRethrownAndGroupRestored(t *testing.T) {
	h, vu := newScriptVU(t, "")
	_, err := vu.evalErr(context.Background(), `
		var k6 = require("k6");
		k6.group("g", function () {
			k6.check(null, {"first": true, "throws": function (v) { return v.missing.field; }});
		});
	`)
	var scriptError *ScriptError
	if !errors.As(err, &scriptError) || !strings.Contains(scriptError.Message, "TypeError") {
		t.Fatalf("err = %v", err)
	}
	if checks := h.sink.named("checks"); len(checks) != 1 || tag(checks[0], "check") != "first" {
		t.Errorf("checks before the exception: %+v", checks)
	}
	if vu.tags.group != "" {
		t.Errorf("group path %q after an exception", vu.tags.group)
	}
	_, err = vu.evalErr(context.Background(), `require("k6").fail("stop here")`)
	if !errors.As(err, &scriptError) || scriptError.Message != "stop here" {
		t.Errorf("fail(): %v", err)
	}
}

func TestRandomSeedRepeats(t *testing.T) {
	_, vu := newScriptVU(t, "")
	first := vu.eval(t, `require("k6").randomSeed(42); [Math.random(), Math.random()].join()`).String()
	second := vu.eval(t, `require("k6").randomSeed(42); [Math.random(), Math.random()].join()`).String()
	if first != second {
		t.Errorf("%s != %s", first, second)
	}
}

func TestCustomMetrics(t *testing.T) {
	h, vu := newScriptVU(t, `
		var metrics = require("k6/metrics");
		var counter = new metrics.Counter("my_counter");
		var rate = new metrics.Rate("my_rate");
		var trend = new metrics.Trend("my_trend", true);
		var gauge = new metrics.Gauge("my_gauge");
		globalThis.m = {counter: counter, rate: rate, trend: trend, gauge: gauge};
	`)
	vu.eval(t, `m.counter.add(2, {a: "b"}); m.rate.add(true); m.rate.add(false); m.trend.add(1.5); m.gauge.add(7); m.counter.name`)
	counter := h.sink.named("my_counter")
	if len(counter) != 1 || counter[0].Value != 2 || tag(counter[0], "a") != "b" || tag(counter[0], "scenario") != "s" {
		t.Errorf("counter %+v", counter)
	}
	if rate := h.sink.named("my_rate"); len(rate) != 2 || rate[0].Value != 1 || rate[1].Value != 0 {
		t.Errorf("rate %+v", rate)
	}
	if trend := h.sink.named("my_trend"); len(trend) != 1 || trend[0].Metric.Contains != "time" || trend[0].Metric.Type != "trend" {
		t.Errorf("trend %+v", trend)
	}
	for code, want := range map[string]string{
		`new (require("k6/metrics").Counter)("late")`: "init context",
		`m.counter.add("abc")`:                        "my_counter",
	} {
		if _, err := vu.evalErr(context.Background(), code); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", code, err)
		}
	}
	bad := newHarness(t, "test.js", `var metrics = require("k6/metrics"); new metrics.Counter("bad name!");`)
	if _, err := NewVU(context.Background(), bad.env, 0); err == nil || !strings.Contains(err.Error(), "bad name!") {
		t.Errorf("invalid metric name: %v", err)
	}
}

func TestExecutionModule(t *testing.T) {
	h := newHarness(t, "test.js", `
		var exec = require("k6/execution");
		globalThis.exec = exec;
		module.exports.options = {vus: 2};
		module.exports.default = function () {
			exec.vu.tags.custom = "yes";
			globalThis.seen = [exec.vu.idInTest, exec.scenario.name, exec.scenario.iterationInInstance, exec.scenario.iterationInTest,
				exec.instance.vusActive, exec.instance.vusInitialized, exec.test.options.vus, exec.vu.tags.scenario, exec.vu.tags.custom].join(",");
		};
	`)
	vu := h.newVU(t, 5)
	if err := vu.Activate(Activation{Scenario: "browse"}); err != nil {
		t.Fatal(err)
	}
	if err := vu.RunIteration(context.Background(), IterationInfo{InScenario: 9, InTest: 12}); err != nil {
		t.Fatal(err)
	}
	if got := vu.eval(t, "seen").String(); got != "5,browse,9,12,2,3,2,browse,yes" {
		t.Errorf("exec values %q", got)
	}
	if vu.tags.current().Map()["custom"] != "yes" {
		t.Error("exec.vu.tags did not change the VU's tags")
	}
	_, err := vu.evalErr(context.Background(), `exec.scenario.executor`)
	var unsupported *UnsupportedError
	if !errors.As(err, &unsupported) {
		t.Errorf("scenario.executor: %v", err)
	}
}
