package jsrt

import (
	"context"
	"math"
	"time"

	"github.com/dop251/goja"
)

// timerQueue holds the callbacks of setTimeout and setInterval. There is no event loop: the timers a
// call leaves behind run, in due order and sleeping as needed, before the call returns (bounded by
// its context); a call's leftover timers never leak into the next call.
type timerQueue struct {
	nextID  int64
	pending []*timer
}

type timer struct {
	id       int64
	due      time.Time
	interval time.Duration // 0 for setTimeout
	callback goja.Callable
	args     []goja.Value
}

// An interval below this would spin; browsers clamp short delays similarly.
const minimumInterval = time.Millisecond

func (q *timerQueue) add(delay time.Duration, repeat bool, callback goja.Callable, args []goja.Value) int64 {
	q.nextID++
	entry := &timer{id: q.nextID, due: time.Now().Add(delay), callback: callback, args: args}
	if repeat {
		entry.interval = max(delay, minimumInterval)
	}
	q.pending = append(q.pending, entry)
	return entry.id
}

func (q *timerQueue) remove(id int64) {
	for i, entry := range q.pending {
		if entry.id == id {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			return
		}
	}
}

func (q *timerQueue) reset() { q.pending = nil }

// runNext waits for the earliest timer and runs it; ran is false when none is pending.
func (q *timerQueue) runNext(ctx context.Context, v *VU) (ran bool, err error) {
	if len(q.pending) == 0 {
		return false, nil
	}
	next := q.pending[0]
	for _, entry := range q.pending[1:] {
		if entry.due.Before(next.due) {
			next = entry
		}
	}
	if wait := time.Until(next.due); wait > 0 {
		if err := sleepContext(ctx, wait); err != nil {
			return false, err
		}
	}
	if next.interval > 0 {
		next.due = next.due.Add(next.interval)
	} else {
		q.remove(next.id)
	}
	_, err = next.callback(goja.Undefined(), next.args...)
	return true, err
}

func sleepContext(ctx context.Context, duration time.Duration) error {
	timer := time.NewTimer(duration)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// timerFunctions are the globals (and k6/timers' exports) setTimeout, clearTimeout, setInterval and
// clearInterval.
func (v *VU) timerFunctions() map[string]func(goja.FunctionCall) goja.Value {
	schedule := func(repeat bool) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			callback, ok := goja.AssertFunction(call.Argument(0))
			if !ok {
				panic(v.rt.NewTypeError("timer callback must be a function"))
			}
			delay := milliseconds(call.Argument(1).ToFloat())
			var args []goja.Value
			if len(call.Arguments) > 2 {
				args = append(args, call.Arguments[2:]...)
			}
			return v.rt.ToValue(v.timers.add(delay, repeat, callback, args))
		}
	}
	clear := func(call goja.FunctionCall) goja.Value {
		v.timers.remove(call.Argument(0).ToInteger())
		return goja.Undefined()
	}
	return map[string]func(goja.FunctionCall) goja.Value{
		"setTimeout":    schedule(false),
		"setInterval":   schedule(true),
		"clearTimeout":  clear,
		"clearInterval": clear,
	}
}

// milliseconds converts a JS delay; NaN and negative delays are 0.
func milliseconds(ms float64) time.Duration {
	if math.IsNaN(ms) || ms <= 0 {
		return 0
	}
	if ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ms * float64(time.Millisecond))
}
