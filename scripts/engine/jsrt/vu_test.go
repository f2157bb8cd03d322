package jsrt

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testdata/scenario.js is testdata/src/scenario.ts bundled, from /work/main/scripts/engine/jsrt:
//
//	../../../node_modules/.bin/esbuild testdata/src/scenario.ts --bundle --format=cjs --platform=neutral \
//	  --external:k6 --external:'k6/*' --sourcemap=inline --outfile=testdata/scenario.js
func loadScenario(t *testing.T) string {
	t.Helper()
	source, err := os.ReadFile(filepath.Join("testdata", "scenario.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(source)
}

func catalogServer(t *testing.T) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/items":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"items":[{"id":7},{"id":8}]}`)
		case r.Method == http.MethodPost && r.URL.Path == "/orders":
			body, _ := io.ReadAll(r.Body)
			if string(body) != `{"itemId":7}` || r.Header.Get("Authorization") != "Bearer t-0" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id":"o-1"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(server.Close)
	return server
}

func TestBundledScenarioLifecycle(t *testing.T) {
	server := catalogServer(t)
	h := newHarness(t, "testdata/scenario.js", loadScenario(t))
	h.env.Env["BASE_URL"] = server.URL

	initVU := h.newVU(t, 0)
	options, err := initVU.Options()
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Scenarios  map[string]map[string]any `json:"scenarios"`
		Thresholds map[string][]string       `json:"thresholds"`
	}
	if err := json.Unmarshal(options, &parsed); err != nil {
		t.Fatalf("options %s: %v", options, err)
	}
	if parsed.Scenarios["main"]["executor"] != "shared-iterations" || parsed.Thresholds["http_req_duration"][0] != "p(95)<500" {
		t.Errorf("options = %s", options)
	}
	for name, want := range map[string]bool{"default": true, "setup": true, "teardown": true, "handleSummary": true, "boom": true, "options": false, "missing": false} {
		if got := initVU.HasExport(name); got != want {
			t.Errorf("HasExport(%q) = %v, want %v", name, got, want)
		}
	}
	setupData, err := initVU.Setup(context.Background())
	if err != nil || string(setupData) != `{"token":"t-0"}` {
		t.Fatalf("Setup = %s, %v", setupData, err)
	}

	vu := h.newVU(t, 1)
	if err := vu.Activate(Activation{Scenario: "main", Exec: "default", SetupData: setupData, Tags: map[string]string{"team": "shop"}}); err != nil {
		t.Fatal(err)
	}
	if err := vu.RunIteration(context.Background(), IterationInfo{}); err != nil {
		t.Fatalf("RunIteration: %v", err)
	}

	checks := h.sink.named("checks")
	if len(checks) != 2 {
		t.Fatalf("%d checks samples, want 2", len(checks))
	}
	for i, want := range []map[string]string{
		{"check": "list answers 200", "group": "::catalog", "endpoint": "list-items", "scenario": "main", "team": "shop"},
		{"check": "order created", "group": "::catalog", "scenario": "main"},
	} {
		if checks[i].Value != 1 {
			t.Errorf("check %d failed", i)
		}
		for key, value := range want {
			if got := tag(checks[i], key); got != value {
				t.Errorf("check %d tag %s = %q, want %q", i, key, got, value)
			}
		}
	}
	requests := h.sink.named("http_reqs")
	if len(requests) != 2 {
		t.Fatalf("%d http_reqs, want 2", len(requests))
	}
	list := requests[0]
	for key, value := range map[string]string{
		"method": "GET", "url": server.URL + "/items", "name": server.URL + "/items", "status": "200",
		"endpoint": "list-items", "expected_response": "true", "proto": "HTTP/1.1", "group": "::catalog", "scenario": "main",
	} {
		if got := tag(list, key); got != value {
			t.Errorf("http_reqs tag %s = %q, want %q", key, got, value)
		}
	}
	if _, has := list.Tags.Get("error_code"); has {
		t.Error("error_code tag on a successful request")
	}
	if got := h.sink.named("orders_placed"); len(got) != 1 || got[0].Value != 1 || tag(got[0], "group") != "::catalog" {
		t.Errorf("orders_placed samples = %+v", got)
	}
	if got := h.sink.named("item_latency"); len(got) != 1 || tag(got[0], "item") != "7" || got[0].Metric.Contains != "time" {
		t.Errorf("item_latency samples = %+v", got)
	}
	if got := h.sink.named("group_duration"); len(got) != 1 || tag(got[0], "group") != "::catalog" {
		t.Errorf("group_duration samples = %+v", got)
	}

	if err := initVU.Teardown(context.Background(), setupData); err != nil {
		t.Fatal(err)
	}
	if !h.log.contains("teardown t-0") {
		t.Errorf("teardown's console.log missing: %+v", h.log.lines)
	}
	out, found, err := initVU.HandleSummary(context.Background(), map[string]any{"metrics": map[string]any{}, "state": 1})
	if err != nil || !found || out["stdout"] != `["metrics","state"]` {
		t.Errorf("HandleSummary = %v, %v, %v", out, found, err)
	}
}

func TestExceptionPositionMapsToTypeScript(t *testing.T) {
	h := newHarness(t, "testdata/scenario.js", loadScenario(t))
	vu := h.newVU(t, 1)
	if err := vu.Activate(Activation{Scenario: "main", Exec: "boom"}); err != nil {
		t.Fatal(err)
	}
	err := vu.RunIteration(context.Background(), IterationInfo{})
	var scriptError *ScriptError
	if !errors.As(err, &scriptError) {
		t.Fatalf("RunIteration = %v, want a ScriptError", err)
	}
	if scriptError.Message != "Error: exploded: iteration 0" {
		t.Errorf("Message = %q", scriptError.Message)
	}
	if scriptError.Source != "testdata/src/lib/requests.ts:17:9" {
		t.Errorf("Source = %q, want testdata/src/lib/requests.ts:17:9", scriptError.Source)
	}
	if !strings.Contains(scriptError.Stack, "testdata/src/scenario.ts:") {
		t.Errorf("Stack lacks the caller in scenario.ts:\n%s", scriptError.Stack)
	}
}

func TestCompileErrorNamesPosition(t *testing.T) {
	_, err := Compile("broken.js", []byte("var a = 1;\nvar b = ;\n"))
	var scriptError *ScriptError
	if !errors.As(err, &scriptError) || !strings.HasPrefix(scriptError.Source, "broken.js:2:") {
		t.Fatalf("Compile = %#v", err)
	}
}

func TestUnsupportedModuleFailsAtLoad(t *testing.T) {
	for _, module := range []string{"k6/ws", "k6/net/grpc", "k6/experimental/fs", "k6/browser", "https://jslib.k6.io/x.js"} {
		h := newHarness(t, "test.js", `var ws = require("`+module+`");`)
		_, err := NewVU(context.Background(), h.env, 0)
		var unsupported *UnsupportedError
		if !errors.As(err, &unsupported) || unsupported.What != "module "+module {
			t.Errorf("require(%q): %v", module, err)
		}
		if err == nil || !strings.Contains(err.Error(), module) || !strings.Contains(err.Error(), "test.js:1:") {
			t.Errorf("require(%q) error %v does not name the module and position", module, err)
		}
	}
}

func TestIterCountsPerActivation(t *testing.T) {
	h := newHarness(t, "test.js", `
		var seen = [];
		var exec = require("k6/execution");
		module.exports.default = function () { seen.push([__VU, __ITER, exec.vu.iterationInInstance, exec.scenario.iterationInTest].join(":")); };
		module.exports.other = function () { seen.push("other" + __ITER); };
		module.exports.seen = function () { return seen.join(","); };
	`)
	vu := h.newVU(t, 4)
	run := func(exec string, iterations int) {
		if err := vu.Activate(Activation{Scenario: exec, Exec: exec}); err != nil {
			t.Fatal(err)
		}
		for i := range iterations {
			if err := vu.RunIteration(context.Background(), IterationInfo{InTest: int64(100 + i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	run("default", 3)
	run("other", 2)
	seen, _ := vu.exportedFunction("seen")
	result, _ := seen(nil)
	if want := "4:0:0:100,4:1:1:101,4:2:2:102,other0,other1"; result.String() != want {
		t.Errorf("iterations seen %q, want %q", result, want)
	}
}

func TestEnvMergesActivationEnv(t *testing.T) {
	h := newHarness(t, "test.js", `module.exports.default = function () { globalThis.seen = __ENV.A + __ENV.B; };`)
	h.env.Env["A"] = "global"
	h.env.Env["B"] = "global"
	vu := h.newVU(t, 1)
	if err := vu.Activate(Activation{Scenario: "s", Env: map[string]string{"B": "scenario"}}); err != nil {
		t.Fatal(err)
	}
	if err := vu.RunIteration(context.Background(), IterationInfo{}); err != nil {
		t.Fatal(err)
	}
	if got := vu.eval(t, "seen").String(); got != "globalscenario" {
		t.Errorf("__ENV gives %q", got)
	}
}

func TestOpenInInitContext(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(path, []byte("héllo"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "test.js", `
		var text = open(`+jsString(path)+`);
		var bytes = open(`+jsString(path)+`, "b");
		var relative = open("data.txt");
		module.exports.default = function () { return open("data.txt"); };
		module.exports.read = function () { return [text, bytes.byteLength, relative].join("|"); };
	`)
	h.env.BaseDir = dir
	vu := h.newVU(t, 1)
	read, _ := vu.exportedFunction("read")
	result, err := read(nil)
	if err != nil || result.String() != "héllo|6|héllo" {
		t.Errorf("read() = %v, %v", result, err)
	}
	if err := vu.Activate(Activation{Scenario: "s"}); err != nil {
		t.Fatal(err)
	}
	err = vu.RunIteration(context.Background(), IterationInfo{})
	if err == nil || !strings.Contains(err.Error(), "init context") {
		t.Errorf("open() in an iteration: %v", err)
	}

	missing := newHarness(t, "test.js", `open("/no/such/file.json");`)
	_, err = NewVU(context.Background(), missing.env, 0)
	if err == nil || !strings.Contains(err.Error(), "/no/such/file.json") {
		t.Errorf("open() of a missing file: %v", err)
	}
}

func jsString(text string) string {
	encoded, _ := json.Marshal(text)
	return string(encoded)
}

func TestAbortCallsExecutionAndStopsIteration(t *testing.T) {
	h := newHarness(t, "test.js", `
		var exec = require("k6/execution");
		module.exports.default = function () { exec.test.abort("enough"); globalThis.after = true; };
	`)
	vu := h.newVU(t, 1)
	if err := vu.Activate(Activation{Scenario: "s"}); err != nil {
		t.Fatal(err)
	}
	err := vu.RunIteration(context.Background(), IterationInfo{})
	var aborted *AbortError
	if !errors.As(err, &aborted) || aborted.Reason != "enough" {
		t.Fatalf("RunIteration = %v, want AbortError", err)
	}
	if len(h.exec.aborted) != 1 || h.exec.aborted[0] != "enough" {
		t.Errorf("Execution.Abort calls: %v", h.exec.aborted)
	}
	if got := vu.eval(t, "typeof after"); got.String() != "undefined" {
		t.Error("the iteration went on after abort()")
	}
}

func TestContextEndInterruptsSleepAndLoops(t *testing.T) {
	_, vu := newScriptVU(t, "")
	for _, code := range []string{
		`require("k6").sleep(30)`,
		`while (true) {}`,
		`setTimeout(function () {}, 30000)`,
		`var k6 = require("k6"); k6.group("g", function () { k6.check(1, {spin: function () { while (true) {} }}); })`,
		`try { while (true) {} } catch (e) {} globalThis.caught = true`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		started := time.Now()
		_, err := vu.evalErr(ctx, code)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(started) > 2*time.Second {
			t.Errorf("%s: %v after %v", code, err, time.Since(started))
		}
	}
	if got := vu.eval(t, "1 + 1").ToInteger(); got != 2 {
		t.Errorf("the runtime is unusable after an interrupt: %d", got)
	}
	if vu.tags.group != "" || vu.eval(t, "typeof caught").String() != "undefined" {
		t.Errorf("group %q after an interrupt, or the interrupt was caught", vu.tags.group)
	}
}

func TestTimersRunInDueOrder(t *testing.T) {
	_, vu := newScriptVU(t, "")
	vu.eval(t, `
		globalThis.order = [];
		setTimeout(function () { order.push("b"); }, 20);
		setTimeout(function (x) { order.push(x); }, 5, "a");
		var cleared = setTimeout(function () { order.push("never"); }, 1);
		clearTimeout(cleared);
		var n = 0;
		var interval = setInterval(function () { order.push("i" + n); if (++n === 2) clearInterval(interval); }, 8);
	`)
	if got := vu.eval(t, `order.join(",")`).String(); got != "a,i0,i1,b" {
		t.Errorf("timer order %q", got)
	}
}

func TestConsoleGoesToLog(t *testing.T) {
	h, vu := newScriptVU(t, "")
	vu.eval(t, `console.warn("count", 3, {a: [1]}); console.error(new Error("bad"))`)
	if !h.log.contains(`count 3 {"a":[1]}`) || !h.log.contains("Error: bad") {
		t.Errorf("log lines %+v", h.log.lines)
	}
	if h.log.lines[0].level != "warn" || h.log.lines[1].level != "error" {
		t.Errorf("levels %+v", h.log.lines)
	}
}

func TestSetupRejectsPromiseAndReturnsNullWhenEmpty(t *testing.T) {
	h := newHarness(t, "test.js", `
		module.exports.setup = async function () { throw new Error("not healthy"); };
	`)
	vu := h.newVU(t, 0)
	_, err := vu.Setup(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not healthy") {
		t.Errorf("Setup = %v", err)
	}
	empty := newHarness(t, "test.js", `module.exports.setup = function () {};`)
	data, err := empty.newVU(t, 0).Setup(context.Background())
	if err != nil || string(data) != "null" {
		t.Errorf("Setup = %s, %v", data, err)
	}
}
