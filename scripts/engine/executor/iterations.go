package executor

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// runIterations: per-vu-iterations (each VU runs `iterations`) and shared-iterations (the VUs share
// `iterations` between them), both bounded by maxDuration. The scenario ends when the iterations are
// done or maxDuration has passed, whichever is first.
func (sc *scenario) runIterations(ctx context.Context, start time.Time) error {
	vus, err := sc.takeVUs(ctx, reservedVUs(sc.config))
	if err != nil {
		return err
	}
	defer sc.scheduler.pool.put(vus...)
	end := start.Add(sc.config.MaxDuration)
	stop, hard, cancel := scenarioContexts(ctx, end, sc.config.GracefulStop)
	defer cancel()

	var claimed atomic.Int64 // shared-iterations: iterations handed out so far
	claim := func(done int64) bool {
		if sc.config.Executor == PerVUIterations {
			return done < sc.config.Iterations
		}
		return claimed.Add(1) <= sc.config.Iterations
	}
	var wg sync.WaitGroup
	for _, vu := range vus {
		wg.Go(func() {
			for done := int64(0); before(stop, end) && claim(done); done++ {
				sc.runIteration(hard, vu)
			}
		})
	}
	wg.Wait()
	return nil
}
