package metrics

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
)

func TestConcurrentAdd(t *testing.T) {
	registry, collector := newTestCollector(t, map[string][]string{
		"http_req_duration":               {"p(95)<50", "count==80000"},
		"http_req_duration{endpoint:odd}": {"count==40000", "max<=100"},
		"http_req_failed":                 {"rate==0.25"},
		"checks":                          {"rate==0.5"},
	})
	b := registry.Builtins()
	const goroutines, perGoroutine = 8, 10000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			odd := NewTagSet(map[string]string{"endpoint": "odd", "vu": fmt.Sprint(g)})
			even := odd.With(map[string]string{"endpoint": "even"})
			check := NewTagSet(map[string]string{"check": fmt.Sprintf("check %d", g%2), "group": ""})
			for i := range perGoroutine {
				tags := even
				if i%2 == 1 {
					tags = odd
				}
				collector.Add(
					Sample{Metric: b.HTTPReqDuration, Value: float64(i%100 + 1), Tags: tags},
					Sample{Metric: b.HTTPReqFailed, Value: float64(i % 4 / 3), Tags: tags},
					Sample{Metric: b.Checks, Value: float64(i % 2), Tags: check},
				)
				if i%1000 == 0 {
					collector.Evaluate() // readers run alongside writers
				}
			}
		}()
	}
	wg.Wait()
	for _, result := range collector.Evaluate() {
		want := result.Threshold.Source != "p(95)<50"
		if result.OK != want {
			t.Errorf("%s %s: ok=%v (observed %v, samples %d)", result.Selector, result.Threshold.Source, result.OK, result.Observed, result.Samples)
		}
	}
	checks := collector.Summary(SummaryInput{})["root_group"].(map[string]any)["checks"].([]any)
	if len(checks) != 2 {
		t.Fatalf("checks %v", checks)
	}
	for _, check := range checks {
		c := check.(map[string]any)
		if c["passes"].(int64)+c["fails"].(int64) != goroutines/2*perGoroutine || c["passes"] != c["fails"] {
			t.Errorf("check %v", c)
		}
	}
}

func TestLateAndCopiedMetrics(t *testing.T) {
	registry, collector := newTestCollector(t, nil)
	late, err := registry.Define("defined_after_the_collector", Trend, Time)
	if err != nil {
		t.Fatal(err)
	}
	addValues(collector, late, nil, 1, 2, 3)
	copied := *registry.Builtins().HTTPReqs
	addValues(collector, &copied, nil, 4)
	addValues(collector, &Metric{Name: "never_registered", Type: Counter}, nil, 1)
	addValues(collector, &Metric{Name: "http_reqs", Type: Trend}, nil, 1) // wrong type: dropped
	addValues(collector, registry.Builtins().HTTPReqs, nil, math.NaN())   // NaN: dropped

	metrics := collector.Summary(SummaryInput{})["metrics"].(map[string]any)
	if len(metrics) != 2 {
		t.Fatalf("metrics %v", metrics)
	}
	if got := metrics["defined_after_the_collector"].(map[string]any)["values"].(map[string]any)["avg"]; got != 2.0 {
		t.Errorf("late metric avg %v", got)
	}
	if got := metrics["http_reqs"].(map[string]any)["values"].(map[string]any)["count"]; got != 4.0 {
		t.Errorf("http_reqs count %v", got)
	}
}

// BenchmarkCollectorAdd feeds the samples of one HTTP request (as k6/http emits them) from parallel
// goroutines, with thresholds on the whole metrics and on per-endpoint selectors.
func BenchmarkCollectorAdd(b *testing.B) {
	thresholds := map[string][]string{
		"http_req_duration": {"p(95)<500", "p(99)<1000"},
		"http_req_failed":   {"rate<0.01"},
		"checks":            {"rate>0.99"},
	}
	for _, endpoint := range []string{"list", "get", "create", "update", "delete"} {
		thresholds["http_req_duration{endpoint:"+endpoint+"}"] = []string{"p(95)<300", "p(99)<800"}
		thresholds["http_req_failed{endpoint:"+endpoint+"}"] = []string{"rate<0.01"}
		thresholds["http_reqs{endpoint:"+endpoint+"}"] = []string{"count>=0"}
	}
	registry, collector := newTestCollector(b, thresholds)
	m := registry.Builtins()
	var goroutine atomic.Int64
	var samples atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := goroutine.Add(1)
		tags := NewTagSet(map[string]string{
			"scenario": "default", "group": "", "method": "GET", "url": "http://127.0.0.1/items", "name": "http://127.0.0.1/items",
			"status": "200", "expected_response": "true", "proto": "HTTP/1.1", "endpoint": "get",
		})
		check := NewTagSet(map[string]string{"scenario": "default", "group": "", "check": "status is 200"})
		batch := []Sample{
			{Metric: m.HTTPReqs, Value: 1, Tags: tags},
			{Metric: m.HTTPReqFailed, Value: 0, Tags: tags},
			{Metric: m.HTTPReqDuration, Tags: tags},
			{Metric: m.HTTPReqBlocked, Value: 0.01, Tags: tags},
			{Metric: m.HTTPReqConnecting, Value: 0, Tags: tags},
			{Metric: m.HTTPReqTLSHandshaking, Value: 0, Tags: tags},
			{Metric: m.HTTPReqSending, Value: 0.02, Tags: tags},
			{Metric: m.HTTPReqWaiting, Tags: tags},
			{Metric: m.HTTPReqReceiving, Value: 0.05, Tags: tags},
			{Metric: m.DataSent, Value: 120, Tags: tags},
			{Metric: m.DataReceived, Value: 1500, Tags: tags},
			{Metric: m.Checks, Value: 1, Tags: check},
		}
		var count int64
		for i := 0; pb.Next(); i++ {
			latency := float64((int(g)*7919+i*104729)%500000) / 1000
			batch[2].Value, batch[7].Value = latency, latency*0.9
			collector.Add(batch...)
			count += int64(len(batch))
		}
		samples.Add(count)
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(samples.Load()), "ns/sample")
}
