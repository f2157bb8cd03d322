package jsrt

import "testing"

// The module objects made on first use behave like plain objects for what scenarios do with them,
// including esbuild's __toESM copies.
func TestLazyModuleMembers(t *testing.T) {
	_, vu := newScriptVU(t, "")
	got := vu.eval(t, `
		var http = require("k6/http");
		var copy = Object.create(Object.getPrototypeOf(http)); // what __toESM makes
		Object.defineProperty(copy, "default", { value: http, enumerable: true });
		var seen = [];
		for (var k in http) seen.push(k);
		var out = [
			typeof http.get, http.get === http.get, copy.get === http.get, copy.default.request === http.request,
			"batch" in http, Object.keys(http).length, seen.indexOf("setResponseCallback") >= 0,
			typeof require("k6").check, require("k6") === require("k6"),
			typeof require("k6/metrics").Trend, typeof require("k6/execution").vu, typeof require("k6/timers").setTimeout,
		];
		http.get = 1;
		out.push(http.get, copy.get === 1);
		out.join();
	`).String()
	want := "function,true,true,true,true,0,true,function,true,function,object,function,1,false"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestLazyConsoleAndEnv(t *testing.T) {
	_, vu := newScriptVU(t, "")
	got := vu.eval(t, `
		var out = [typeof console.log, console.log === console.log, Object.keys(console).join("|")];
		__ENV.ADDED = "x";
		out.push(__ENV.ADDED, "ADDED" in __ENV, Object.keys(__ENV).indexOf("ADDED") >= 0);
		delete __ENV.ADDED;
		out.push(__ENV.ADDED, "ADDED" in __ENV);
		out.join();
	`).String()
	want := "function,true,log|info|warn|error|debug|trace,x,true,true,,false"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
