package jsrt

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"testing"

	"bulwark.dev/engine/metrics"
)

// BenchmarkVUMemory reports the live heap per VU of a bundle after its init context (the test bundle
// unless BULWARK_MEMTEST_BUNDLE names another): BULWARK_MEMTEST_BUNDLE=<bundle.js>
// [BULWARK_MEMTEST_PLAN=<plan.json>] [BULWARK_MEMTEST_PROFILE=<heap.pprof>] go test ./jsrt -run - -bench VUMemory
func BenchmarkVUMemory(t *testing.B) {
	runtime.MemProfileRate = 1
	bundle := os.Getenv("BULWARK_MEMTEST_BUNDLE")
	if bundle == "" {
		bundle = "testdata/scenario.js"
	}
	source, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	program, err := Compile(bundle, source)
	if err != nil {
		t.Fatal(err)
	}
	env := &Environment{Program: program, Env: map[string]string{"BULWARK_PLAN": os.Getenv("BULWARK_MEMTEST_PLAN")}, Registry: metrics.NewRegistry(), Out: &recordingSink{}}
	const n = 200
	keep := make([]*VU, 0, n+10)
	newVU := func(id int64) {
		vu, err := NewVU(context.Background(), env, id)
		if err != nil {
			t.Fatal(err)
		}
		keep = append(keep, vu)
	}
	for i := range 10 {
		newVU(int64(i + 1))
	}
	debug.SetGCPercent(50)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		newVU(int64(i + 11))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("per VU: live heap %.1f KB, heap spans in use %.1f KB, allocated during init %.1f KB, objects %d",
		float64(after.HeapAlloc-before.HeapAlloc)/n/1024, float64(after.HeapInuse-before.HeapInuse)/n/1024,
		float64(after.TotalAlloc-before.TotalAlloc)/n/1024, (after.HeapObjects-before.HeapObjects)/n)
	if path := os.Getenv("BULWARK_MEMTEST_PROFILE"); path != "" {
		file, _ := os.Create(path)
		_ = pprof.Lookup("heap").WriteTo(file, 0)
		file.Close()
	}
	runtime.KeepAlive(keep)
}
