package executor

import (
	"fmt"
	"math/big"
	"strings"
)

// Execution segments split one test across several engine processes, as k6 defines them: a segment
// "a:b" (0 ≤ a < b ≤ 1) is this process's share of the whole, and the sequence "0,a,b,…,1" lists
// every runner's boundaries. Each runner owns the iteration indices (and VU slots) of its stripe:
// within every cycle of L indices (L the least common denominator of the sequence's segment sizes),
// segment k owns n_k = size_k·L of them, spread as evenly as possible. The stripes of a sequence are
// disjoint and together cover every index, so N runners with one sequence send exactly the load of
// one process, each its share, interleaved in time.

// maxStripeCycle bounds L: a sequence like 0,1/997,1/991,…,1 would otherwise need a huge table.
const maxStripeCycle = 1_000_000

// Stripe is the part of every index sequence one segment owns.
type Stripe struct {
	cycle   int64   // L
	offsets []int64 // positions in [0, L) this segment owns, ascending
	Segment string  // as given, for messages
}

// Owned is how many of the indices 0..n-1 the stripe owns: VUs, iterations and rates scale by it.
func (s *Stripe) Owned(n int64) int64 {
	if s == nil {
		return n
	}
	whole, rest := n/s.cycle, n%s.cycle
	count := whole * int64(len(s.offsets))
	for _, offset := range s.offsets {
		if offset < rest {
			count++
		}
	}
	return count
}

// Nth is the global index of the stripe's j-th owned index (j from 0).
func (s *Stripe) Nth(j int64) int64 {
	if s == nil {
		return j
	}
	per := int64(len(s.offsets))
	return (j/per)*s.cycle + s.offsets[j%per]
}

// NewStripe reads --execution-segment and --execution-segment-sequence. An empty segment is the whole
// test (nil); an empty sequence is 0, a, b, 1 (without duplicates).
func NewStripe(segment, sequence string) (*Stripe, error) {
	if segment == "" {
		if sequence != "" {
			return nil, fmt.Errorf("--execution-segment-sequence needs --execution-segment (this runner's part of it)")
		}
		return nil, nil
	}
	from, to, err := parseSegment(segment)
	if err != nil {
		return nil, err
	}
	var points []*big.Rat
	if sequence == "" {
		points = []*big.Rat{new(big.Rat)}
		for _, point := range []*big.Rat{from, to, big.NewRat(1, 1)} {
			if point.Cmp(points[len(points)-1]) != 0 {
				points = append(points, point)
			}
		}
	} else if points, err = parseSequence(sequence); err != nil {
		return nil, err
	}
	index := -1
	for k := 0; k+1 < len(points); k++ {
		if points[k].Cmp(from) == 0 && points[k+1].Cmp(to) == 0 {
			index = k
		}
	}
	if index < 0 {
		return nil, fmt.Errorf("--execution-segment: %q is not one of the segments of the sequence %q", segment, sequence)
	}
	offsets, cycle, err := stripeOffsets(points)
	if err != nil {
		return nil, err
	}
	return &Stripe{cycle: cycle, offsets: offsets[index], Segment: segment}, nil
}

// stripeOffsets assigns each position of the cycle to a segment: segment k's c-th position is
// ideally at c·L/n_k; positions go to segments in the order of those ideal instants (ties: the
// larger segment first, then the earlier one). Every segment gets exactly n_k positions.
func stripeOffsets(points []*big.Rat) ([][]int64, int64, error) {
	cycle := big.NewInt(1)
	sizes := make([]*big.Rat, len(points)-1)
	for k := range sizes {
		sizes[k] = new(big.Rat).Sub(points[k+1], points[k])
		denominator := sizes[k].Denom()
		gcd := new(big.Int).GCD(nil, nil, cycle, denominator)
		cycle.Mul(cycle, new(big.Int).Quo(denominator, gcd))
		if cycle.Cmp(big.NewInt(maxStripeCycle)) > 0 {
			return nil, 0, fmt.Errorf("--execution-segment-sequence: the segments' common denominator is above %d", maxStripeCycle)
		}
	}
	length := cycle.Int64()
	shares := make([]int64, len(sizes))
	for k, size := range sizes {
		shares[k] = new(big.Int).Quo(new(big.Int).Mul(size.Num(), cycle), size.Denom()).Int64()
	}
	taken := make([]int64, len(sizes))
	offsets := make([][]int64, len(sizes))
	for position := range length {
		best := -1
		for k := range shares {
			if taken[k] == shares[k] {
				continue
			}
			if best < 0 {
				best = k
				continue
			}
			// Ideal instants taken[k]/shares[k] vs taken[best]/shares[best], compared crosswise.
			left, right := taken[k]*shares[best], taken[best]*shares[k]
			if left < right || (left == right && shares[k] > shares[best]) {
				best = k
			}
		}
		offsets[best] = append(offsets[best], position)
		taken[best]++
	}
	return offsets, length, nil
}

func parseSegment(text string) (from, to *big.Rat, err error) {
	left, right, found := strings.Cut(text, ":")
	if !found {
		left, right = "0", text
	}
	if from, err = parseFraction(left); err == nil {
		to, err = parseFraction(right)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("--execution-segment: %q: %v (expected from:to, e.g. 0:1/3 or 1/3:2/3)", text, err)
	}
	if from.Sign() < 0 || from.Cmp(to) >= 0 || to.Cmp(big.NewRat(1, 1)) > 0 {
		return nil, nil, fmt.Errorf("--execution-segment: %q must satisfy 0 <= from < to <= 1", text)
	}
	return from, to, nil
}

func parseSequence(text string) ([]*big.Rat, error) {
	var points []*big.Rat
	for _, item := range strings.Split(text, ",") {
		point, err := parseFraction(item)
		if err != nil {
			return nil, fmt.Errorf("--execution-segment-sequence: %q: %v (expected e.g. 0,1/3,2/3,1)", text, err)
		}
		if len(points) > 0 && point.Cmp(points[len(points)-1]) <= 0 {
			return nil, fmt.Errorf("--execution-segment-sequence: %q is not strictly increasing", text)
		}
		points = append(points, point)
	}
	if len(points) < 2 || points[0].Sign() != 0 || points[len(points)-1].Cmp(big.NewRat(1, 1)) != 0 {
		return nil, fmt.Errorf("--execution-segment-sequence: %q must run from 0 to 1", text)
	}
	return points, nil
}

// parseFraction reads "1/3", "0.25" or "25%".
func parseFraction(text string) (*big.Rat, error) {
	text = strings.TrimSpace(text)
	percent := strings.HasSuffix(text, "%")
	value, ok := new(big.Rat).SetString(strings.TrimSuffix(text, "%"))
	if !ok || text == "" {
		return nil, fmt.Errorf("%q is not a fraction", text)
	}
	if percent {
		value.Quo(value, big.NewRat(100, 1))
	}
	return value, nil
}

// ApplyStripe gives every scenario this runner's share of its VUs and iterations; arrival-rate
// scenarios keep their rate and run only the iterations the stripe owns (see runArrivalRate).
func ApplyStripe(configs []Config, stripe *Stripe) []Config {
	if stripe == nil {
		return configs
	}
	out := make([]Config, len(configs))
	for i, config := range configs {
		config.Stripe = stripe
		switch config.Executor {
		case ConstantArrivalRate, RampingArrivalRate:
			config.PreAllocatedVUs = stripe.Owned(config.PreAllocatedVUs)
			config.MaxVUs = max(stripe.Owned(config.MaxVUs), config.PreAllocatedVUs, 1)
		case ConstantVUs, PerVUIterations:
			config.VUs = stripe.Owned(config.VUs)
		case SharedIterations:
			config.Iterations = stripe.Owned(config.Iterations)
			config.VUs = min(max(stripe.Owned(config.VUs), 1), max(config.Iterations, 1))
			if config.Iterations == 0 {
				config.VUs = 0
			}
		case RampingVUs:
			config.StartVUs = stripe.Owned(config.StartVUs)
			stages := make([]Stage, len(config.Stages))
			for k, stage := range config.Stages {
				stages[k] = Stage{Duration: stage.Duration, Target: stripe.Owned(stage.Target)}
			}
			config.Stages = stages
		}
		out[i] = config
	}
	return out
}
