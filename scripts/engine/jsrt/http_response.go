package jsrt

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"bulwark.dev/engine/metrics"
)

// emitHTTPSamples sends one hop's metrics in one Add call, all sharing one tag set: the VU's tags
// plus method, url, name, status, proto, expected_response, error_code and the request's tags.
func (v *VU) emitHTTPSamples(request *httpRequest, hop *httpHop) {
	if v.builtins == nil || v.env.Out == nil {
		return
	}
	target := hop.url.String()
	tags := map[string]string{
		"method": hop.method,
		"url":    target,
		"name":   target,
		"status": strconv.Itoa(hop.status),
	}
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
	sample := func(metric *metrics.Metric, value float64) metrics.Sample {
		return metrics.Sample{Metric: metric, Time: hop.end, Value: value, Tags: set}
	}
	samples := []metrics.Sample{
		sample(b.HTTPReqs, 1),
		sample(b.HTTPReqDuration, hop.timings.Duration),
		sample(b.HTTPReqBlocked, hop.timings.Blocked),
		sample(b.HTTPReqConnecting, hop.timings.Connecting),
		sample(b.HTTPReqTLSHandshaking, hop.timings.TLSHandshaking),
		sample(b.HTTPReqSending, hop.timings.Sending),
		sample(b.HTTPReqWaiting, hop.timings.Waiting),
		sample(b.HTTPReqReceiving, hop.timings.Receiving),
		sample(b.DataSent, float64(hop.sent)),
		sample(b.DataReceived, float64(hop.received)),
	}
	if request.expected != nil {
		samples = append(samples, sample(b.HTTPReqFailed, failed))
	}
	v.env.Out.Add(samples...)
}

// responseObject builds the script's Response from the last hop.
func (v *VU) responseObject(request *httpRequest, hops []*httpHop) *goja.Object {
	hop := hops[len(hops)-1]
	response := v.rt.NewObject()
	set := func(name string, value any) { _ = response.Set(name, value) }
	set("status", hop.status)
	set("status_text", hop.statusText)
	set("proto", hop.proto)
	set("url", hop.url.String())
	set("remote_ip", hop.remoteIP)
	set("remote_port", hop.remotePort)
	set("error", hop.errorText)
	set("error_code", hop.errorCode)
	set("headers", v.headersObject(hop.headers))
	set("cookies", v.responseCookies(hop.cookies))

	timings := v.rt.NewObject()
	for name, value := range map[string]float64{
		"blocked":         hop.timings.Blocked,
		"connecting":      hop.timings.Connecting,
		"tls_handshaking": hop.timings.TLSHandshaking,
		"sending":         hop.timings.Sending,
		"waiting":         hop.timings.Waiting,
		"receiving":       hop.timings.Receiving,
		"duration":        hop.timings.Duration,
	} {
		_ = timings.Set(name, value)
	}
	set("timings", timings)

	requestObject := v.rt.NewObject()
	_ = requestObject.Set("method", hop.method)
	_ = requestObject.Set("url", hop.url.String())
	_ = requestObject.Set("headers", v.headersObject(hop.requestHeaders))
	_ = requestObject.Set("body", string(hop.requestBody))
	set("request", requestObject)

	var body goja.Value = goja.Null()
	switch {
	case hop.body == nil && (request.discardBody || hop.errorCode != 0):
	case request.responseType == "binary":
		body = v.rt.ToValue(v.rt.NewArrayBuffer(hop.body))
	default:
		body = v.rt.ToValue(string(hop.body))
	}
	set("body", body)

	var parsed goja.Value
	set("json", func(call goja.FunctionCall) goja.Value {
		if parsed == nil {
			if goja.IsNull(body) {
				v.throwf("response.json(): the response has no body (%s)", bodylessReason(request, hop))
			}
			text := body
			if request.responseType == "binary" {
				text = v.rt.ToValue(string(hop.body))
			}
			value, err := v.jsonParse(goja.Undefined(), text)
			if err != nil {
				panic(err)
			}
			parsed = value
		}
		if selector := call.Argument(0); !goja.IsUndefined(selector) {
			return v.selectJSON(parsed, selector.String())
		}
		return parsed
	})
	for _, name := range []string{"html", "clickLink", "submitForm"} {
		set(name, v.unsupportedFunction("response."+name+"()"))
	}
	return response
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
