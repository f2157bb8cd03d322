package jsrt

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"bulwark.dev/engine/metrics"
)

// emitHTTPSamples sends one hop's metrics in one Add call, all sharing one tag set: the VU's tags
// plus method, url, name, status, proto, expected_response, error_code and the request's tags.
func (v *VU) emitHTTPSamples(request *httpRequest, hop *httpHop) {
	if v.builtins == nil || v.env.Out == nil {
		return
	}
	target := hop.urlString()
	tags := make(map[string]string, 8+len(request.tags))
	tags["method"] = hop.method
	tags["url"] = target
	tags["name"] = target
	tags["status"] = strconv.Itoa(hop.status)
	if hop.proto != "" {
		tags["proto"] = hop.proto
	}
	if hop.errorCode != 0 {
		tags["error_code"] = strconv.Itoa(hop.errorCode)
	}
	failed := 0.0
	if request.expected != nil {
		expected := hop.errorCode == 0 && request.expected.expected(hop.status)
		tags["expected_response"] = strconv.FormatBool(expected)
		failed = boolValue(!expected)
	}
	for key, value := range request.tags {
		tags[key] = value
	}
	set := request.baseTags.With(tags)
	b := v.builtins
	buffer := sampleBuffers.Get().(*[]metrics.Sample)
	samples := (*buffer)[:0]
	add := func(metric *metrics.Metric, value float64) {
		samples = append(samples, metrics.Sample{Metric: metric, Time: hop.end, Value: value, Tags: set})
	}
	add(b.HTTPReqs, 1)
	add(b.HTTPReqDuration, hop.timings.Duration)
	add(b.HTTPReqBlocked, hop.timings.Blocked)
	add(b.HTTPReqConnecting, hop.timings.Connecting)
	add(b.HTTPReqTLSHandshaking, hop.timings.TLSHandshaking)
	add(b.HTTPReqSending, hop.timings.Sending)
	add(b.HTTPReqWaiting, hop.timings.Waiting)
	add(b.HTTPReqReceiving, hop.timings.Receiving)
	add(b.DataSent, float64(hop.sent))
	add(b.DataReceived, float64(hop.received))
	if request.expected != nil {
		add(b.HTTPReqFailed, failed)
	}
	v.env.Out.Add(samples...)
	*buffer = samples[:0]
	sampleBuffers.Put(buffer)
}

// sampleBuffers hold one hop's samples while they are added (sinks never keep the slice).
var sampleBuffers = sync.Pool{New: func() any { buffer := make([]metrics.Sample, 0, 11); return &buffer }}

// responseObject builds the script's Response from the last hop. It is a dynamic object: every field
// is made when the script first reads it (most scripts read status and maybe the body), then kept, so
// r.headers === r.headers holds and a field the script assigns or deletes stays as the script left it.
func (v *VU) responseObject(request *httpRequest, hops []*httpHop) *goja.Object {
	response := &httpResponse{vu: v, request: request, hop: hops[len(hops)-1]}
	object := v.rt.NewDynamicObject(response)
	response.object = object
	return object
}

// responseKeys are the Response's fields in their order (Object.keys, JSON.stringify).
var responseKeys = []string{"status", "status_text", "proto", "url", "remote_ip", "remote_port", "error",
	"error_code", "headers", "cookies", "timings", "request", "body", "json", "html", "clickLink", "submitForm"}

// httpResponse is a Response's state behind its dynamic object.
type httpResponse struct {
	vu      *VU
	request *httpRequest
	hop     *httpHop
	object  *goja.Object
	// fields are the values made so far (and any the script set); deleted the ones it deleted.
	fields  map[string]goja.Value
	deleted map[string]bool
	// extra are keys the script added, in the order it added them.
	extra  []string
	parsed goja.Value // response.json()'s result, parsed once
}

func (r *httpResponse) isField(key string) bool {
	switch key {
	case "status", "status_text", "proto", "url", "remote_ip", "remote_port", "error", "error_code",
		"headers", "cookies", "timings", "request", "body", "json", "html", "clickLink", "submitForm":
		return true
	}
	return false
}

func (r *httpResponse) Get(key string) goja.Value {
	if value, ok := r.fields[key]; ok {
		return value
	}
	if r.deleted[key] || !r.isField(key) {
		return nil
	}
	value := r.make(key)
	switch key {
	case "status", "error_code", "remote_port", "json", "html", "clickLink", "submitForm":
		// Cheap or shared: not worth a map entry.
	default:
		if r.fields == nil {
			r.fields = make(map[string]goja.Value, 4)
		}
		r.fields[key] = value
	}
	return value
}

// make builds one field's value.
func (r *httpResponse) make(key string) goja.Value {
	v, hop, request := r.vu, r.hop, r.request
	switch key {
	case "status":
		return v.rt.ToValue(hop.status)
	case "status_text":
		return v.rt.ToValue(hop.statusText)
	case "proto":
		return v.rt.ToValue(hop.proto)
	case "url":
		return v.rt.ToValue(hop.urlString())
	case "remote_ip":
		return v.rt.ToValue(hop.remoteIP)
	case "remote_port":
		return v.rt.ToValue(hop.remotePort)
	case "error":
		return v.rt.ToValue(hop.errorText)
	case "error_code":
		return v.rt.ToValue(hop.errorCode)
	case "headers":
		return v.headersObject(hop.headers)
	case "cookies":
		return v.responseCookies(hop.cookies)
	case "timings":
		timings := v.rt.NewObject()
		for _, field := range []struct {
			name  string
			value float64
		}{
			{"blocked", hop.timings.Blocked},
			{"connecting", hop.timings.Connecting},
			{"tls_handshaking", hop.timings.TLSHandshaking},
			{"sending", hop.timings.Sending},
			{"waiting", hop.timings.Waiting},
			{"receiving", hop.timings.Receiving},
			{"duration", hop.timings.Duration},
		} {
			_ = timings.Set(field.name, field.value)
		}
		return timings
	case "request":
		requestObject := v.rt.NewObject()
		_ = requestObject.Set("method", hop.method)
		_ = requestObject.Set("url", hop.url.String())
		_ = requestObject.Set("headers", v.headersObject(hop.requestHeaders))
		_ = requestObject.Set("body", string(hop.requestBody))
		return requestObject
	case "body":
		switch {
		case hop.body == nil && (request.discardBody || hop.errorCode != 0):
			return goja.Null()
		case request.responseType == "binary":
			return v.rt.ToValue(v.rt.NewArrayBuffer(hop.body))
		default:
			return v.rt.ToValue(string(hop.body))
		}
	case "json":
		return v.responseFunctions().json
	case "html":
		return v.responseFunctions().html
	case "clickLink":
		return v.responseFunctions().clickLink
	case "submitForm":
		return v.responseFunctions().submitForm
	}
	return nil
}

func (r *httpResponse) Set(key string, value goja.Value) bool {
	if !r.isField(key) {
		if _, known := r.fields[key]; !known {
			r.extra = append(r.extra, key)
		}
	}
	if r.fields == nil {
		r.fields = make(map[string]goja.Value, 4)
	}
	r.fields[key] = value
	delete(r.deleted, key)
	return true
}

func (r *httpResponse) Has(key string) bool {
	if _, ok := r.fields[key]; ok {
		return true
	}
	return r.isField(key) && !r.deleted[key]
}

func (r *httpResponse) Delete(key string) bool {
	if r.isField(key) {
		if r.deleted == nil {
			r.deleted = map[string]bool{}
		}
		r.deleted[key] = true
	} else if _, known := r.fields[key]; known {
		r.extra = slices.DeleteFunc(r.extra, func(extra string) bool { return extra == key })
	}
	delete(r.fields, key)
	return true
}

func (r *httpResponse) Keys() []string {
	keys := make([]string, 0, len(responseKeys)+len(r.extra))
	for _, key := range responseKeys {
		if !r.deleted[key] {
			keys = append(keys, key)
		}
	}
	return append(keys, r.extra...)
}

// responseMethods are a VU's Response methods, made once and shared by every response (they find
// their response through `this`).
type responseMethods struct {
	json, html, clickLink, submitForm goja.Value
}

func (v *VU) responseFunctions() *responseMethods {
	if v.responseMethods != nil {
		return v.responseMethods
	}
	methods := &responseMethods{
		json:       v.rt.ToValue(v.responseJSON),
		html:       v.rt.ToValue(v.unsupportedFunction("response.html()")),
		clickLink:  v.rt.ToValue(v.unsupportedFunction("response.clickLink()")),
		submitForm: v.rt.ToValue(v.unsupportedFunction("response.submitForm()")),
	}
	v.responseMethods = methods
	return methods
}

// responseJSON is response.json(selector?): the body parsed once, or the value at a dotted path.
func (v *VU) responseJSON(call goja.FunctionCall) goja.Value {
	var response *httpResponse
	if this, isObject := call.This.(*goja.Object); isObject {
		response, _ = this.Export().(*httpResponse)
	}
	if response == nil {
		panic(v.rt.NewTypeError("response.json() must be called on a response"))
	}
	if response.parsed == nil {
		request, hop := response.request, response.hop
		if hop.body == nil && (request.discardBody || hop.errorCode != 0) {
			v.throwf("response.json(): the response has no body (%s)", bodylessReason(request, hop))
		}
		value, err := v.parseJSONBytes(hop.body)
		if err != nil {
			panic(err)
		}
		response.parsed = value
	}
	if selector := call.Argument(0); !goja.IsUndefined(selector) {
		return v.selectJSON(response.parsed, selector.String())
	}
	return response.parsed
}

func bodylessReason(request *httpRequest, hop *httpHop) string {
	switch {
	case hop.errorCode != 0:
		return "request failed: " + hop.errorText
	case request.responseType == "none":
		return `responseType "none"`
	default:
		return "discardResponseBodies is set"
	}
}

// selectJSON follows a dotted path ("items.0.id"); "#" is an array's length ("items.#").
func (v *VU) selectJSON(value goja.Value, selector string) goja.Value {
	for _, segment := range strings.Split(selector, ".") {
		object, isObject := value.(*goja.Object)
		if !isObject {
			return goja.Undefined()
		}
		if segment == "#" {
			if object.ClassName() == "Array" {
				return object.Get("length")
			}
			return goja.Undefined()
		}
		value = object.Get(segment)
		if value == nil {
			return goja.Undefined()
		}
	}
	return value
}

// headersObject maps canonical header names to their values, several joined with ", ".
func (v *VU) headersObject(headers http.Header) *goja.Object {
	object := v.rt.NewObject()
	for name, values := range headers {
		_ = object.Set(http.CanonicalHeaderKey(name), strings.Join(values, ", "))
	}
	return object
}

// responseCookies maps cookie names to the cookies the response set, as k6 shapes them.
func (v *VU) responseCookies(cookies []*http.Cookie) *goja.Object {
	object := v.rt.NewObject()
	byName := map[string][]any{}
	var names []string
	for _, cookie := range cookies {
		entry := v.rt.NewObject()
		_ = entry.Set("name", cookie.Name)
		_ = entry.Set("value", cookie.Value)
		_ = entry.Set("domain", cookie.Domain)
		_ = entry.Set("path", cookie.Path)
		_ = entry.Set("http_only", cookie.HttpOnly)
		_ = entry.Set("secure", cookie.Secure)
		_ = entry.Set("max_age", cookie.MaxAge)
		expires := int64(0)
		if !cookie.Expires.IsZero() {
			expires = cookie.Expires.UnixMilli()
		}
		_ = entry.Set("expires", expires)
		if _, seen := byName[cookie.Name]; !seen {
			names = append(names, cookie.Name)
		}
		byName[cookie.Name] = append(byName[cookie.Name], entry)
	}
	sort.Strings(names)
	for _, name := range names {
		_ = object.Set(name, v.rt.NewArray(byName[name]...))
	}
	return object
}
