package metrics

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	registry, collector := newTestCollector(t, map[string][]string{
		"http_req_duration":                 {"p(95)<200", "p(99)<=300", "avg<150"},
		"http_req_duration{endpoint:items}": {"p(95)<200"},
		"http_req_failed{endpoint:items}":   {"rate<0.01"},
		"http_reqs{endpoint:empty}":         {"count>=0"},
	}, func(r *Registry) { _, _ = r.Define("unused_custom", Counter, Default) })
	b := registry.Builtins()
	items := NewTagSet(map[string]string{"endpoint": "items", "group": ""})
	addValues(collector, b.HTTPReqDuration, items, sequence(1, 1000)...)
	addValues(collector, b.HTTPReqFailed, items, repeat(0, 999)...)
	addValues(collector, b.HTTPReqFailed, items, 1)
	addValues(collector, b.HTTPReqs, items, repeat(1, 1000)...)
	addValues(collector, b.VUs, nil, 2, 5, 3)
	addValues(collector, b.Checks, NewTagSet(map[string]string{"check": "status is 200", "group": ""}), 1, 1, 0)
	addValues(collector, b.Checks, NewTagSet(map[string]string{"check": "has body", "group": ""}), 1)
	addValues(collector, b.Checks, NewTagSet(map[string]string{"check": "inner", "group": "::login::form"}), 0)
	addValues(collector, b.GroupDuration, NewTagSet(map[string]string{"group": "::other"}), 12)

	summary := collector.Summary(SummaryInput{TestRunDuration: 10 * time.Second, IsStdErrTTY: true})
	encoded, err := json.Marshal(summary)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Options   map[string]any `json:"options"`
		State     map[string]any `json:"state"`
		RootGroup map[string]any `json:"root_group"`
		Metrics   map[string]struct {
			Type       string                     `json:"type"`
			Contains   string                     `json:"contains"`
			Values     map[string]float64         `json:"values"`
			Thresholds map[string]map[string]bool `json:"thresholds"`
			Exact      map[string]any             `json:"exact"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(encoded, &got); err != nil {
		t.Fatal(err)
	}

	if want := map[string]any{"summaryTrendStats": []any{"avg", "min", "med", "max", "p(90)", "p(95)"}, "summaryTimeUnit": "", "noColor": false}; !reflect.DeepEqual(got.Options, want) {
		t.Errorf("options %v", got.Options)
	}
	if want := map[string]any{"isStdOutTTY": false, "isStdErrTTY": true, "testRunDurationMs": 10000.0}; !reflect.DeepEqual(got.State, want) {
		t.Errorf("state %v", got.State)
	}

	var keys []string
	for key := range got.Metrics {
		keys = append(keys, key)
	}
	wantKeys := []string{"checks", "group_duration", "http_req_duration", "http_req_duration{endpoint:items}", "http_req_failed",
		"http_req_failed{endpoint:items}", "http_reqs", "http_reqs{endpoint:empty}", "vus"}
	if !sameSet(keys, wantKeys) {
		t.Errorf("metrics %v, want %v", keys, wantKeys)
	}

	duration := got.Metrics["http_req_duration"]
	if duration.Type != "trend" || duration.Contains != "time" {
		t.Errorf("duration %+v", duration)
	}
	v := duration.Values
	if v["avg"] != 500.5 || v["min"] != 1 || v["max"] != 1000 || v["med"] < 500 || v["med"] > 500.5 ||
		v["p(90)"] < 900 || v["p(90)"] > 900.9 || v["p(95)"] < 950 || v["p(95)"] > 951 || v["p(99)"] < 990 || v["p(99)"] > 991 {
		t.Errorf("duration values %v", v)
	}
	if _, hasCount := v["count"]; hasCount {
		t.Error("count is not among the default trend stats")
	}
	if want := map[string]map[string]bool{"p(95)<200": {"ok": false}, "p(99)<=300": {"ok": false}, "avg<150": {"ok": false}}; !reflect.DeepEqual(duration.Thresholds, want) {
		t.Errorf("thresholds %v", duration.Thresholds)
	}
	wantExact := map[string]any{"samples": 1000.0, "limits": map[string]any{
		"200": map[string]any{"below": 199.0, "atOrBelow": 200.0},
		"300": map[string]any{"below": 299.0, "atOrBelow": 300.0},
		"150": map[string]any{"below": 149.0, "atOrBelow": 150.0},
	}}
	if !reflect.DeepEqual(duration.Exact, wantExact) {
		t.Errorf("exact %v", duration.Exact)
	}

	failed := got.Metrics["http_req_failed{endpoint:items}"]
	if want := map[string]float64{"rate": 0.001, "passes": 1, "fails": 999}; !reflect.DeepEqual(failed.Values, want) {
		t.Errorf("failed values %v", failed.Values)
	}
	if !reflect.DeepEqual(failed.Exact, map[string]any{"samples": 1000.0, "nonZero": 1.0}) || failed.Thresholds["rate<0.01"]["ok"] != true {
		t.Errorf("failed %+v", failed)
	}
	if plain := got.Metrics["http_req_failed"]; plain.Thresholds != nil || plain.Exact != nil {
		t.Errorf("a metric without thresholds has thresholds or exact: %+v", plain)
	}

	empty := got.Metrics["http_reqs{endpoint:empty}"]
	if !reflect.DeepEqual(empty.Values, map[string]float64{"count": 0, "rate": 0}) || !empty.Thresholds["count>=0"]["ok"] ||
		!reflect.DeepEqual(empty.Exact, map[string]any{"samples": 0.0}) {
		t.Errorf("empty selector %+v", empty)
	}
	if reqs := got.Metrics["http_reqs"].Values; reqs["count"] != 1000 || reqs["rate"] != 100 {
		t.Errorf("http_reqs %v", reqs)
	}
	if vus := got.Metrics["vus"].Values; !reflect.DeepEqual(vus, map[string]float64{"value": 3, "min": 2, "max": 5}) {
		t.Errorf("vus %v", vus)
	}

	wantRoot := map[string]any{
		"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e",
		"checks": []any{
			map[string]any{"name": "status is 200", "path": "::status is 200", "id": md5Hex("::status is 200"), "passes": 2.0, "fails": 1.0},
			map[string]any{"name": "has body", "path": "::has body", "id": md5Hex("::has body"), "passes": 1.0, "fails": 0.0},
		},
		"groups": []any{
			map[string]any{"name": "login", "path": "::login", "id": md5Hex("::login"), "checks": []any{}, "groups": []any{
				map[string]any{"name": "form", "path": "::login::form", "id": md5Hex("::login::form"), "groups": []any{}, "checks": []any{
					map[string]any{"name": "inner", "path": "::login::form::inner", "id": md5Hex("::login::form::inner"), "passes": 0.0, "fails": 1.0},
				}},
			}},
			map[string]any{"name": "other", "path": "::other", "id": md5Hex("::other"), "checks": []any{}, "groups": []any{}},
		},
	}
	if !reflect.DeepEqual(got.RootGroup, wantRoot) {
		gotJSON, _ := json.MarshalIndent(got.RootGroup, "", " ")
		t.Errorf("root_group %s", gotJSON)
	}
}

func TestSummaryTrendStatsAndThresholdStatistics(t *testing.T) {
	registry := NewRegistry()
	collector, err := NewCollector(registry, CollectorOptions{
		TrendStats: []string{"count", "p(99.9)", "max"},
		Thresholds: map[string][]ThresholdConfig{"iteration_duration{scenario:a}": {{Threshold: "p(50)<=10"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	addValues(collector, registry.Builtins().IterationDuration, NewTagSet(map[string]string{"scenario": "a"}), sequence(1, 1001)...)
	metrics := collector.Summary(SummaryInput{TestRunDuration: time.Second})["metrics"].(map[string]any)
	plain := metrics["iteration_duration"].(map[string]any)["values"].(map[string]any)
	if len(plain) != 3 || plain["count"] != 1001.0 || plain["max"] != 1001.0 || plain["p(99.9)"].(float64) < 1000 || plain["p(99.9)"].(float64) > 1001 {
		t.Errorf("plain values %v", plain)
	}
	selector := metrics["iteration_duration{scenario:a}"].(map[string]any)
	values := selector["values"].(map[string]any)
	if len(values) != 4 || values["p(50)"].(float64) < 501 || values["p(50)"].(float64) > 501.5 {
		t.Errorf("selector values %v", values)
	}
	if selector["thresholds"].(map[string]any)["p(50)<=10"].(map[string]any)["ok"] != false {
		t.Errorf("threshold %v", selector["thresholds"])
	}
}

func TestSummaryUsesGivenResults(t *testing.T) {
	_, collector := newTestCollector(t, map[string][]string{"http_reqs": {"count<1"}})
	results := collector.Evaluate()
	results[0].OK = false
	metric := collector.Summary(SummaryInput{Results: results})["metrics"].(map[string]any)["http_reqs"].(map[string]any)
	if metric["thresholds"].(map[string]any)["count<1"].(map[string]any)["ok"] != false {
		t.Fatal("Summary did not use the given results")
	}
}

func sameSet(a, b []string) bool {
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}
