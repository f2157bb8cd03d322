package jsrt

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// newHTTPModule is k6/http.
func (v *VU) newHTTPModule() *goja.Object { return v.newLazyModule(httpMembers) }

var httpMembers = newMemberTable(
	function("get", sendWithoutBody(http.MethodGet)),
	function("head", sendWithoutBody(http.MethodHead)),
	function("options", sendWithBody("options", http.MethodOptions)),
	function("post", sendWithBody("post", http.MethodPost)),
	function("put", sendWithBody("put", http.MethodPut)),
	function("patch", sendWithBody("patch", http.MethodPatch)),
	function("del", sendWithBody("del", http.MethodDelete)),
	function("request", func(v *VU) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			method := strings.ToUpper(call.Argument(0).String())
			return v.sendOne("request", method, call.Argument(1), call.Argument(2), call.Argument(3))
		}
	}),
	function("batch", func(v *VU) func(goja.FunctionCall) goja.Value { return v.batch }),
	function("expectedStatuses", func(v *VU) func(goja.FunctionCall) goja.Value { return v.expectedStatuses }),
	function("setResponseCallback", func(v *VU) func(goja.FunctionCall) goja.Value { return v.setResponseCallback }),
	function("cookieJar", func(v *VU) func(goja.FunctionCall) goja.Value {
		return func(goja.FunctionCall) goja.Value { return v.cookieJarObject(v.http.jar) }
	}),
	function("asyncRequest", unsupported("http.asyncRequest")),
	function("file", unsupported("http.file (multipart bodies)")),
	function("url", unsupported("http.url")),
	member{name: "CookieJar", make: func(v *VU) goja.Value {
		return v.rt.ToValue(func(goja.ConstructorCall) *goja.Object {
			jar, _ := cookiejar.New(nil)
			return v.cookieJarObject(jar)
		})
	}},
)

func sendWithoutBody(method string) func(v *VU) func(goja.FunctionCall) goja.Value {
	name := strings.ToLower(method)
	return func(v *VU) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			return v.sendOne(name, method, call.Argument(0), goja.Undefined(), call.Argument(1))
		}
	}
}

func sendWithBody(name, method string) func(v *VU) func(goja.FunctionCall) goja.Value {
	return func(v *VU) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			return v.sendOne(name, method, call.Argument(0), call.Argument(1), call.Argument(2))
		}
	}
}

func unsupported(what string) func(v *VU) func(goja.FunctionCall) goja.Value {
	return func(v *VU) func(goja.FunctionCall) goja.Value { return v.unsupportedFunction(what) }
}

func (v *VU) unsupportedFunction(what string) func(goja.FunctionCall) goja.Value {
	return func(goja.FunctionCall) goja.Value {
		v.throwUnsupported(what)
		return nil
	}
}

// sendOne runs one request on the VU's goroutine and returns the response object.
func (v *VU) sendOne(function, method string, target, body, params goja.Value) goja.Value {
	request := v.newHTTPRequest(function, method, target, body, params)
	hops := v.http.do(v.ctx, v, request)
	v.interruptIfDone()
	return v.responseObject(request, hops)
}

// batch(requests) sends the requests in parallel and returns the responses in the same shape (an
// array, or an object with the same keys). The requests are converted before and the responses
// after: the runtime is only touched on the VU's goroutine.
func (v *VU) batch(call goja.FunctionCall) goja.Value {
	argument := call.Argument(0)
	if goja.IsUndefined(argument) || goja.IsNull(argument) {
		panic(v.rt.NewTypeError("http.batch: expected an array or an object of requests"))
	}
	object := argument.ToObject(v.rt)
	keys := object.Keys()
	isArray := object.ClassName() == "Array"
	requests := make([]*httpRequest, len(keys))
	for i, key := range keys {
		requests[i] = v.batchItem(key, object.Get(key))
	}
	results := make([][]*httpHop, len(requests))
	var wait sync.WaitGroup
	for i, request := range requests {
		wait.Go(func() { results[i] = v.http.do(v.ctx, v, request) })
	}
	wait.Wait()
	v.interruptIfDone()
	var out *goja.Object
	if isArray {
		out = v.rt.NewArray()
	} else {
		out = v.rt.NewObject()
	}
	for i, key := range keys {
		_ = out.Set(key, v.responseObject(requests[i], results[i]))
	}
	return out
}

// batchItem reads one batch entry: a URL string, [method, url, body?, params?] or
// {method, url, body?, params?}.
func (v *VU) batchItem(key string, item goja.Value) *httpRequest {
	if _, isString := item.Export().(string); isString {
		return v.newHTTPRequest("batch", http.MethodGet, item, goja.Undefined(), goja.Undefined())
	}
	object, isObject := item.(*goja.Object)
	if !isObject {
		panic(v.rt.NewTypeError("http.batch: request %s must be a URL, an array or an object", key))
	}
	isArray := object.ClassName() == "Array"
	field := func(index int, name string) goja.Value {
		var value goja.Value
		if isArray {
			value = object.Get(strconv.Itoa(index))
		} else {
			value = object.Get(name)
		}
		if value == nil {
			return goja.Undefined()
		}
		return value
	}
	method := http.MethodGet
	if m := field(0, "method"); !goja.IsUndefined(m) && !goja.IsNull(m) {
		method = strings.ToUpper(m.String())
	}
	return v.newHTTPRequest("batch", method, field(1, "url"), field(2, "body"), field(3, "params"))
}

// interruptIfDone stops the script at once when the call's context ended during a request.
func (v *VU) interruptIfDone() {
	if err := v.ctx.Err(); err != nil {
		v.rt.Interrupt(err)
	}
}

var userinfoPattern = regexp.MustCompile(`//[^/@\s]*@`)

// redactUserinfo removes user:password@ from URLs in a message.
func redactUserinfo(text string) string { return userinfoPattern.ReplaceAllString(text, "//") }

// newHTTPRequest converts a request's arguments; mistakes in them throw, naming the function.
func (v *VU) newHTTPRequest(function, method string, target, body, params goja.Value) *httpRequest {
	if v.inInit {
		v.throwf("http.%s: HTTP requests cannot be made in the init context; use setup() or the iteration", function)
	}
	rawURL := target.String()
	parsed, err := url.Parse(rawURL)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		v.throwf("http.%s: invalid URL %q (absolute http or https URLs only)", function, redactUserinfo(rawURL))
	}
	request := &httpRequest{
		method:       method,
		url:          parsed,
		user:         parsed.User,
		headers:      http.Header{},
		timeout:      defaultHTTPTimeout,
		maxRedirects: v.env.MaxRedirects,
		responseType: "text",
		discardBody:  v.env.DiscardResponseBodies,
		expected:     v.responseCallback(),
		baseTags:     v.tags.current(),
	}
	switch {
	case request.maxRedirects == 0:
		request.maxRedirects = defaultMaxRedirects
	case request.maxRedirects < 0:
		request.maxRedirects = 0
	}
	parsed.User = nil
	v.readParams(function, params, request)
	v.readBody(function, body, request)
	return request
}

func (v *VU) readParams(function string, params goja.Value, request *httpRequest) {
	if params == nil || goja.IsUndefined(params) || goja.IsNull(params) {
		return
	}
	object := params.ToObject(v.rt)
	for _, key := range object.Keys() {
		value := object.Get(key)
		if goja.IsUndefined(value) || goja.IsNull(value) {
			if key == "responseCallback" {
				request.expected = nil
			}
			continue
		}
		switch key {
		case "headers":
			headers := value.ToObject(v.rt)
			for _, name := range headers.Keys() {
				request.headers.Set(name, headers.Get(name).String())
			}
		case "tags":
			request.tags = v.tagsArgument(value)
		case "timeout":
			request.timeout = v.timeoutParam(function, value)
		case "redirects":
			request.maxRedirects = int(value.ToInteger())
			if request.maxRedirects < 0 {
				request.maxRedirects = 0
			}
		case "responseType":
			switch responseType := value.String(); responseType {
			case "text", "binary", "none":
				request.responseType = responseType
				request.discardBody = responseType == "none"
			default:
				v.throwf("http.%s: responseType %q is not one of text, binary, none", function, responseType)
			}
		case "auth":
			if auth := value.String(); auth != "basic" {
				v.throwUnsupported(fmt.Sprintf("http params.auth %q (only basic, from the URL's user:password@)", auth))
			}
		case "cookies":
			request.cookies = v.cookiesParam(value)
		case "jar":
			jar, ok := v.jarOf(value)
			if !ok {
				v.throwf("http.%s: params.jar must be http.cookieJar() or a new http.CookieJar()", function)
			}
			request.jar = jar
		case "responseCallback":
			ranges, ok := value.Export().(*statusRanges)
			if !ok {
				v.throwUnsupported("http params.responseCallback other than http.expectedStatuses(...)")
			}
			request.expected = ranges
		case "compression":
			v.throwUnsupported("http params.compression")
		}
	}
}

// timeoutParam reads a timeout: milliseconds as a number, or a duration string ("5s", "500ms").
func (v *VU) timeoutParam(function string, value goja.Value) time.Duration {
	if text, isString := value.Export().(string); isString {
		if ms, err := strconv.ParseFloat(text, 64); err == nil {
			return milliseconds(ms)
		}
		duration, err := time.ParseDuration(text)
		if err != nil || duration <= 0 {
			v.throwf("http.%s: invalid timeout %q", function, text)
		}
		return duration
	}
	timeout := milliseconds(value.ToFloat())
	if timeout <= 0 {
		v.throwf("http.%s: invalid timeout %s", function, value.String())
	}
	return timeout
}

// cookiesParam reads {name: value} or {name: {value, replace}} request cookies.
func (v *VU) cookiesParam(value goja.Value) []*http.Cookie {
	object := value.ToObject(v.rt)
	var cookies []*http.Cookie
	for _, name := range object.Keys() {
		cookieValue := object.Get(name)
		if detailed, isObject := cookieValue.(*goja.Object); isObject {
			cookieValue = detailed.Get("value")
		}
		cookies = append(cookies, &http.Cookie{Name: name, Value: cookieValue.String()})
	}
	return cookies
}

// readBody converts a body: a string as it is, an ArrayBuffer or Uint8Array as bytes, an object as
// a url-encoded form.
func (v *VU) readBody(function string, body goja.Value, request *httpRequest) {
	if body == nil || goja.IsUndefined(body) || goja.IsNull(body) {
		return
	}
	request.hasBody = true
	switch exported := body.Export().(type) {
	case string:
		request.body = []byte(exported)
	case goja.ArrayBuffer:
		request.body = exported.Bytes()
	case []byte:
		request.body = exported
	default:
		object, isObject := body.(*goja.Object)
		if !isObject {
			request.body = []byte(body.String())
			return
		}
		form := url.Values{}
		for _, key := range object.Keys() {
			field := object.Get(key)
			if fieldObject, isObject := field.(*goja.Object); isObject && fieldObject.Get("data") != nil &&
				fieldObject.Get("filename") != nil {
				v.throwUnsupported("http.file (multipart bodies)")
			}
			form.Set(key, field.String())
		}
		request.body = []byte(form.Encode())
		if request.headers.Get("Content-Type") == "" {
			request.headers.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
}

// statusRanges are the statuses http.expectedStatuses() accepts.
type statusRanges struct{ ranges [][2]int }

func (s *statusRanges) expected(status int) bool {
	for _, r := range s.ranges {
		if status >= r[0] && status <= r[1] {
			return true
		}
	}
	return false
}

var defaultExpectedStatuses = &statusRanges{ranges: [][2]int{{200, 399}}}

// expectedStatuses(200, {min: 300, max: 399}, ...) builds a response callback.
func (v *VU) expectedStatuses(call goja.FunctionCall) goja.Value {
	ranges := &statusRanges{}
	for i, argument := range call.Arguments {
		if object, isObject := argument.(*goja.Object); isObject {
			minimum, maximum := object.Get("min"), object.Get("max")
			if minimum == nil || maximum == nil {
				v.throwf("http.expectedStatuses: argument %d must be a status or {min, max}", i+1)
			}
			ranges.ranges = append(ranges.ranges, [2]int{int(minimum.ToInteger()), int(maximum.ToInteger())})
			continue
		}
		status := argument.ToFloat()
		if status != float64(int(status)) {
			v.throwf("http.expectedStatuses: argument %d must be a whole status code", i+1)
		}
		ranges.ranges = append(ranges.ranges, [2]int{int(status), int(status)})
	}
	return v.rt.ToValue(ranges)
}

// setResponseCallback(http.expectedStatuses(...)) or (null: no expected_response tag, no
// http_req_failed).
func (v *VU) setResponseCallback(call goja.FunctionCall) goja.Value {
	argument := call.Argument(0)
	if goja.IsUndefined(argument) || goja.IsNull(argument) {
		v.callback = nil
		v.callbackSet = true
		return goja.Undefined()
	}
	ranges, ok := argument.Export().(*statusRanges)
	if !ok {
		v.throwUnsupported("http.setResponseCallback with a callback other than http.expectedStatuses(...)")
	}
	v.callback, v.callbackSet = ranges, true
	return goja.Undefined()
}

func (v *VU) responseCallback() *statusRanges {
	if v.callbackSet {
		return v.callback
	}
	return defaultExpectedStatuses
}

// cookieJarObject wraps a jar: cookiesForURL(url), set(url, name, value, options?), clear(url),
// delete(url, name).
func (v *VU) cookieJarObject(jar http.CookieJar) *goja.Object {
	for object, known := range v.jars {
		if known == jar {
			return object
		}
	}
	object := v.rt.NewObject()
	parse := func(function string, value goja.Value) *url.URL {
		parsed, err := url.Parse(value.String())
		if err != nil || parsed.Host == "" {
			v.throwf("jar.%s: invalid URL %q", function, redactUserinfo(value.String()))
		}
		parsed.User = nil
		return parsed
	}
	setFunctions(object, map[string]func(goja.FunctionCall) goja.Value{
		"cookiesForURL": func(call goja.FunctionCall) goja.Value {
			result := v.rt.NewObject()
			grouped := map[string][]any{}
			var names []string
			for _, cookie := range jar.Cookies(parse("cookiesForURL", call.Argument(0))) {
				if _, seen := grouped[cookie.Name]; !seen {
					names = append(names, cookie.Name)
				}
				grouped[cookie.Name] = append(grouped[cookie.Name], cookie.Value)
			}
			sort.Strings(names)
			for _, name := range names {
				_ = result.Set(name, v.rt.NewArray(grouped[name]...))
			}
			return result
		},
		"set": func(call goja.FunctionCall) goja.Value {
			target := parse("set", call.Argument(0))
			cookie := &http.Cookie{Name: call.Argument(1).String(), Value: call.Argument(2).String()}
			if options, isObject := call.Argument(3).(*goja.Object); isObject {
				if domain := options.Get("domain"); domain != nil && !goja.IsUndefined(domain) {
					cookie.Domain = domain.String()
				}
				if path := options.Get("path"); path != nil && !goja.IsUndefined(path) {
					cookie.Path = path.String()
				}
				if secure := options.Get("secure"); secure != nil {
					cookie.Secure = secure.ToBoolean()
				}
				if httpOnly := options.Get("http_only"); httpOnly != nil {
					cookie.HttpOnly = httpOnly.ToBoolean()
				}
				if maxAge := options.Get("max_age"); maxAge != nil && !goja.IsUndefined(maxAge) {
					cookie.MaxAge = int(maxAge.ToInteger())
				}
			}
			jar.SetCookies(target, []*http.Cookie{cookie})
			return goja.Undefined()
		},
		"clear": func(call goja.FunctionCall) goja.Value {
			target := parse("clear", call.Argument(0))
			expire(jar, target, jar.Cookies(target))
			return goja.Undefined()
		},
		"delete": func(call goja.FunctionCall) goja.Value {
			target := parse("delete", call.Argument(0))
			name := call.Argument(1).String()
			var matching []*http.Cookie
			for _, cookie := range jar.Cookies(target) {
				if cookie.Name == name {
					matching = append(matching, cookie)
				}
			}
			expire(jar, target, matching)
			return goja.Undefined()
		},
	})
	if v.jars == nil {
		v.jars = map[*goja.Object]http.CookieJar{}
	}
	v.jars[object] = jar
	return object
}

func expire(jar http.CookieJar, target *url.URL, cookies []*http.Cookie) {
	expired := make([]*http.Cookie, len(cookies))
	for i, cookie := range cookies {
		expired[i] = &http.Cookie{Name: cookie.Name, Value: "", Path: "/", MaxAge: -1}
	}
	jar.SetCookies(target, expired)
}

func (v *VU) jarOf(value goja.Value) (http.CookieJar, bool) {
	object, isObject := value.(*goja.Object)
	if !isObject {
		return nil, false
	}
	jar, ok := v.jars[object]
	return jar, ok
}
