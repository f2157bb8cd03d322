package jsrt

import (
	"slices"
	"time"

	"github.com/dop251/goja"
)

// AbortError is what a call returns after the script called exec.test.abort().
type AbortError struct{ Reason string }

func (e *AbortError) Error() string {
	if e.Reason == "" {
		return "test aborted by the script"
	}
	return "test aborted by the script: " + e.Reason
}

// newExecutionModule is k6/execution: live views of the VU, its scenario, the instance and the test.
func (v *VU) newExecutionModule() *goja.Object { return v.newLazyModule(executionMembers) }

var executionMembers = newMemberTable(
	member{name: "vu", make: (*VU).newExecutionVU},
	member{name: "scenario", make: (*VU).newExecutionScenario},
	member{name: "instance", make: (*VU).newExecutionInstance},
	member{name: "test", make: (*VU).newExecutionTest},
)

func (v *VU) newExecutionVU() goja.Value {
	vu := v.rt.NewObject()
	v.defineGetters(vu, map[string]func() any{
		"idInTest":            func() any { return v.id },
		"idInInstance":        func() any { return v.id },
		"iterationInInstance": func() any { return v.iterInTotal },
		"iterationInScenario": func() any { return v.iterInScen },
	})
	_ = vu.Set("tags", v.rt.NewDynamicObject(&vuTagsObject{v: v}))
	return vu
}

func (v *VU) newExecutionScenario() goja.Value {
	scenario := v.rt.NewObject()
	v.defineGetters(scenario, map[string]func() any{
		"name":                func() any { return v.activation.Scenario },
		"startTime":           func() any { return v.scenarioStart().UnixMilli() },
		"iterationInInstance": func() any { return v.iteration.InScenario },
		"iterationInTest":     func() any { return v.iteration.InTest },
		"executor":            func() any { v.throwUnsupported("exec.scenario.executor"); return nil },
		"progress":            func() any { v.throwUnsupported("exec.scenario.progress"); return nil },
	})
	return scenario
}

func (v *VU) newExecutionInstance() goja.Value {
	instance := v.rt.NewObject()
	v.defineGetters(instance, map[string]func() any{
		"vusActive":      func() any { return v.executionCount(Execution.VUsActive) },
		"vusInitialized": func() any { return v.executionCount(Execution.VUsMax) },
		"currentTestRunDuration": func() any {
			if v.env.Execution == nil {
				return 0
			}
			return durationMilliseconds(time.Since(v.env.Execution.StartTime()))
		},
		"iterationsCompleted":   func() any { v.throwUnsupported("exec.instance.iterationsCompleted"); return nil },
		"iterationsInterrupted": func() any { v.throwUnsupported("exec.instance.iterationsInterrupted"); return nil },
	})
	return instance
}

func (v *VU) newExecutionTest() goja.Value {
	test := v.rt.NewObject()
	_ = test.Set("abort", v.abort)
	v.defineGetters(test, map[string]func() any{
		"options": func() any { return v.exports.Get("options") },
	})
	return test
}

func (v *VU) defineGetters(object *goja.Object, getters map[string]func() any) {
	for name, get := range getters {
		getter := v.rt.ToValue(func(goja.FunctionCall) goja.Value { return v.rt.ToValue(get()) })
		_ = object.DefineAccessorProperty(name, getter, nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
}

func (v *VU) scenarioStart() time.Time {
	if !v.activation.StartTime.IsZero() {
		return v.activation.StartTime
	}
	if v.env.Execution != nil {
		return v.env.Execution.StartTime()
	}
	return time.Time{}
}

func (v *VU) executionCount(count func(Execution) int64) int64 {
	if v.env.Execution == nil {
		return 0
	}
	return count(v.env.Execution)
}

// abort is exec.test.abort(reason?): the runner ends the test, and this call stops at once.
func (v *VU) abort(call goja.FunctionCall) goja.Value {
	reason := ""
	if argument := call.Argument(0); !goja.IsUndefined(argument) {
		reason = argument.String()
	}
	if v.env.Execution != nil {
		v.env.Execution.Abort(reason)
	}
	v.rt.Interrupt(&AbortError{Reason: reason})
	return goja.Undefined()
}

// vuTagsObject is exec.vu.tags: reading and writing the tags of the VU's samples.
type vuTagsObject struct{ v *VU }

func (t *vuTagsObject) Get(key string) goja.Value {
	if key == "group" {
		return t.v.rt.ToValue(t.v.tags.group)
	}
	value, ok := t.v.tags.base[key]
	if !ok {
		return nil
	}
	return t.v.rt.ToValue(value)
}

func (t *vuTagsObject) Set(key string, value goja.Value) bool {
	if key == "group" {
		return false
	}
	if _, isObject := value.(*goja.Object); isObject {
		t.v.throwf("exec.vu.tags[%q]: tag values must be strings, numbers or booleans", key)
	}
	t.v.tags.setTag(key, value.String())
	return true
}

func (t *vuTagsObject) Has(key string) bool {
	_, ok := t.v.tags.base[key]
	return ok || key == "group"
}

func (t *vuTagsObject) Delete(key string) bool {
	if key != "group" {
		t.v.tags.remove(key)
	}
	return true
}

func (t *vuTagsObject) Keys() []string {
	keys := []string{"group"}
	for key := range t.v.tags.base {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}
