package jsrt

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// The fast parser must give what goja's JSON.parse gives: the same values (compared through
// JSON.stringify plus a type probe) and, for input it refuses, goja's own error.
func TestParseJSONBytesMatchesJSONParse(t *testing.T) {
	_, vu := newScriptVU(t, "")
	inputs := []string{
		`{"page":1,"items":[{"id":1,"name":"Item 1","priceCents":199},{"id":2,"name":"Item \"2\"","x":-0.5e3}]}`,
		`[]`, `{}`, ` [1, 2 , 3 ] `, `"x\u00e9\ud83d\ude00\n\t\\\/"`, `"\ud800x"`, `"\udc00"`, `true`, `false`, `null`,
		`0`, `-0`, `-1`, `123456789012345`, `1234567890123456789`, `9007199254740993`, `1e400`, `-1e400`, `1.5E-3`,
		`{"__proto__":{"a":1},"b":2}`, `{"a":1,"a":2}`, `"é漢字"`, `{"a":[{"b":[null,true,{"c":"d"}]}]}`,
		// refused: goja decides
		`01`, `1.`, `.5`, `+1`, `[1,]`, `{"a":1,}`, `{a:1}`, `"\x"`, "\"a\tb\"", `[1 2]`, `{"a" 1}`, `tru`, `nul`,
		`1 2`, ``, `   `, `[`, `{"a":`, `"abc`, `"\u12"`, "\xff", `NaN`, `[1]x`,
		strings.Repeat("[", 1500) + strings.Repeat("]", 1500),
	}
	probe, _ := goja.AssertFunction(vu.eval(t, `(function (v) {
		var kind = function (x) { return x === null ? "null" : Array.isArray(x) ? "array" : typeof x; };
		var walk = function (x) {
			if (x !== null && typeof x === "object") {
				var out = [kind(x), Object.getPrototypeOf(x) === (Array.isArray(x) ? Array.prototype : Object.prototype)];
				Object.keys(x).forEach(function (k) { out.push(k, walk(x[k])); });
				return out;
			}
			return [kind(x), Object.is(x, -0) ? "-0" : String(x)];
		};
		return JSON.stringify(walk(v));
	})`))
	for _, input := range inputs {
		want, wantErr := vu.jsonParse(goja.Undefined(), vu.rt.ToValue(input))
		got, gotErr := vu.parseJSONBytes([]byte(input))
		if (wantErr == nil) != (gotErr == nil) {
			t.Errorf("%.40q: error %v, JSON.parse's %v", input, gotErr, wantErr)
			continue
		}
		if wantErr != nil {
			if gotErr.Error() != wantErr.Error() {
				t.Errorf("%.40q: error %q, JSON.parse's %q", input, gotErr, wantErr)
			}
			continue
		}
		a, _ := probe(goja.Undefined(), got)
		b, _ := probe(goja.Undefined(), want)
		if a.String() != b.String() {
			t.Errorf("%.40q: %s, JSON.parse gives %s", input, a, b)
		}
	}
}

func BenchmarkParseJSONBytes(b *testing.B) {
	h := newHarness(&testing.T{}, "bench.js", "")
	vu := h.newVU(&testing.T{}, 1)
	body := []byte(`{"page":1,"pageSize":20,"total":200,"items":[` + strings.Repeat(`{"id":1,"name":"Item 1","priceCents":199,"stock":0},`, 19) + `{"id":20,"name":"Item 20","priceCents":902,"stock":7}]}`)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			_, _ = vu.parseJSONBytes(body)
		}
	})
	b.Run("goja", func(b *testing.B) {
		for b.Loop() {
			_, _ = vu.jsonParse(goja.Undefined(), vu.rt.ToValue(string(body)))
		}
	})
}
