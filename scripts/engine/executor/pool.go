package executor

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// pool holds the test's initialized VUs between scenarios. Scenarios take what they need when they
// start and give everything back when they end, so scenarios that do not overlap share VUs.
type pool struct {
	newVU func(ctx context.Context) (VU, error)

	mu   sync.Mutex
	idle []VU

	initialized atomic.Int64 // VUs created so far (vus_max)
}

// create initializes a new VU (runs the init context).
func (p *pool) create(ctx context.Context) (VU, error) {
	vu, err := p.newVU(ctx)
	if err != nil {
		return nil, err
	}
	p.initialized.Add(1)
	return vu, nil
}

// fill initializes VUs until n are idle, using every core.
func (p *pool) fill(ctx context.Context, n int) error {
	p.mu.Lock()
	missing := n - len(p.idle)
	p.mu.Unlock()
	if missing <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan struct{}, missing)
	for range missing {
		work <- struct{}{}
	}
	close(work)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	workers := min(runtime.GOMAXPROCS(0), missing)
	for range workers {
		wg.Go(func() {
			for range work {
				if ctx.Err() != nil {
					return
				}
				vu, err := p.create(ctx)
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				p.put(vu)
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return firstErr
}

// take returns an idle VU, or initializes a new one when none is idle.
func (p *pool) take(ctx context.Context) (VU, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		vu := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return vu, nil
	}
	p.mu.Unlock()
	return p.create(ctx)
}

func (p *pool) put(vus ...VU) {
	p.mu.Lock()
	p.idle = append(p.idle, vus...)
	p.mu.Unlock()
}

// peakReservation is the most VUs the scenarios hold at once, from their planned start and longest
// end: what Prepare initializes up front.
func peakReservation(configs []Config) int64 {
	type event struct {
		at    int64
		delta int64
	}
	var events []event
	for _, config := range configs {
		need := reservedVUs(config)
		events = append(events,
			event{int64(config.StartTime), need},
			event{int64(config.StartTime + scenarioMaxDuration(config)), -need})
	}
	// Ends before starts at the same instant: a scenario that starts when another ends reuses its VUs.
	slices.SortFunc(events, func(a, b event) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return cmp.Compare(a.delta, b.delta)
	})
	var current, peak int64
	for _, e := range events {
		current += e.delta
		peak = max(peak, current)
	}
	return peak
}
