package executor

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// earlyWake: Go's timers fire up to ~1 ms late (the netpoller sleeps in whole milliseconds), so the
// scheduler wakes this much before an iteration is due and yields until the due instant. Measured on
// 2 cores at 500 it/s: start lag p99 ≈ 1.1 ms with no early wake (1% CPU), ≈ 0.6 ms at 500 µs (5% CPU),
// ≈ 0 at 1 ms (47% CPU, a core half spent spinning). 500 µs is the compromise.
const earlyWake = 500 * time.Microsecond

// runArrivalRate runs an open-model scenario: iteration i starts at start + t_i whether or not
// earlier ones have finished, on an idle VU, or on a new one while fewer than maxVUs exist; with
// maxVUs all busy it is dropped.
func (sc *scenario) runArrivalRate(ctx context.Context, start time.Time, schedule rateSchedule) error {
	vus, err := sc.takeVUs(ctx, sc.config.PreAllocatedVUs)
	if err != nil {
		return err
	}
	end := start.Add(schedule.duration())
	stop, hard, cancel := scenarioContexts(ctx, end, sc.config.GracefulStop)
	defer cancel()
	a := &arrivals{sc: sc, stop: stop, hard: hard, end: end, maxVUs: sc.config.MaxVUs, idle: vus, all: vus, total: int64(len(vus))}

	wait := newWaiter()
	defer wait.timer.Stop()
	// With an execution segment this runner starts only its stripe's iterations, at their due times in
	// the whole test's schedule; i stays the global index (exec.scenario.iterationInTest).
	for j := int64(0); ; j++ {
		i := sc.config.Stripe.Nth(j)
		offset, started := schedule.due(i)
		if !started {
			break
		}
		due := start.Add(offset) // from start every time: lateness never accumulates
		if !wait.until(ctx, due) {
			break
		}
		a.dispatch(due, i)
	}
	sleepUntil(stop, end) // the scenario lasts its duration even when the last iteration was due earlier
	a.wg.Wait()           // running iterations finish, or are interrupted gracefulStop after the end
	a.mu.Lock()
	defer a.mu.Unlock()
	sc.scheduler.pool.put(a.all...)
	return nil
}

// arrivals tracks the VUs of one arrival-rate scenario.
type arrivals struct {
	sc         *scenario
	stop, hard context.Context
	end        time.Time
	maxVUs     int64
	wg         sync.WaitGroup

	mu    sync.Mutex
	idle  []VU
	all   []VU  // every VU the scenario holds, to give back to the pool
	total int64 // VUs held or being initialized
}

// dispatch starts the iteration due at due: on an idle VU, on a VU initialized for it (late, not
// dropped), or nowhere (dropped) when maxVUs are all busy or being initialized.
func (a *arrivals) dispatch(due time.Time, index int64) {
	a.mu.Lock()
	if n := len(a.idle); n > 0 {
		vu := a.idle[n-1]
		a.idle = a.idle[:n-1]
		a.mu.Unlock()
		a.wg.Go(func() { a.run(vu, due, index) })
		return
	}
	if a.total < a.maxVUs {
		a.total++
		a.mu.Unlock()
		a.wg.Go(func() { a.grow(due, index) })
		return
	}
	a.mu.Unlock()
	a.sc.emitDropped()
}

func (a *arrivals) run(vu VU, due time.Time, index int64) {
	a.sc.runIterationDue(a.hard, vu, due, index)
	a.mu.Lock()
	a.idle = append(a.idle, vu)
	a.mu.Unlock()
}

// grow initializes one more VU and runs the iteration due at due on it, unless the scenario has
// ended by then (the iteration never started: dropped).
func (a *arrivals) grow(due time.Time, index int64) {
	s := a.sc.scheduler
	vu, err := s.pool.create(a.hard)
	if err == nil {
		a.mu.Lock()
		a.all = append(a.all, vu)
		a.mu.Unlock()
		if err = vu.Activate(a.sc.activation); err != nil {
			err = fmt.Errorf("activating VU %d: %w", vu.ID(), err)
		}
	}
	if err != nil {
		if a.hard.Err() == nil && s.env.Log != nil {
			s.env.Log("error", fmt.Sprintf("scenario %s: a new VU failed: %v", a.sc.config.Name, err),
				map[string]string{"kind": "init", "source": "engine", "scenario": a.sc.config.Name})
		}
		if vu == nil {
			a.mu.Lock()
			a.total--
			a.mu.Unlock()
		}
		a.sc.emitDropped()
		return
	}
	if !before(a.stop, a.end) {
		a.sc.emitDropped()
	} else {
		a.sc.runIterationDue(a.hard, vu, due, index)
	}
	a.mu.Lock()
	a.idle = append(a.idle, vu)
	a.mu.Unlock()
}

// waiter sleeps until an instant without starting early, reusing one timer.
type waiter struct{ timer *time.Timer }

func newWaiter() *waiter {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	return &waiter{timer: timer}
}

// until returns once the clock has reached at (true), or when ctx ends (false).
func (w *waiter) until(ctx context.Context, at time.Time) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		remaining := time.Until(at)
		if remaining <= 0 {
			return true
		}
		if remaining > earlyWake {
			w.timer.Reset(remaining - earlyWake)
			select {
			case <-w.timer.C:
			case <-ctx.Done():
				w.timer.Stop()
				return false
			}
			continue
		}
		runtime.Gosched()
	}
}
