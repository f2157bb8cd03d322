// Package jsrt runs k6-API scenarios on goja: one runtime per VU, the bundle compiled once, the
// k6, k6/http, k6/metrics and k6/execution modules, console, timers, open() and the __ENV, __VU and
// __ITER globals. Anything else a scenario requires fails at load time naming the module.
package jsrt

import (
	"encoding/json"
	"sync"
	"time"

	"bulwark.dev/engine/metrics"
)

// ScriptError is an exception thrown by scenario code, with its source-mapped location.
type ScriptError struct {
	Message string // the exception's message (String() of the thrown value)
	Source  string // "file.ts:line:column" of the throwing frame, source-mapped; may be empty
	Stack   string // the whole JS stack, source-mapped
	cause   error  // the Go error behind the exception, if any (see Unwrap)
}

func (e *ScriptError) Error() string {
	if e.Source == "" {
		return e.Message
	}
	return e.Message + " at " + e.Source
}

// UnsupportedError names a module or function a scenario uses that the engine does not provide.
type UnsupportedError struct{ What string }

func (e *UnsupportedError) Error() string { return "unsupported by bulwark's engine: " + e.What }

// Logger receives console output and warnings; level is debug/info/warn/error.
type Logger func(level, message string, fields map[string]string)

// Execution is what k6/execution and exec.test.abort need from the runner; the runner implements it.
type Execution interface {
	// Abort stops the test (exec.test.abort): the runner ends it as aborted by the script.
	Abort(reason string)
	VUsActive() int64
	VUsMax() int64
	StartTime() time.Time
}

// Environment is shared by every VU of a run.
type Environment struct {
	Program  *Program
	Env      map[string]string // __ENV
	Registry *metrics.Registry
	Out      metrics.Sink
	Log      Logger
	// BaseDir resolves relative paths for open(); absolute paths are used as they are.
	BaseDir string
	// Options that shape the HTTP client, read from the script's options by the runner.
	InsecureSkipTLSVerify bool
	MaxRedirects          int  // 0: the default, 10; negative: follow no redirects
	DiscardResponseBodies bool // options.discardResponseBodies
	UserAgent             string
	Execution             Execution
	// RunnerID is part of every iteration id, so ids stay unique across runners.
	RunnerID int64

	// opened caches open()'s files by resolved path: every VU runs the init context, and each
	// would otherwise read (and keep a copy of) the same file.
	opened sync.Map // string -> []byte
}

// Activation is what a VU needs before it runs iterations of a scenario.
type Activation struct {
	Scenario  string
	Exec      string // exported function name; "default" for the default export
	SetupData json.RawMessage
	Tags      map[string]string // scenario tags; the runner adds scenario=<name>
	Env       map[string]string // scenario env, merged over the global __ENV
	// StartTime is when the scenario started (exec.scenario.startTime); zero means the test's start.
	StartTime time.Time
}

// IterationInfo numbers an iteration for k6/execution.
type IterationInfo struct {
	InScenario int64 // iteration number within the scenario (unique across its VUs)
	InTest     int64 // unique across the test
}
