package jsrt

import "github.com/dop251/goja"

// moduleBuilders make the k6 modules the engine provides; each VU builds a module once, on first
// require. The objects are plain (no __esModule), so esbuild's __toESM makes `default` the module
// itself and both `import http from "k6/http"` and `import { get } from "k6/http"` work.
var moduleBuilders = map[string]func(v *VU) *goja.Object{
	"k6":           (*VU).newK6Module,
	"k6/http":      (*VU).newHTTPModule,
	"k6/metrics":   (*VU).newMetricsModule,
	"k6/execution": (*VU).newExecutionModule,
	"k6/timers":    (*VU).newTimersModule,
}

// require resolves the k6 modules above; anything else fails naming the module.
func (v *VU) require(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	if module, ok := v.modules[name]; ok {
		return module
	}
	build, ok := moduleBuilders[name]
	if !ok {
		// Other k6 modules, remote modules and anything esbuild left external.
		v.throwUnsupported("module " + name)
	}
	module := build(v)
	v.modules[name] = module
	return module
}

func (v *VU) newTimersModule() *goja.Object { return v.newLazyModule(timerMembers) }

var timerMembers = newMemberTable(
	function("setTimeout", func(v *VU) func(goja.FunctionCall) goja.Value { return v.timerFunctions()["setTimeout"] }),
	function("setInterval", func(v *VU) func(goja.FunctionCall) goja.Value { return v.timerFunctions()["setInterval"] }),
	function("clearTimeout", func(v *VU) func(goja.FunctionCall) goja.Value { return v.timerFunctions()["clearTimeout"] }),
	function("clearInterval", func(v *VU) func(goja.FunctionCall) goja.Value { return v.timerFunctions()["clearInterval"] }),
)

// setFunctions sets Go functions as an object's methods.
func setFunctions(object *goja.Object, functions map[string]func(goja.FunctionCall) goja.Value) {
	for name, fn := range functions {
		_ = object.Set(name, fn)
	}
}
