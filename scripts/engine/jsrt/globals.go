package jsrt

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/dop251/goja"
)

// installGlobals sets __ENV, __VU, __ITER, open(), console and the timer functions.
func (v *VU) installGlobals() error {
	if err := v.setEnv(nil); err != nil {
		return err
	}
	for name, value := range map[string]any{
		"__VU":   v.id,
		"__ITER": 0,
		"open":   v.open,
	} {
		if err := v.rt.Set(name, value); err != nil {
			return err
		}
	}
	if err := v.rt.Set("console", v.newConsole()); err != nil {
		return err
	}
	for name, fn := range v.timerFunctions() {
		if err := v.rt.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}

// setEnv sets __ENV to the environment's variables with extra (a scenario's env) merged over them.
// __ENV reads the shared maps (the process environment can have hundreds of variables, and every VU
// has an __ENV); what the script assigns or deletes is kept per VU.
func (v *VU) setEnv(extra map[string]string) error {
	return v.rt.Set("__ENV", v.rt.NewDynamicObject(&envObject{v: v, base: v.env.Env, extra: extra}))
}

// envObject is __ENV: a plain object's behaviour over base with extra merged over it.
type envObject struct {
	v           *VU
	base, extra map[string]string
	assigned    map[string]goja.Value // set by the script
	deleted     map[string]bool       // deleted by the script (and not assigned since)
}

func (e *envObject) lookup(key string) (string, bool) {
	if value, ok := e.extra[key]; ok {
		return value, true
	}
	value, ok := e.base[key]
	return value, ok
}

func (e *envObject) Get(key string) goja.Value {
	if value, ok := e.assigned[key]; ok {
		return value
	}
	if e.deleted[key] {
		return nil
	}
	if value, ok := e.lookup(key); ok {
		return e.v.rt.ToValue(value)
	}
	return nil
}

func (e *envObject) Set(key string, value goja.Value) bool {
	if e.assigned == nil {
		e.assigned = map[string]goja.Value{}
	}
	e.assigned[key] = value
	delete(e.deleted, key)
	return true
}

func (e *envObject) Has(key string) bool {
	if _, ok := e.assigned[key]; ok {
		return true
	}
	if e.deleted[key] {
		return false
	}
	_, ok := e.lookup(key)
	return ok
}

func (e *envObject) Delete(key string) bool {
	delete(e.assigned, key)
	if _, ok := e.lookup(key); ok {
		if e.deleted == nil {
			e.deleted = map[string]bool{}
		}
		e.deleted[key] = true
	}
	return true
}

// Keys are sorted: the order of __ENV's keys is not the environment's.
func (e *envObject) Keys() []string {
	keys := make([]string, 0, len(e.base)+len(e.extra)+len(e.assigned))
	for key := range e.base {
		if _, ok := e.extra[key]; !ok && !e.deleted[key] {
			if _, ok := e.assigned[key]; !ok {
				keys = append(keys, key)
			}
		}
	}
	for key := range e.extra {
		if !e.deleted[key] {
			if _, ok := e.assigned[key]; !ok {
				keys = append(keys, key)
			}
		}
	}
	for key := range e.assigned {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

// open reads a file in the init context: a string, or an ArrayBuffer with mode "b".
func (v *VU) open(call goja.FunctionCall) goja.Value {
	path := call.Argument(0).String()
	if !v.inInit {
		v.throwf("open(%q): open() works only in the init context (outside any function)", path)
	}
	resolved := path
	if !filepath.IsAbs(resolved) {
		resolved = filepath.Join(v.env.BaseDir, resolved)
	}
	data, err := v.env.readFile(resolved)
	if err != nil {
		if os.IsNotExist(err) {
			v.throwf("open(%q): no such file (%s)", path, resolved)
		}
		v.throwf("open(%q): %v", path, err)
	}
	if mode := call.Argument(1); !goja.IsUndefined(mode) && mode.String() == "b" {
		return v.rt.ToValue(v.rt.NewArrayBuffer(slices.Clone(data))) // the cache's bytes stay untouched
	}
	return v.rt.ToValue(string(data))
}

// throwf throws a JS Error with the formatted message.
func (v *VU) throwf(format string, args ...any) {
	panic(v.rt.NewGoError(fmt.Errorf(format, args...)))
}

// throwUnsupported throws an error that unwraps to *UnsupportedError.
func (v *VU) throwUnsupported(what string) {
	panic(v.rt.NewGoError(&UnsupportedError{What: what}))
}

// readFile reads a file once per run; the bytes are shared and never modified.
func (e *Environment) readFile(path string) ([]byte, error) {
	if data, ok := e.opened.Load(path); ok {
		return data.([]byte), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	e.opened.Store(path, data)
	return data, nil
}
