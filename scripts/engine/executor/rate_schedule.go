package executor

import (
	"math"
	"math/big"
	"math/bits"
	"sort"
	"time"
)

// rateSchedule gives the due offset of iteration i of an arrival-rate scenario: the time t_i at which
// the cumulative scheduled count C(t) = ∫ rate reaches i. started is false once t_i is not before the
// scenario's duration; every later i is then out too. Offsets are never before the exact t_i.
type rateSchedule interface {
	due(i int64) (offset time.Duration, started bool)
	duration() time.Duration
}

// constantSchedule: r iterations per timeUnit T, so t_i = i·T/r, computed in 128-bit integers.
type constantSchedule struct {
	rate, unit, total uint64 // unit and total in nanoseconds
}

func newConstantSchedule(rate int64, unit, total time.Duration) constantSchedule {
	return constantSchedule{rate: uint64(rate), unit: uint64(unit), total: uint64(total)}
}

func (c constantSchedule) duration() time.Duration { return time.Duration(c.total) }

func (c constantSchedule) due(i int64) (time.Duration, bool) {
	if i < 0 {
		return 0, false
	}
	// t_i < total  ⇔  i·T < total·r, both sides exact in 128 bits.
	hi, lo := bits.Mul64(uint64(i), c.unit)
	limitHi, limitLo := bits.Mul64(c.total, c.rate)
	if hi > limitHi || (hi == limitHi && lo >= limitLo) {
		return 0, false
	}
	// hi < rate here, since i·T < total·r ≤ 2^63·r; so the quotient fits in 64 bits.
	quotient, remainder := bits.Div64(hi, lo, c.rate)
	if remainder != 0 {
		quotient++
	}
	return time.Duration(quotient), true
}

// rampingSchedule: the rate goes linearly from each stage's start value to its target. With rates in
// iterations per timeUnit T, stage k (start s_k, length d_k, from a to b) adds (a+b)·d_k/(2T)
// iterations. Stage boundaries are kept exactly as scaled sums S_k = Σ (a+b)·d (C = S/(2T)), so which
// stage holds t_i, and whether t_i is before the end, are decided without rounding; only the
// position inside a stage is a float64 solution of the quadratic.
type rampingSchedule struct {
	unit   int64
	total  time.Duration
	stages []rampStage
	empty  bool // no iteration at all: every rate is zero
}

type rampStage struct {
	start, length    int64 // nanoseconds
	from, to         int64 // iterations per timeUnit
	before, afterSum *big.Int
}

func newRampingSchedule(startRate int64, stages []Stage, unit time.Duration) *rampingSchedule {
	schedule := &rampingSchedule{unit: int64(unit)}
	sum := new(big.Int)
	from := startRate
	var start int64
	for _, stage := range stages {
		area := new(big.Int).Mul(big.NewInt(from+stage.Target), big.NewInt(int64(stage.Duration)))
		before := new(big.Int).Set(sum)
		sum.Add(sum, area)
		schedule.stages = append(schedule.stages, rampStage{
			start: start, length: int64(stage.Duration), from: from, to: stage.Target,
			before: before, afterSum: new(big.Int).Set(sum),
		})
		start += int64(stage.Duration)
		from = stage.Target
	}
	schedule.total = time.Duration(start)
	schedule.empty = sum.Sign() == 0
	return schedule
}

func (r *rampingSchedule) duration() time.Duration { return r.total }

func (r *rampingSchedule) due(i int64) (time.Duration, bool) {
	if r.empty || i < 0 {
		return 0, false
	}
	if i == 0 {
		return 0, r.total > 0
	}
	target := new(big.Int).Mul(big.NewInt(i), big.NewInt(2*r.unit)) // i scaled like S
	k := sort.Search(len(r.stages), func(k int) bool { return r.stages[k].afterSum.Cmp(target) >= 0 })
	if k == len(r.stages) {
		return 0, false
	}
	stage := r.stages[k]
	var offset int64
	if stage.afterSum.Cmp(target) == 0 {
		offset = stage.start + stage.length
	} else {
		// Inside the stage: a·τ + (b−a)·τ²/(2d) = y with y = (target − S_before)/2, in the stable
		// form τ = 2y / (a + sqrt(a² + 2(b−a)·y/d)).
		y, _ := new(big.Float).SetInt(new(big.Int).Sub(target, stage.before)).Float64()
		y /= 2
		a, b, d := float64(stage.from), float64(stage.to), float64(stage.length)
		discriminant := a*a + 2*(b-a)*y/d
		if discriminant < 0 {
			discriminant = 0
		}
		tau := math.Ceil(2 * y / (a + math.Sqrt(discriminant)))
		// Exactly: S_before < target < S_after, so 0 < τ < d.
		tau = math.Max(1, math.Min(tau, d-1))
		offset = stage.start + int64(tau)
	}
	if offset >= int64(r.total) {
		return 0, false
	}
	return time.Duration(offset), true
}
