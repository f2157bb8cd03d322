package jsrt

import (
	"fmt"
	"maps"
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
func (v *VU) setEnv(extra map[string]string) error {
	merged := maps.Clone(v.env.Env)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, extra)
	object := v.rt.NewObject()
	for key, value := range merged {
		if err := object.Set(key, value); err != nil {
			return err
		}
	}
	return v.rt.Set("__ENV", object)
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
