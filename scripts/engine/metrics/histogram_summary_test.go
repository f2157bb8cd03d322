package metrics

import (
	"testing"
	"time"
)

// Two collectors' histograms added bucket by bucket give the p(95) one collector of all the samples gives.
func TestSummaryHistogramsAddUpToOneCollector(t *testing.T) {
	thresholds := map[string][]string{"http_req_duration": {"p(95)<200"}}
	registryA, a := newTestCollector(t, thresholds)
	registryB, b := newTestCollector(t, thresholds)
	registryAll, all := newTestCollector(t, thresholds)
	for i, value := range sequence(1, 1000) {
		if i%3 == 0 {
			addValues(a, registryA.Builtins().HTTPReqDuration, nil, value*1.7)
		} else {
			addValues(b, registryB.Builtins().HTTPReqDuration, nil, value*1.7)
		}
		addValues(all, registryAll.Builtins().HTTPReqDuration, nil, value*1.7)
	}
	input := SummaryInput{TestRunDuration: time.Second, Histograms: true}
	merged := map[int64]int64{}
	var total int64
	for _, collector := range []*Collector{a, b} {
		entry := collector.Summary(input)["metrics"].(map[string]any)["http_req_duration"].(map[string]any)
		for _, bucket := range entry["histogram"].([][2]int64) {
			merged[bucket[0]] += bucket[1]
			total += bucket[1]
		}
	}
	if total != 1000 {
		t.Fatalf("buckets hold %d samples, want 1000", total)
	}
	want := all.Summary(input)["metrics"].(map[string]any)["http_req_duration"].(map[string]any)["values"].(map[string]any)["p(95)"].(float64)
	rank := int64(950) // ⌈0.95·1000⌉
	var seen int64
	for _, bucket := range all.Summary(input)["metrics"].(map[string]any)["http_req_duration"].(map[string]any)["histogram"].([][2]int64) {
		if merged[bucket[0]] != bucket[1] {
			t.Fatalf("bucket %d µs: merged %d, one collector %d", bucket[0], merged[bucket[0]], bucket[1])
		}
		seen += bucket[1]
		if seen >= rank {
			if got := float64(bucket[0]) / 1000; got != want {
				t.Fatalf("p(95) from the merged buckets %v, one collector's %v", got, want)
			}
			return
		}
	}
	t.Fatal("rank 950 not reached")
}
