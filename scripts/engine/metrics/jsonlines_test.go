package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestJSONLinesLayout(t *testing.T) {
	registry := NewRegistry()
	b := registry.Builtins()
	path := filepath.Join(t.TempDir(), "samples.jsonl")
	stream, err := NewJSONLines(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tags := NewTagSet(map[string]string{"method": "GET", "endpoint": "x", "url": "http://127.0.0.1/a?b=\"c\"&d=<e>", "name": "tab\there\nnewline\x01\u2028é\xff"})
	local := time.Date(2026, 11, 22, 2, 52, 29, 560862621, time.FixedZone("CET", 3600))
	stream.Add(
		Sample{Metric: b.HTTPReqDuration, Time: local, Value: 1.234, Tags: tags},
		Sample{Metric: b.HTTPReqs, Time: time.Date(2026, 1, 2, 3, 4, 5, 500000000, time.UTC), Value: 1},
		Sample{Metric: b.DataReceived, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Value: 1e21, Tags: NewTagSet(nil)},
		Sample{Metric: b.VUs, Time: time.Date(2026, 1, 2, 3, 4, 5, 7, time.UTC), Value: -0.000001},
	)
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"metric":"http_req_duration","type":"Point","data":{"time":"2026-11-22T01:52:29.560862621Z","value":1.234,"tags":{"endpoint":"x","method":"GET","name":"tab\there\nnewline\u0001\u2028é\ufffd","url":"http://127.0.0.1/a?b=\"c\"&d=<e>"}}}
{"metric":"http_reqs","type":"Point","data":{"time":"2026-01-02T03:04:05.500000000Z","value":1,"tags":{}}}
{"metric":"data_received","type":"Point","data":{"time":"2026-01-02T03:04:05.000000000Z","value":1000000000000000000000,"tags":{}}}
{"metric":"vus","type":"Point","data":{"time":"2026-01-02T03:04:05.000000007Z","value":-0.000001,"tags":{}}}
`
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if err := stream.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	stream.Add(Sample{Metric: b.VUs, Value: 1}) // after Close: ignored
}

func TestJSONLinesOnlyAndConcurrency(t *testing.T) {
	registry := NewRegistry()
	b := registry.Builtins()
	path := filepath.Join(t.TempDir(), "samples.jsonl")
	if err := os.WriteFile(path, []byte("old content that must be truncated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stream, err := NewJSONLines(path, []string{"http_reqs", "checks"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				stream.Add(Sample{Metric: b.HTTPReqs, Value: 1}, Sample{Metric: b.HTTPReqDuration, Value: 2}, Sample{Metric: b.Checks, Value: 1})
			}
		}()
	}
	wg.Wait()
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
	if len(lines) != 8000 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, `{"metric":"http_reqs",`) && !strings.HasPrefix(line, `{"metric":"checks",`) {
			t.Fatalf("unexpected line %s", line)
		}
	}
}

func TestJSONLinesNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal("mkfifo:", err)
	}
	read := make(chan string)
	go func() {
		content, _ := os.ReadFile(path)
		read <- string(content)
	}()
	stream, err := NewJSONLines(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	stream.Add(Sample{Metric: NewRegistry().Builtins().VUs, Time: testTime, Value: 3})
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	if got := <-read; got != `{"metric":"vus","type":"Point","data":{"time":"2026-11-22T01:52:29.560862621Z","value":3,"tags":{}}}`+"\n" {
		t.Fatalf("pipe got %q", got)
	}
}

func TestJSONLinesOpenError(t *testing.T) {
	if _, err := NewJSONLines(filepath.Join(t.TempDir(), "missing", "x.jsonl"), nil); err == nil {
		t.Fatal("no error for a missing directory")
	}
}

func TestJSONLinesFlushesWhileRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "samples.jsonl")
	stream, err := NewJSONLines(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	stream.Add(Sample{Metric: NewRegistry().Builtins().VUs, Time: testTime, Value: 3})
	deadline := time.Now().Add(3 * jsonLinesFlushEvery)
	for time.Now().Before(deadline) {
		if info, err := os.Stat(path); err == nil && info.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the stream was not flushed while open")
}
