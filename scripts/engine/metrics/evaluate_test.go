package metrics

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentileBoundaries(t *testing.T) {
	for _, test := range []struct {
		name      string
		values    []float64
		threshold string
		ok        bool
	}{
		{"40 of 798 at 400 ms", append(repeat(100, 758), repeat(400, 40)...), "p(95)<200", false},
		{"39 of 798 at 400 ms", append(repeat(100, 759), repeat(400, 39)...), "p(95)<200", true},
		{"11 samples, one at 300 ms", append(repeat(100, 10), 300), "p(95)<200", false},
		{"20 samples, one at 300 ms", append(repeat(100, 19), 300), "p(95)<200", true},
		{"p(99.9) of 1..1000 is 999: < 999", sequence(1, 1000), "p(99.9)<999", false},
		{"p(99.9) of 1..1000 is 999: <= 999", sequence(1, 1000), "p(99.9)<=999", true},
		{"p(99.9) of 1..1000 is 999: < 999.5", sequence(1, 1000), "p(99.9)<999.5", true},
		{"p(99.9) of 1..1001 is 1000: < 1000", sequence(1, 1001), "p(99.9)<1000", false},
		{"p(99.9) of 1..1001 is 1000: <= 1000", sequence(1, 1001), "p(99.9)<=1000", true},
		{"p(99.9) of 1..1001 is 1000: > 999", sequence(1, 1001), "p(99.9)>999", true},
		{"duplicates: all equal, < limit", repeat(5, 50), "p(90)<5", false},
		{"duplicates: all equal, <= limit", repeat(5, 50), "p(90)<=5", true},
		{"med of 1..100 is 50", sequence(1, 100), "med==50", true},
		{"med of 1..100 < 50", sequence(1, 100), "med<50", false},
		{"med of 1..101 is 51", sequence(1, 101), "med<=51", true},
		{"med of 1..101 > 50", sequence(1, 101), "med>50", true},
	} {
		t.Run(test.name, func(t *testing.T) {
			registry, collector := newTestCollector(t, map[string][]string{"http_req_duration": {test.threshold}})
			addValues(collector, registry.Builtins().HTTPReqDuration, nil, test.values...)
			result := collector.Evaluate()[0]
			if result.OK != test.ok {
				t.Fatalf("%s on %d samples: ok=%v, want %v (observed %v)", test.threshold, len(test.values), result.OK, test.ok, result.Observed)
			}
			if result.Samples != int64(len(test.values)) {
				t.Fatalf("samples %d", result.Samples)
			}
		})
	}
}

// Every operator at, below and above the exact nearest-rank percentile, which for 1..100 at p(50) is 50.
func TestPercentileOperators(t *testing.T) {
	want := map[string]bool{
		"p(50)<50": false, "p(50)<=50": true, "p(50)>50": false, "p(50)>=50": true, "p(50)==50": true, "p(50)!=50": false,
		"p(50)<50.5": true, "p(50)<=49.9": false, "p(50)>49.5": true, "p(50)>=50.1": false, "p(50)==50.5": false, "p(50)!=49": true,
		"p(50)===50": true,
	}
	registry, collector := newTestCollector(t, map[string][]string{"http_req_duration": slices.Collect(maps.Keys(want))})
	addValues(collector, registry.Builtins().HTTPReqDuration, nil, sequence(1, 100)...)
	for _, result := range collector.Evaluate() {
		if result.OK != want[result.Threshold.Source] {
			t.Errorf("%s: ok=%v", result.Threshold.Source, result.OK)
		}
		if result.Observed < 50 || result.Observed > 50.05 {
			t.Errorf("%s: observed %v, want the histogram value of 50", result.Threshold.Source, result.Observed)
		}
	}
}

func TestNoSamples(t *testing.T) {
	thresholds := map[string]bool{
		"p(95)<200": true, "p(95)<=200": true, "p(95)>200": false, "p(95)>=200": false, "p(95)==200": false, "p(95)!=200": true,
		"med<1": true, "avg<1": true, "count==0": true, "max>0": false,
	}
	_, collector := newTestCollector(t, map[string][]string{
		"http_req_duration{endpoint:none}": slices.Collect(maps.Keys(thresholds)),
		"http_req_failed{endpoint:none}":   {"rate<0.01", "rate>0"},
	})
	results := collector.Evaluate()
	for _, result := range results {
		want, known := thresholds[result.Threshold.Source]
		if result.Selector == "http_req_failed{endpoint:none}" {
			want, known = result.Threshold.Source == "rate<0.01", true
		}
		if !known || result.OK != want || result.Samples != 0 || result.Observed != 0 {
			t.Errorf("%s %s: %+v", result.Selector, result.Threshold.Source, result)
		}
	}
}

func TestStatisticOperators(t *testing.T) {
	registry, collector := newTestCollector(t, map[string][]string{
		"http_req_duration": {"avg==2.5", "avg<2.6", "avg>2.5", "min==1", "min>=1", "max==4", "max<4", "count==4", "count!=4"},
		"http_reqs":         {"count==10", "count>10", "rate>0"},
		"vus":               {"value==3", "min==1", "max==7", "value<3"},
	})
	b := registry.Builtins()
	addValues(collector, b.HTTPReqDuration, nil, 4, 1, 3, 2)
	addValues(collector, b.HTTPReqs, nil, 1, 1, 3, 5)
	addValues(collector, b.VUs, nil, 5, 1, 7, 3)
	want := map[string]bool{
		"http_req_duration avg==2.5": true, "http_req_duration avg<2.6": true, "http_req_duration avg>2.5": false,
		"http_req_duration min==1": true, "http_req_duration min>=1": true, "http_req_duration max==4": true,
		"http_req_duration max<4": false, "http_req_duration count==4": true, "http_req_duration count!=4": false,
		"http_reqs count==10": true, "http_reqs count>10": false, "http_reqs rate>0": true,
		"vus value==3": true, "vus min==1": true, "vus max==7": true, "vus value<3": false,
	}
	got := verdicts(collector.Evaluate())
	for key, ok := range want {
		if got[key] != ok {
			t.Errorf("%s: ok=%v", key, got[key])
		}
	}
}

func TestRateIsExact(t *testing.T) {
	for _, test := range []struct {
		failures, total int
		threshold       string
		ok              bool
	}{
		{1, 1001, "rate<0.001", true}, // 0.000999...
		{1, 1000, "rate<0.001", false},
		{1, 1000, "rate<=0.001", true},
		{1, 1000, "rate==0.001", true},
		{2, 1000, "rate<=0.001", false},
		{0, 1000, "rate==0", true},
		{1, 3, "rate==0.3333333333333333", false}, // the exact 1/3 is not this decimal, though the float division equals it
		{1, 3, "rate<0.3333333333333334", true},
		{1, 3, "rate>0.3333333333333333", true},
		{1000, 1000, "rate==1", true},
		{1, 10, "rate<1e-1", false},
		{1, 10, "rate>=1e-1", true},
	} {
		registry, collector := newTestCollector(t, map[string][]string{"http_req_failed": {test.threshold}})
		addValues(collector, registry.Builtins().HTTPReqFailed, nil, repeat(1, test.failures)...)
		addValues(collector, registry.Builtins().HTTPReqFailed, nil, repeat(0, test.total-test.failures)...)
		result := collector.Evaluate()[0]
		if result.OK != test.ok {
			t.Errorf("%d/%d %s: ok=%v", test.failures, test.total, test.threshold, result.OK)
		}
		if want := float64(test.failures) / float64(test.total); result.Observed != want || result.Samples != int64(test.total) {
			t.Errorf("%d/%d: observed %v samples %d", test.failures, test.total, result.Observed, result.Samples)
		}
	}
}

func TestCounterRateUsesElapsedTime(t *testing.T) {
	registry := NewRegistry()
	collector, err := NewCollector(registry, CollectorOptions{
		Thresholds: map[string][]ThresholdConfig{"iterations": {{Threshold: "rate<=10"}}},
		Start:      time.Now().Add(-10 * time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	addValues(collector, registry.Builtins().Iterations, nil, repeat(1, 90)...)
	result := collector.Evaluate()[0]
	if !result.OK || result.Observed > 9 || result.Observed < 8 {
		t.Fatalf("%+v", result)
	}
}

// The histogram's percentiles are never below the exact nearest-rank value and within 0.1 % of it.
func TestHistogramPercentilesBoundTheTruth(t *testing.T) {
	random := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 7, 100, 1000, 12345} {
		values := make([]float64, n)
		for i := range values {
			values[i] = random.ExpFloat64() * 80
		}
		registry, collector := newTestCollector(t, map[string][]string{
			"http_req_duration": {"p(50)<1", "p(90)<1", "p(95)<1", "p(99)<1", "p(99.9)<1", "p(100)<1"},
		})
		addValues(collector, registry.Builtins().HTTPReqDuration, nil, values...)
		sorted := slices.Sorted(slices.Values(values))
		for _, result := range collector.Evaluate() {
			rank, _ := parseRankFraction(strings.TrimSuffix(strings.TrimPrefix(result.Threshold.Statistic, "p("), ")"))
			truth := sorted[rank.of(int64(n))-1]
			if result.Observed < truth || result.Observed > truth*1.001+0.001 {
				t.Errorf("n=%d %s: histogram %v, exact %v", n, result.Threshold.Statistic, result.Observed, truth)
			}
		}
	}
}

func TestHistogramClampsAboveAnHour(t *testing.T) {
	registry, collector := newTestCollector(t, map[string][]string{"http_req_duration": {"p(50)<1", "max<1"}})
	addValues(collector, registry.Builtins().HTTPReqDuration, nil, -5, 7_200_000, 7_300_000)
	results := collector.Evaluate()
	if results[0].Observed != 7_300_000 || results[1].Observed != 7_300_000 {
		t.Fatalf("%+v", results)
	}
}

func TestNewCollectorValidation(t *testing.T) {
	for _, test := range []struct {
		selector, expression, errorPart string
	}{
		{"x{a:b}", "p(95)<1", `thresholds: unknown metric "x" in "x{a:b}"`},
		{"http_req_duration{", "p(95)<1", `"http_req_duration{"`},
		{"http_req_duration", "p(95)<<1", `"p(95)<<1"`},
		{"http_req_duration", "rate<1", `"http_req_duration": "rate<1"`},
		{"http_req_duration", "value<1", `"value<1"`},
		{"http_reqs", "p(95)<1", `"http_reqs": "p(95)<1"`},
		{"http_reqs", "avg<1", `"avg<1"`},
		{"http_req_failed", "count<1", `"http_req_failed": "count<1"`},
		{"vus", "rate<1", `"vus": "rate<1"`},
		{"vus", "p(50)<1", `"p(50)<1"`},
	} {
		_, err := NewCollector(NewRegistry(), CollectorOptions{Thresholds: map[string][]ThresholdConfig{test.selector: {{Threshold: test.expression}}}})
		if err == nil || !strings.Contains(err.Error(), test.errorPart) {
			t.Errorf("%s %s: %v", test.selector, test.expression, err)
		}
	}
	for _, stats := range [][]string{{"avg", "p(0)"}, {"stddev"}, {"p(101)"}, {"p(x)"}} {
		if _, err := NewCollector(NewRegistry(), CollectorOptions{TrendStats: stats}); err == nil {
			t.Errorf("trend stats %v accepted", stats)
		}
	}
	if _, err := NewCollector(NewRegistry(), CollectorOptions{TrendStats: []string{"count", "p(99.99)", "med"}}); err != nil {
		t.Error(err)
	}
}
