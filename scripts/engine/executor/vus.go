package executor

import (
	"context"
	"math/bits"
	"sync"
	"time"
)

// runConstantVUs: every VU loops iterations until the duration has passed.
func (sc *scenario) runConstantVUs(ctx context.Context, start time.Time) error {
	vus, err := sc.takeVUs(ctx, sc.config.VUs)
	if err != nil {
		return err
	}
	defer sc.scheduler.pool.put(vus...)
	end := start.Add(sc.config.Duration)
	stop, hard, cancel := scenarioContexts(ctx, end, sc.config.GracefulStop)
	defer cancel()
	var wg sync.WaitGroup
	for _, vu := range vus {
		wg.Go(func() {
			for before(stop, end) {
				sc.runIteration(hard, vu)
			}
		})
	}
	wg.Wait()
	return nil
}

// runRampingVUs: the number of looping VUs follows the stages linearly from startVUs. A VU joins or
// leaves when the line crosses a whole number; a leaving VU starts no new iteration and its running
// one gets gracefulRampDown before it is interrupted.
func (sc *scenario) runRampingVUs(ctx context.Context, start time.Time) error {
	vus, err := sc.takeVUs(ctx, reservedVUs(sc.config))
	if err != nil {
		return err
	}
	defer sc.scheduler.pool.put(vus...)
	end := start.Add(stagesDuration(sc.config.Stages))
	stop, hard, cancel := scenarioContexts(ctx, end, sc.config.GracefulStop)
	defer cancel()

	slots := make([]rampSlot, len(vus))
	var wg sync.WaitGroup
	level := 0
	setLevel := func(target int) {
		for ; level < target; level++ {
			slots[level].start(sc, vus[level], stop, hard, end, &wg)
		}
		for ; level > target; level-- {
			slots[level-1].leave(sc.config.GracefulRampDown)
		}
	}
	setLevel(int(sc.config.StartVUs))
	forEachVULevelChange(sc.config.StartVUs, sc.config.Stages, func(at time.Duration, target int64) bool {
		if !sleepUntil(stop, start.Add(at)) {
			return false
		}
		setLevel(int(target))
		return true
	})
	<-stop.Done()
	wg.Wait()
	for i := range slots {
		slots[i].release()
	}
	return nil
}

// rampSlot is one VU of a ramping-vus scenario across the times it joins and leaves.
type rampSlot struct {
	leaveCh chan struct{}      // closed when the VU leaves
	done    chan struct{}      // closed when its loop has returned
	cancel  context.CancelFunc // interrupts its iteration
	timer   *time.Timer        // gracefulRampDown
}

func (r *rampSlot) start(sc *scenario, vu VU, stop, hard context.Context, end time.Time, wg *sync.WaitGroup) {
	previous := r.done
	iterationCtx, cancel := context.WithCancel(hard)
	leaveCh, done := make(chan struct{}), make(chan struct{})
	r.leaveCh, r.done, r.cancel, r.timer = leaveCh, done, cancel, nil
	wg.Go(func() {
		defer close(done)
		if previous != nil {
			<-previous // the VU is still finishing an iteration from before it left
		}
		for before(stop, end) && !closed(leaveCh) {
			sc.runIteration(iterationCtx, vu)
		}
	})
}

func (r *rampSlot) leave(gracefulRampDown time.Duration) {
	close(r.leaveCh)
	r.timer = time.AfterFunc(gracefulRampDown, r.cancel)
}

func (r *rampSlot) release() {
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.cancel != nil {
		r.cancel()
	}
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// forEachVULevelChange calls change(at, vus) at each offset where the VU count changes: within a
// stage going from a to b over d, the count becomes a±j at d·j/|b−a|. It stops when change returns
// false.
func forEachVULevelChange(startVUs int64, stages []Stage, change func(at time.Duration, vus int64) bool) {
	level := startVUs
	var stageStart time.Duration
	for _, stage := range stages {
		steps := stage.Target - level
		step := int64(1)
		if steps < 0 {
			steps, step = -steps, -1
		}
		if stage.Duration == 0 && steps > 0 {
			if !change(stageStart, stage.Target) {
				return
			}
		} else {
			for j := int64(1); j <= steps; j++ {
				hi, lo := bits.Mul64(uint64(stage.Duration), uint64(j))
				offset, _ := bits.Div64(hi, lo, uint64(steps))
				if !change(stageStart+time.Duration(offset), level+step*j) {
					return
				}
			}
		}
		level = stage.Target
		stageStart += stage.Duration
	}
}
