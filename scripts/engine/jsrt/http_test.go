package jsrt

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoServer answers every request with a description of it.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		fmt.Fprintf(w, "%s|%s|%s|%s", r.Method, r.Header.Get("Content-Type"), body, r.Header.Get("X-Custom"))
	}))
	t.Cleanup(server.Close)
	return server
}

func TestHTTPVerbsAndBodies(t *testing.T) {
	server := echoServer(t)
	_, vu := newScriptVU(t, "")
	vu.eval(t, `var http = require("k6/http"); var base = `+jsString(server.URL)+`;`)
	for _, test := range []struct{ code, want string }{
		{`http.get(base, {headers: {"X-Custom": "c"}}).body`, "GET|||c"},
		{`http.head(base).body`, ""},
		{`http.options(base).body`, "OPTIONS|||"},
		{`http.post(base, "text body").body`, "POST||text body|"},
		{`http.post(base, JSON.stringify({a: 1}), {headers: {"Content-Type": "application/json"}}).body`, `POST|application/json|{"a":1}|`},
		{`http.put(base, {b: "2 3", a: "1"}).body`, "PUT|application/x-www-form-urlencoded|a=1&b=2+3|"},
		{`http.patch(base, new Uint8Array([104, 105]).buffer).body`, "PATCH||hi|"},
		{`http.patch(base, new Uint8Array([104, 105])).body`, "PATCH||hi|"},
		{`http.del(base).body`, "DELETE|||"},
		{`http.del(base, "gone").body`, "DELETE||gone|"},
		{`http.request("purge", base).body`, "PURGE|||"},
		{`http.request("POST", base, "x").request.body`, "x"},
		{`http.get(base).headers["X-Multi"]`, "a, b"},
		{`http.get(base).status_text`, "200 OK"},
		{`String(http.get(base, {responseType: "binary"}).body.byteLength)`, "6"},
		{`String(http.get(base, {responseType: "none"}).body)`, "null"},
		{`http.get(base).remote_ip + ":" + (http.get(base).remote_port > 0)`, "127.0.0.1:true"},
	} {
		if got := vu.eval(t, test.code).String(); got != test.want {
			t.Errorf("%s = %q, want %q", test.code, got, test.want)
		}
	}
}

func TestHTTPSamplesShareOneAddAndTagSet(t *testing.T) {
	server := echoServer(t)
	h, vu := newScriptVU(t, "")
	vu.eval(t, `require("k6/http").get(`+jsString(server.URL+"/x")+`, {tags: {name: "x-page", extra: "1"}})`)
	if h.sink.adds != 1 || len(h.sink.samples) != 11 {
		t.Fatalf("%d Add calls with %d samples, want 1 with 11", h.sink.adds, len(h.sink.samples))
	}
	first := h.sink.samples[0]
	for _, sample := range h.sink.samples {
		if sample.Tags != first.Tags || !sample.Time.Equal(first.Time) {
			t.Errorf("%s does not share the tag set and time", sample.Metric.Name)
		}
	}
	if tag(first, "name") != "x-page" || tag(first, "extra") != "1" || tag(first, "url") != server.URL+"/x" || tag(first, "scenario") != "s" {
		t.Errorf("tags %v", first.Tags.Map())
	}
	if got := h.sink.named("http_req_failed"); got[0].Value != 0 {
		t.Error("http_req_failed is 1 for a 200")
	}
	if got := h.sink.named("data_received"); got[0].Value < 100 {
		t.Errorf("data_received = %v", got[0].Value)
	}
	if got := h.sink.named("data_sent"); got[0].Value < 40 {
		t.Errorf("data_sent = %v", got[0].Value)
	}
}

func TestHTTPTimeoutIsStatusZero(t *testing.T) {
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer server.Close()
	defer close(release)
	h, vu := newScriptVU(t, "")
	started := time.Now()
	got := vu.eval(t, `var r = require("k6/http").get(`+jsString(server.URL)+`, {timeout: "50ms"}); [r.status, r.error_code, r.error, r.body].join("|")`).String()
	if got != "0|1050|request timeout|" {
		t.Errorf("response %q", got)
	}
	if elapsed := time.Since(started); elapsed > 2*time.Second {
		t.Errorf("timeout took %v", elapsed)
	}
	failed := h.sink.named("http_req_failed")
	if len(failed) != 1 || failed[0].Value != 1 || tag(failed[0], "error_code") != "1050" || tag(failed[0], "status") != "0" ||
		tag(failed[0], "expected_response") != "false" {
		t.Errorf("http_req_failed samples %+v", failed)
	}
	vu.eval(t, `require("k6/http").get(`+jsString(server.URL)+`, {timeout: 20})`)
}

func TestHTTPConnectionRefused(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	listener.Close()
	_, vu := newScriptVU(t, "")
	got := vu.eval(t, `var r = require("k6/http").get("http://user:secret@`+address+`/"); [r.status, r.error_code, r.error].join("|")`).String()
	if !strings.HasPrefix(got, "0|1210|") || strings.Contains(got, "secret") {
		t.Errorf("response %q", got)
	}
}

func TestHTTPRedirects(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hops, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/")); err == nil && hops > 0 {
			http.Redirect(w, r, "/r/"+strconv.Itoa(hops-1), http.StatusFound)
			return
		}
		fmt.Fprintf(w, "landed %s", r.Method)
	}))
	defer server.Close()
	h, vu := newScriptVU(t, "")
	got := vu.eval(t, `var r = require("k6/http").post(`+jsString(server.URL+"/r/3")+`, "x"); [r.status, r.url, r.body].join("|")`).String()
	if want := "200|" + server.URL + "/r/0|landed GET"; got != want {
		t.Errorf("followed redirect %q, want %q", got, want)
	}
	requests := h.sink.named("http_reqs")
	if len(requests) != 4 || tag(requests[0], "url") != server.URL+"/r/3" || tag(requests[3], "url") != server.URL+"/r/0" ||
		tag(requests[0], "status") != "302" || tag(requests[3], "method") != "GET" {
		t.Errorf("%d hops", len(requests))
	}

	got = vu.eval(t, `var r = require("k6/http").get(`+jsString(server.URL+"/r/3")+`, {redirects: 1}); [r.status, r.url].join("|")`).String()
	if want := "302|" + server.URL + "/r/2"; got != want {
		t.Errorf("limited redirect %q, want %q", got, want)
	}
	if len(h.sink.named("http_reqs")) != 6 {
		t.Errorf("hops after the limited request: %d, want 6", len(h.sink.named("http_reqs")))
	}
	if !h.log.contains("Stopped after 1 redirects") {
		t.Errorf("no warning about the redirect limit: %+v", h.log.lines)
	}
}

func TestHTTPConnectionReuse(t *testing.T) {
	var connections atomic.Int64
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			connections.Add(1)
		}
	}
	server.Start()
	defer server.Close()
	h, vu := newScriptVU(t, "")
	vu.eval(t, `var http = require("k6/http"); for (var i = 0; i < 50; i++) { if (http.get(`+jsString(server.URL)+`).body !== "ok") throw new Error("bad"); }`)
	if got := connections.Load(); got != 1 {
		t.Errorf("%d connections for 50 sequential requests, want 1", got)
	}
	connecting := h.sink.named("http_req_connecting")
	if connecting[0].Value <= 0 || connecting[1].Value != 0 {
		t.Errorf("connecting: first %v, second %v", connecting[0].Value, connecting[1].Value)
	}
}

func TestHTTPCookieJar(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Path: "/"})
		}
		io.WriteString(w, r.Header.Get("Cookie"))
	}))
	defer server.Close()
	_, vu := newScriptVU(t, "")
	got := vu.eval(t, `
		var http = require("k6/http");
		var set = http.get(`+jsString(server.URL+"/set")+`);
		var echoed = http.get(`+jsString(server.URL+"/echo")+`, {cookies: {extra: "1"}}).body;
		var jar = http.cookieJar();
		var separate = http.get(`+jsString(server.URL+"/echo")+`, {jar: new http.CookieJar()}).body;
		[set.cookies.session[0].value, echoed, jar.cookiesForURL(`+jsString(server.URL)+`).session[0], "[" + separate + "]"].join("|")
	`).String()
	if got != "abc|extra=1; session=abc|abc|[]" {
		t.Errorf("cookies %q", got)
	}
}

func TestHTTPNoCompressionByDefault(t *testing.T) {
	var acceptEncoding, userAgent atomic.Value
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
		userAgent.Store(r.Header.Get("User-Agent"))
	}))
	defer server.Close()
	_, vu := newScriptVU(t, "")
	vu.eval(t, `require("k6/http").get(`+jsString(server.URL)+`)`)
	if got := acceptEncoding.Load(); got != "" {
		t.Errorf("Accept-Encoding %q sent", got)
	}
	if got := userAgent.Load(); got != defaultUserAgent {
		t.Errorf("User-Agent %q", got)
	}
	_, err := vu.evalErr(t.Context(), `require("k6/http").get(`+jsString(server.URL)+`, {compression: "gzip"})`)
	if err == nil || !strings.Contains(err.Error(), "compression") {
		t.Errorf("compression param: %v", err)
	}
}

func TestHTTPDurationCoversServerDelay(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		io.WriteString(w, "late")
	}))
	defer server.Close()
	h, vu := newScriptVU(t, "")
	vu.eval(t, `var t = require("k6/http").get(`+jsString(server.URL)+`).timings;
		if (!(t.duration >= 20 && t.waiting >= 20 && t.duration === t.sending + t.waiting + t.receiving)) throw new Error(JSON.stringify(t));`)
	if got := h.sink.named("http_req_duration"); got[0].Value < 20 {
		t.Errorf("http_req_duration = %v", got[0].Value)
	}
}

func TestHTTPUserinfoNeverInTags(t *testing.T) {
	var authorization atomic.Value
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authorization.Store(r.Header.Get("Authorization"))
	}))
	defer server.Close()
	h, vu := newScriptVU(t, "")
	withUser := strings.Replace(server.URL, "http://", "http://alice:s3cret@", 1)
	got := vu.eval(t, `var r = require("k6/http").get(`+jsString(withUser+"/p")+`, {auth: "basic"}); r.url + "|" + r.request.url`).String()
	if strings.Contains(got, "s3cret") || strings.Contains(got, "alice") {
		t.Errorf("response exposes userinfo: %q", got)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret")); authorization.Load() != want {
		t.Errorf("Authorization %v, want %s", authorization.Load(), want)
	}
	for _, sample := range h.sink.samples {
		for key, value := range sample.Tags.Map() {
			if strings.Contains(value, "s3cret") || strings.Contains(value, "alice") {
				t.Errorf("%s tag %s = %q", sample.Metric.Name, key, value)
			}
		}
	}
	_, err := vu.evalErr(t.Context(), `require("k6/http").get("http://bob:hunter2@bad host/")`)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("invalid URL error %v", err)
	}
}

func TestHTTPBatch(t *testing.T) {
	var mu sync.Mutex
	inFlight, peak := 0, 0
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.Path)
	}))
	defer server.Close()
	h, vu := newScriptVU(t, "")
	vu.eval(t, `var http = require("k6/http"); var base = `+jsString(server.URL)+`;`)
	got := vu.eval(t, `http.batch([base + "/a", ["POST", base + "/b", "x"], {method: "PUT", url: base + "/c", params: {tags: {k: "v"}}}]).map(function (r) { return r.body; }).join(",")`).String()
	if got != "GET /a,POST /b,PUT /c" {
		t.Errorf("batch array %q", got)
	}
	if peak < 2 {
		t.Errorf("batch ran sequentially (peak %d in flight)", peak)
	}
	got = vu.eval(t, `var r = http.batch({one: base + "/1", two: ["GET", base + "/2"]}); r.one.body + "," + r.two.body`).String()
	if got != "GET /1,GET /2" {
		t.Errorf("batch object %q", got)
	}
	if len(h.sink.named("http_reqs")) != 5 {
		t.Errorf("%d http_reqs", len(h.sink.named("http_reqs")))
	}
}

func TestHTTPJSONAndExpectedStatuses(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
		io.WriteString(w, `{"items":[{"id":3},{"id":4}],"n":null}`)
	}))
	defer server.Close()
	h, vu := newScriptVU(t, "")
	vu.eval(t, `var http = require("k6/http"); var base = `+jsString(server.URL)+`;`)
	got := vu.eval(t, `var r = http.get(base); [r.json("items.1.id"), r.json("items.#"), r.json().items[0].id, r.json() === r.json(), typeof r.json("nope.x")].join(",")`).String()
	if got != "4,2,3,true,undefined" {
		t.Errorf("json %q", got)
	}
	vu.eval(t, `http.setResponseCallback(http.expectedStatuses(404, {min: 200, max: 299})); http.get(base + "/missing");
		http.get(base + "/missing", {responseCallback: http.expectedStatuses(200)}); http.setResponseCallback(null); http.get(base + "/missing")`)
	failed := h.sink.named("http_req_failed")
	if len(failed) != 3 || failed[1].Value != 0 || failed[2].Value != 1 {
		t.Errorf("http_req_failed %+v", failed)
	}
	if requests := h.sink.named("http_reqs"); tag(requests[3], "expected_response") != "" {
		t.Errorf("expected_response tag without a callback")
	}
	_, err := vu.evalErr(t.Context(), `http.get(base).html()`)
	if err == nil || !strings.Contains(err.Error(), "response.html()") {
		t.Errorf("html(): %v", err)
	}
}

func TestHTTPSVerifiesCertificatesUnlessSkipped(t *testing.T) {
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secure") }))
	defer server.Close()
	_, vu := newScriptVU(t, "")
	got := vu.eval(t, `var r = require("k6/http").get(`+jsString(server.URL)+`); r.status + "|" + r.error_code`).String()
	if got != "0|1310" {
		t.Errorf("self-signed certificate: %q", got)
	}

	h, _ := newScriptVU(t, "")
	h.env.InsecureSkipTLSVerify = true
	insecure := h.newVU(t, 2)
	if err := insecure.rt.Set("require", insecure.require); err != nil {
		t.Fatal(err)
	}
	got = insecure.eval(t, `var r = require("k6/http").get(`+jsString(server.URL)+`); [r.status, r.body, r.timings.tls_handshaking > 0].join("|")`).String()
	if got != "200|secure|true" {
		t.Errorf("with InsecureSkipTLSVerify: %q", got)
	}
	if handshakes := h.sink.named("http_req_tls_handshaking"); len(handshakes) != 1 || handshakes[0].Value <= 0 {
		t.Errorf("tls samples %+v", handshakes)
	}
}

func TestHTTPNotInInitContext(t *testing.T) {
	h := newHarness(t, "test.js", `require("k6/http").get("http://127.0.0.1:1/");`)
	if _, err := NewVU(t.Context(), h.env, 0); err == nil || !strings.Contains(err.Error(), "init context") {
		t.Errorf("NewVU = %v", err)
	}
}

func TestHTTPInterruptedByContextEmitsNothing(t *testing.T) {
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer server.Close()
	defer close(release)
	h, vu := newScriptVU(t, "")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	started := time.Now()
	_, err := vu.evalErr(ctx, `require("k6/http").get(`+jsString(server.URL)+`); globalThis.after = true`)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(started) > 2*time.Second {
		t.Errorf("err %v after %v", err, time.Since(started))
	}
	if len(h.sink.samples) != 0 || vu.eval(t, "typeof after").String() != "undefined" {
		t.Errorf("%d samples emitted, or the script went on", len(h.sink.samples))
	}
}
