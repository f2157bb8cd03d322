// Package executor schedules iterations: constant-arrival-rate and ramping-arrival-rate (open model),
// constant-vus, ramping-vus, per-vu-iterations and shared-iterations, with gracefulStop.
package executor

import (
	"context"
	"encoding/json"
	"time"

	"bulwark.dev/engine/jsrt"
	"bulwark.dev/engine/metrics"
)

// Stage is one step of a ramping executor: reach Target (VUs or iterations per TimeUnit) over Duration.
type Stage struct {
	Duration time.Duration
	Target   int64
}

// Config is one entry of options.scenarios, defaults applied.
type Config struct {
	Name             string
	Executor         string
	Exec             string // default "default"
	StartTime        time.Duration
	GracefulStop     time.Duration // default 30s
	GracefulRampDown time.Duration // ramping-vus, default 30s
	Duration         time.Duration
	MaxDuration      time.Duration // per-vu-iterations, shared-iterations: default 10m
	TimeUnit         time.Duration // default 1s
	Rate             int64
	StartRate        int64
	PreAllocatedVUs  int64
	MaxVUs           int64
	VUs              int64
	StartVUs         int64
	Iterations       int64
	Stages           []Stage
	Tags             map[string]string
	Env              map[string]string
	// Stripe is this runner's execution segment (nil: the whole test); see segment.go.
	Stripe *Stripe
}

// VU is what the scheduler drives; *jsrt.VU implements it.
type VU interface {
	ID() int64
	Activate(activation jsrt.Activation) error
	RunIteration(ctx context.Context, info jsrt.IterationInfo) error
}

// Env is what the scheduler needs from the runner.
type Env struct {
	// NewVU initializes a VU (runs the init context) with the next global id.
	NewVU     func(ctx context.Context) (VU, error)
	Out       metrics.Sink
	Builtins  *metrics.Builtins
	SetupData json.RawMessage
	Log       jsrt.Logger
	// RunnerID makes iteration ids unique across runners: InTest = RunnerID<<40 | counter.
	RunnerID int64
}
