package jsrt

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/dop251/goja"

	"bulwark.dev/engine/metrics"
)

// VU is one virtual user: a goja runtime that ran the init context. Not safe for concurrent use.
type VU struct {
	env      *Environment
	id       int64
	rt       *goja.Runtime
	builtins *metrics.Builtins
	exports  *goja.Object
	modules  map[string]*goja.Object

	// inInit is true while the init context runs: open() and new Counter() etc. work only then.
	inInit bool
	// ctx belongs to the call running now (init, setup, an iteration...); blocking calls obey it.
	ctx context.Context

	tags   *vuTags
	http   *httpClient
	timers *timerQueue
	// Math.random's source: a PCG, 16 bytes of state (math/rand's source had 4.9 KB per VU).
	pcg    *rand.PCG
	random *rand.Rand

	activation  Activation
	activated   bool
	execFn      goja.Callable
	setupData   goja.Value
	iteration   IterationInfo
	iterInScen  int64 // __ITER: this VU's iterations in the current activation
	iterInTotal int64 // this VU's iterations across activations

	// The response callback set by http.setResponseCallback (callbackSet false: the default).
	callback    *statusRanges
	callbackSet bool
	// jars are the cookie jar objects handed to the script, for params.jar.
	jars map[*goja.Object]http.CookieJar

	jsonParse, jsonStringify goja.Callable
	// responseMethods are the Response methods, made on the first response.
	responseMethods *responseMethods
}

// NewVU creates a runtime and runs the init context. id 0 is the init VU that reads options and runs
// setup, teardown and handleSummary; VUs that run iterations have ids from 1.
func NewVU(ctx context.Context, env *Environment, id int64) (*VU, error) {
	if env.Program == nil {
		return nil, fmt.Errorf("jsrt: Environment.Program is nil")
	}
	v := &VU{
		env:     env,
		id:      id,
		rt:      goja.New(),
		modules: map[string]*goja.Object{},
		ctx:     context.Background(),
		tags:    newVUTags(),
		timers:  &timerQueue{},
		pcg:     rand.NewPCG(uint64(time.Now().UnixNano()), uint64(id)),
	}
	v.random = rand.New(v.pcg)
	if env.Registry != nil {
		v.builtins = env.Registry.Builtins()
	}
	v.rt.SetFieldNameMapper(goja.UncapFieldNameMapper())
	v.rt.SetRandSource(func() float64 { return v.random.Float64() })
	v.http = newHTTPClient(v)
	json := v.rt.Get("JSON").ToObject(v.rt)
	v.jsonParse, _ = goja.AssertFunction(json.Get("parse"))
	v.jsonStringify, _ = goja.AssertFunction(json.Get("stringify"))
	if err := v.installGlobals(); err != nil {
		return nil, err
	}
	if err := v.runInit(ctx); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v *VU) runInit(ctx context.Context) error {
	module := v.rt.NewObject()
	exports := v.rt.NewObject()
	if err := module.Set("exports", exports); err != nil {
		return err
	}
	v.inInit = true
	defer func() { v.inInit = false }()
	_, err := v.call(ctx, func() (goja.Value, error) {
		wrapper, err := v.rt.RunProgram(v.env.Program.compiled)
		if err != nil {
			return nil, err
		}
		run, ok := goja.AssertFunction(wrapper)
		if !ok {
			return nil, fmt.Errorf("jsrt: the compiled bundle is not a module wrapper")
		}
		return run(goja.Undefined(), module, exports, v.rt.ToValue(v.require))
	})
	if err != nil {
		return err
	}
	exportsValue := module.Get("exports")
	if exportsValue == nil || goja.IsUndefined(exportsValue) || goja.IsNull(exportsValue) {
		v.exports = v.rt.NewObject()
	} else {
		v.exports = exportsValue.ToObject(v.rt)
	}
	return nil
}

// ID is __VU.
func (v *VU) ID() int64 { return v.id }

// Options returns the script's exported `options` as JSON ("{}" when none).
func (v *VU) Options() (json.RawMessage, error) {
	options := v.exports.Get("options")
	if options == nil || goja.IsUndefined(options) || goja.IsNull(options) {
		return json.RawMessage("{}"), nil
	}
	text, err := v.toJSON(options)
	if err != nil {
		return nil, fmt.Errorf("options: %w", err)
	}
	return text, nil
}

// HasExport reports whether the module exports the function name (default, setup, teardown,
// handleSummary or a scenario's exec).
func (v *VU) HasExport(name string) bool {
	_, ok := v.exportedFunction(name)
	return ok
}

func (v *VU) exportedFunction(name string) (goja.Callable, bool) {
	value := v.exports.Get(name)
	if value == nil {
		return nil, false
	}
	return goja.AssertFunction(value)
}

// Setup runs setup() (when exported) and returns its result as JSON ("null" when none).
func (v *VU) Setup(ctx context.Context) (json.RawMessage, error) {
	setup, ok := v.exportedFunction("setup")
	if !ok {
		return json.RawMessage("null"), nil
	}
	v.tags.reset(nil)
	v.tags.setGroup("::setup")
	defer v.tags.reset(nil)
	result, err := v.call(ctx, func() (goja.Value, error) { return setup(goja.Undefined()) })
	if err != nil {
		return nil, err
	}
	if result == nil || goja.IsUndefined(result) {
		return json.RawMessage("null"), nil
	}
	return v.toJSON(result)
}

// Teardown runs teardown(data) when exported.
func (v *VU) Teardown(ctx context.Context, setupData json.RawMessage) error {
	teardown, ok := v.exportedFunction("teardown")
	if !ok {
		return nil
	}
	v.tags.reset(nil)
	v.tags.setGroup("::teardown")
	defer v.tags.reset(nil)
	_, err := v.call(ctx, func() (goja.Value, error) {
		data, err := v.fromJSON(setupData)
		if err != nil {
			return nil, err
		}
		return teardown(goja.Undefined(), data)
	})
	return err
}

// HandleSummary calls handleSummary(data) when exported; found is false otherwise. The result maps
// "stdout", "stderr" or a file path to the text to write there.
func (v *VU) HandleSummary(ctx context.Context, data map[string]any) (out map[string]string, found bool, err error) {
	handleSummary, ok := v.exportedFunction("handleSummary")
	if !ok {
		return nil, false, nil
	}
	encoded, err := json.Marshal(data)
	if err != nil {
		return nil, true, fmt.Errorf("handleSummary: encoding the summary: %w", err)
	}
	v.tags.reset(nil)
	out = map[string]string{}
	_, err = v.call(ctx, func() (goja.Value, error) {
		summary, err := v.fromJSON(encoded)
		if err != nil {
			return nil, err
		}
		result, err := handleSummary(goja.Undefined(), summary)
		if err != nil || result == nil || goja.IsUndefined(result) || goja.IsNull(result) {
			return result, err
		}
		outputs := result.ToObject(v.rt)
		for _, key := range outputs.Keys() {
			out[key] = v.outputText(outputs.Get(key))
		}
		return result, nil
	})
	if err != nil {
		return nil, true, err
	}
	return out, true, nil
}

// outputText is what handleSummary's result says to write: strings as they are, ArrayBuffers as
// their bytes, anything else as its string form.
func (v *VU) outputText(value goja.Value) string {
	if buffer, ok := value.Export().(goja.ArrayBuffer); ok {
		return string(buffer.Bytes())
	}
	return value.String()
}

// Activate prepares the VU for a scenario (parses setup data once per activation).
func (v *VU) Activate(activation Activation) error {
	exec := activation.Exec
	if exec == "" {
		exec = "default"
	}
	fn, ok := v.exportedFunction(exec)
	if !ok {
		return fmt.Errorf("scenario %q: exec function %q is not exported by the script", activation.Scenario, exec)
	}
	data, err := v.fromJSON(activation.SetupData)
	if err != nil {
		return fmt.Errorf("scenario %q: setup data: %w", activation.Scenario, err)
	}
	tags := maps.Clone(activation.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	if activation.Scenario != "" {
		tags["scenario"] = activation.Scenario
	}
	activation.Exec = exec
	v.activation = activation
	v.activated = true
	v.execFn = fn
	v.setupData = data
	v.iterInScen = 0
	v.tags.reset(tags)
	return v.setEnv(activation.Env)
}

// RunIteration runs one iteration of the activated scenario and returns the thrown exception as a
// *ScriptError (the iteration failed, not the test). When ctx ends, blocking calls (HTTP, sleep)
// return at once and the runtime is interrupted; the error is then ctx.Err(). __ITER counts the
// VU's iterations from 0.
func (v *VU) RunIteration(ctx context.Context, info IterationInfo) error {
	if !v.activated {
		return fmt.Errorf("jsrt: RunIteration before Activate")
	}
	v.iteration = info
	if err := v.rt.Set("__ITER", v.iterInScen); err != nil {
		return err
	}
	defer func() {
		v.iterInScen++
		v.iterInTotal++
		if v.tags.group != "" {
			v.tags.setGroup("")
		}
	}()
	_, err := v.call(ctx, func() (goja.Value, error) { return v.execFn(goja.Undefined(), v.setupData) })
	if err != nil && ctx.Err() != nil {
		if _, aborted := err.(*AbortError); !aborted {
			return ctx.Err()
		}
	}
	return err
}

// Close releases the VU's connections.
func (v *VU) Close() {
	v.http.close()
}

// call runs fn on the runtime under ctx: when ctx ends the runtime is interrupted. Timers set by fn
// run before call returns, and a returned promise is awaited. Go panics become errors.
func (v *VU) call(ctx context.Context, fn func() (goja.Value, error)) (result goja.Value, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	previous := v.ctx
	v.ctx = ctx
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		v.rt.Interrupt(ctx.Err())
		close(interrupted)
	})
	defer func() {
		if recovered := recover(); recovered != nil {
			result, err = nil, fmt.Errorf("jsrt: internal error: %v\n%s", recovered, debug.Stack())
		}
		if !stop() {
			<-interrupted
		}
		v.rt.ClearInterrupt()
		v.ctx = previous
		v.timers.reset()
	}()
	result, err = fn()
	if err == nil {
		result, err = v.settle(ctx, result)
	}
	return result, v.env.Program.callError(err)
}

// settle runs pending timers and, when result is a promise, waits for it to settle.
func (v *VU) settle(ctx context.Context, result goja.Value) (goja.Value, error) {
	promise, isPromise := exportPromise(result)
	for {
		if isPromise && promise.State() != goja.PromiseStatePending {
			break
		}
		ran, err := v.timers.runNext(ctx, v)
		if err != nil {
			return nil, err
		}
		if !ran {
			break
		}
	}
	if !isPromise {
		return result, nil
	}
	switch promise.State() {
	case goja.PromiseStateRejected:
		reason := promise.Result()
		return nil, rejectionError(v.rt, reason)
	case goja.PromiseStateFulfilled:
		return promise.Result(), nil
	default:
		return goja.Undefined(), nil
	}
}

func exportPromise(value goja.Value) (*goja.Promise, bool) {
	if value == nil {
		return nil, false
	}
	promise, ok := value.Export().(*goja.Promise)
	return promise, ok
}

// rejectionError rethrows a rejected promise's reason so it becomes an exception with the
// reason's own stack.
func rejectionError(rt *goja.Runtime, reason goja.Value) error {
	thrower, _ := goja.AssertFunction(rt.ToValue(func(call goja.FunctionCall) goja.Value { panic(call.Argument(0)) }))
	_, err := thrower(goja.Undefined(), reason)
	return err
}

// toJSON serialises a JS value with JSON.stringify.
func (v *VU) toJSON(value goja.Value) (json.RawMessage, error) {
	text, err := v.jsonStringify(goja.Undefined(), value)
	if err != nil {
		return nil, v.env.Program.callError(err)
	}
	if text == nil || goja.IsUndefined(text) {
		return json.RawMessage("null"), nil
	}
	return json.RawMessage(text.String()), nil
}

// fromJSON parses JSON into a JS value; empty input is undefined.
func (v *VU) fromJSON(text json.RawMessage) (goja.Value, error) {
	if len(text) == 0 {
		return goja.Undefined(), nil
	}
	value, err := v.jsonParse(goja.Undefined(), v.rt.ToValue(string(text)))
	if err != nil {
		return nil, v.env.Program.callError(err)
	}
	return value, nil
}
