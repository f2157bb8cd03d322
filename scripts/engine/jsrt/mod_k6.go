package jsrt

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/dop251/goja"

	"bulwark.dev/engine/metrics"
)

func (v *VU) newK6Module() *goja.Object { return v.newLazyModule(k6Members) }

var k6Members = newMemberTable(
	function("check", func(v *VU) func(goja.FunctionCall) goja.Value { return v.check }),
	function("sleep", func(v *VU) func(goja.FunctionCall) goja.Value { return v.sleep }),
	function("group", func(v *VU) func(goja.FunctionCall) goja.Value { return v.group }),
	function("fail", func(v *VU) func(goja.FunctionCall) goja.Value { return v.fail }),
	function("randomSeed", func(v *VU) func(goja.FunctionCall) goja.Value { return v.randomSeed }),
)

// check(value, {name: fn|bool}, tags?) emits one checks sample per check and returns whether all
// passed. An exception in a check function is rethrown (the checks before it are emitted).
func (v *VU) check(call goja.FunctionCall) goja.Value {
	value := call.Argument(0)
	checksArg := call.Argument(1)
	if goja.IsUndefined(checksArg) || goja.IsNull(checksArg) {
		return v.rt.ToValue(true)
	}
	checks := checksArg.ToObject(v.rt)
	extra := v.tagsArgument(call.Argument(2))
	var samples []metrics.Sample
	emit := func() {
		if len(samples) > 0 && v.builtins != nil && v.env.Out != nil {
			v.env.Out.Add(samples...)
		}
	}
	allPassed := true
	base := v.tags.current().With(extra)
	for _, name := range checks.Keys() {
		condition := checks.Get(name)
		passed := condition.ToBoolean()
		if fn, ok := goja.AssertFunction(condition); ok {
			result, err := fn(goja.Undefined(), value)
			if err != nil {
				emit()
				panic(err)
			}
			passed = result.ToBoolean()
		}
		allPassed = allPassed && passed
		if v.builtins != nil {
			samples = append(samples, metrics.Sample{
				Metric: v.builtins.Checks,
				Time:   time.Now(),
				Value:  boolValue(passed),
				Tags:   base.With(map[string]string{"check": name}),
			})
		}
	}
	emit()
	return v.rt.ToValue(allPassed)
}

// sleep(seconds) returns early, interrupting the script, when the call's context ends.
func (v *VU) sleep(call goja.FunctionCall) goja.Value {
	seconds := call.Argument(0).ToFloat()
	if math.IsNaN(seconds) || seconds <= 0 {
		return goja.Undefined()
	}
	if err := sleepContext(v.ctx, time.Duration(seconds*float64(time.Second))); err != nil {
		v.rt.Interrupt(err)
	}
	return goja.Undefined()
}

// group(name, fn) runs fn with the group path "::outer::name" in the `group` tag and emits its
// group_duration.
func (v *VU) group(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	fn, ok := goja.AssertFunction(call.Argument(1))
	if !ok {
		panic(v.rt.NewTypeError("group(%q): the second argument must be a function", name))
	}
	if strings.Contains(name, "::") {
		v.throwf("group(%q): group names cannot contain '::'", name)
	}
	outer := v.tags.group
	v.tags.setGroup(outer + "::" + name)
	defer v.tags.setGroup(outer)
	started := time.Now()
	result, err := fn(goja.Undefined())
	if err != nil {
		panic(err)
	}
	if v.builtins != nil && v.env.Out != nil {
		ended := time.Now()
		v.env.Out.Add(metrics.Sample{
			Metric: v.builtins.GroupDuration,
			Time:   ended,
			Value:  durationMilliseconds(ended.Sub(started)),
			Tags:   v.tags.current(),
		})
	}
	return result
}

func (v *VU) fail(call goja.FunctionCall) goja.Value {
	message := "test aborted"
	if argument := call.Argument(0); !goja.IsUndefined(argument) {
		message = argument.String()
	}
	panic(v.rt.NewGoError(errors.New(message)))
}

// randomSeed(n) makes Math.random repeatable.
func (v *VU) randomSeed(call goja.FunctionCall) goja.Value {
	v.pcg.Seed(uint64(call.Argument(0).ToInteger()), 0)
	return goja.Undefined()
}

// tagsArgument reads an optional {key: value} tags argument.
func (v *VU) tagsArgument(argument goja.Value) map[string]string {
	if argument == nil || goja.IsUndefined(argument) || goja.IsNull(argument) {
		return nil
	}
	object := argument.ToObject(v.rt)
	keys := object.Keys()
	if len(keys) == 0 {
		return nil
	}
	tags := make(map[string]string, len(keys))
	for _, key := range keys {
		tags[key] = object.Get(key).String()
	}
	return tags
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func durationMilliseconds(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
