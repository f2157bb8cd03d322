package metrics

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestRegistryBuiltins(t *testing.T) {
	registry := NewRegistry()
	b := registry.Builtins()
	for _, want := range []struct {
		metric   *Metric
		name     string
		typ      Type
		contains Contains
	}{
		{b.HTTPReqs, "http_reqs", Counter, Default},
		{b.HTTPReqFailed, "http_req_failed", Rate, Default},
		{b.HTTPReqDuration, "http_req_duration", Trend, Time},
		{b.HTTPReqTLSHandshaking, "http_req_tls_handshaking", Trend, Time},
		{b.InterruptedIterations, "interrupted_iterations", Counter, Default},
		{b.Checks, "checks", Rate, Default},
		{b.DataReceived, "data_received", Counter, Data},
		{b.VUsMax, "vus_max", Gauge, Default},
	} {
		if want.metric == nil || want.metric.Name != want.name || want.metric.Type != want.typ || want.metric.Contains != want.contains {
			t.Errorf("builtin %s: %+v", want.name, want.metric)
		}
		if registry.Lookup(want.name) != want.metric {
			t.Errorf("Lookup(%s) is not the builtin", want.name)
		}
	}
	if n := len(registry.All()); n != 19 {
		t.Fatalf("%d builtins, want 19", n)
	}
}

func TestRegistryDefine(t *testing.T) {
	registry := NewRegistry()
	first, err := registry.Define("my_trend", Trend, Time)
	if err != nil {
		t.Fatal(err)
	}
	again, err := registry.Define("my_trend", Trend, Default)
	if err != nil || again != first {
		t.Fatalf("redefinition: %v, same=%v", err, again == first)
	}
	if _, err := registry.Define("my_trend", Counter, Default); err == nil || !strings.Contains(err.Error(), `"my_trend"`) {
		t.Fatalf("type clash: %v", err)
	}
	if _, err := registry.Define("http_reqs", Trend, Default); err == nil {
		t.Fatal("redefining a builtin with another type should fail")
	}
	for _, name := range []string{"", "1abc", "a-b", "a b", strings.Repeat("a", 129)} {
		if _, err := registry.Define(name, Counter, Default); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if _, err := registry.Define(strings.Repeat("a", 128), Counter, Default); err != nil {
		t.Errorf("128 characters rejected: %v", err)
	}
	all := registry.All()
	if all[len(all)-2] != first {
		t.Fatal("All is not in registration order")
	}
}

func TestRegistryDefineConcurrently(t *testing.T) {
	registry := NewRegistry()
	var wg sync.WaitGroup
	results := make([][]*Metric, 8)
	for vu := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				metric, err := registry.Define(fmt.Sprintf("custom_%d", i), Counter, Default)
				if err != nil {
					t.Error(err)
					return
				}
				results[vu] = append(results[vu], metric)
			}
		}()
	}
	wg.Wait()
	for vu := range results {
		for i, metric := range results[vu] {
			if metric != results[0][i] {
				t.Fatalf("VU %d got another metric for custom_%d", vu, i)
			}
		}
	}
	if n := len(registry.All()); n != 19+50 {
		t.Fatalf("%d metrics", n)
	}
}
