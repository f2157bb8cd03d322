package jsrt

import (
	"strings"

	"github.com/dop251/goja"
)

// newConsole builds the console object; its output goes to Environment.Log. Its methods are made on
// first use.
func (v *VU) newConsole() *goja.Object {
	return v.rt.NewDynamicObject(v.newLazyMembers(consoleMembers))
}

var consoleMembers = newMemberTable(
	consoleMethod("log", "info"),
	consoleMethod("info", "info"),
	consoleMethod("warn", "warn"),
	consoleMethod("error", "error"),
	consoleMethod("debug", "debug"),
	consoleMethod("trace", "debug"),
)

func consoleMethod(name, level string) member {
	return function(name, func(v *VU) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			v.log(level, v.formatConsoleArgs(call.Arguments), map[string]string{"source": "console"})
			return goja.Undefined()
		}
	})
}

func (v *VU) log(level, message string, fields map[string]string) {
	if v.env.Log != nil {
		v.env.Log(level, message, fields)
	}
}

// formatConsoleArgs joins the arguments with spaces: strings as they are, objects as JSON (errors
// and values JSON cannot show as their string form).
func (v *VU) formatConsoleArgs(args []goja.Value) string {
	parts := make([]string, len(args))
	for i, arg := range args {
		parts[i] = v.consoleText(arg)
	}
	return strings.Join(parts, " ")
}

func (v *VU) consoleText(value goja.Value) string {
	object, isObject := value.(*goja.Object)
	if !isObject {
		return value.String()
	}
	if _, isFunction := goja.AssertFunction(value); isFunction || object.ClassName() == "Error" {
		return value.String()
	}
	text, err := v.jsonStringify(goja.Undefined(), value)
	if err != nil || text == nil || goja.IsUndefined(text) {
		return value.String()
	}
	return text.String()
}
