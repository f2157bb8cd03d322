package executor

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustStripe(t *testing.T, segment, sequence string) *Stripe {
	t.Helper()
	stripe, err := NewStripe(segment, sequence)
	if err != nil {
		t.Fatal(err)
	}
	return stripe
}

func TestEqualThirdsTakeTurns(t *testing.T) {
	sequence := "0,1/3,2/3,1"
	for k, segment := range []string{"0:1/3", "1/3:2/3", "2/3:1"} {
		stripe := mustStripe(t, segment, sequence)
		for j := int64(0); j < 9; j++ {
			if got, want := stripe.Nth(j), 3*j+int64(k); got != want {
				t.Fatalf("%s: index %d = %d, want %d", segment, j, got, want)
			}
		}
	}
}

// Every index belongs to exactly one segment of a sequence, and each segment's count of any prefix is
// its share of it within one.
func TestStripesPartitionEveryIndexFairly(t *testing.T) {
	for _, sequence := range []string{"0,1/4,1/2,1", "0,0.1,25%,2/3,1", "0,1"} {
		points := strings.Split(sequence, ",")
		owner := map[int64]int{}
		for k := 0; k+1 < len(points); k++ {
			stripe := mustStripe(t, points[k]+":"+points[k+1], sequence)
			from, _ := parseFraction(points[k])
			to, _ := parseFraction(points[k+1])
			share, _ := to.Sub(to, from).Float64()
			for j := int64(0); j < 500; j++ {
				index := stripe.Nth(j)
				if previous, taken := owner[index]; taken {
					t.Fatalf("%s: index %d owned by segments %d and %d", sequence, index, previous, k)
				}
				owner[index] = k
			}
			for n := int64(0); n <= 200; n++ {
				owned := stripe.Owned(n)
				if diff := float64(owned) - share*float64(n); diff < -1 || diff > 1 {
					t.Fatalf("%s segment %d: owns %d of the first %d, share %.3f", sequence, k, owned, n, share)
				}
			}
		}
		for index := int64(0); index < 200; index++ {
			if _, ok := owner[index]; !ok {
				t.Fatalf("%s: index %d owned by no segment", sequence, index)
			}
		}
	}
}

func TestSegmentErrors(t *testing.T) {
	for _, c := range []struct{ segment, sequence, want string }{
		{"1/2:1/3", "", "0 <= from < to <= 1"},
		{"0:3/2", "", "0 <= from < to <= 1"},
		{"x:1", "", "is not a fraction"},
		{"0:1/3", "0,1/2,1", "is not one of the segments"},
		{"0:1/2", "0,1/2,1/3,1", "not strictly increasing"},
		{"0:1/2", "0,1/2", "must run from 0 to 1"},
		{"", "0,1/2,1", "needs --execution-segment"},
	} {
		_, err := NewStripe(c.segment, c.sequence)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewStripe(%q, %q) = %v, want an error with %q", c.segment, c.sequence, err, c.want)
		}
	}
	if stripe, err := NewStripe("1/3", ""); err != nil || stripe.Owned(9) != 3 {
		t.Errorf("a bare 1/3 is 0:1/3: %v, owns %d of 9", err, stripe.Owned(9))
	}
}

// Three runners of one sequence start, together, exactly the iterations of one process: each its own
// third, with the whole test's iteration indices, none before its due time in the whole schedule.
func TestArrivalRateRunnersSplitTheSchedule(t *testing.T) {
	sequence := "0,1/4,1/2,1"
	var (
		mu   sync.Mutex
		seen []int64
		wg   sync.WaitGroup
	)
	counts := make([]int, 3)
	for k, segment := range []string{"0:1/4", "1/4:1/2", "1/2:1"} {
		wg.Go(func() {
			sink := newFakeSink()
			env, calls := fakeEnvWithCalls(sink, nil)
			config := Config{Name: "split", Executor: ConstantArrivalRate, Rate: 120, Duration: 500 * time.Millisecond, PreAllocatedVUs: 4, MaxVUs: 4, GracefulStop: time.Second}
			configs := ApplyStripe([]Config{config}, mustStripe(t, segment, sequence))
			scheduler := runScenarios(t, context.Background(), env, configs...)
			schedule := newConstantSchedule(120, time.Second, 500*time.Millisecond)
			for _, c := range calls.all() {
				offset, _ := schedule.due(c.info.InTest)
				if c.at.Before(scheduler.StartTime().Add(offset)) {
					t.Errorf("iteration %d started before its due time", c.info.InTest)
				}
				mu.Lock()
				seen = append(seen, c.info.InTest)
				mu.Unlock()
			}
			counts[k] = sink.count("iterations")
		})
	}
	wg.Wait()
	slices.Sort(seen)
	for i, index := range seen {
		if int64(i) != index {
			t.Fatalf("iteration indices across runners: %v, want 0..59 once each", seen)
		}
	}
	if len(seen) != 60 || !slices.Equal(counts, []int{15, 15, 30}) {
		t.Errorf("%d iterations, per runner %v; want 60 as 15, 15, 30", len(seen), counts)
	}
}

func TestApplyStripeScalesVUsAndIterations(t *testing.T) {
	stripe := mustStripe(t, "1/3:2/3", "0,1/3,2/3,1")
	configs := ApplyStripe([]Config{
		{Executor: ConstantVUs, VUs: 7},
		{Executor: SharedIterations, VUs: 3, Iterations: 10},
		{Executor: ConstantArrivalRate, PreAllocatedVUs: 5, MaxVUs: 9},
		{Executor: RampingVUs, StartVUs: 3, Stages: []Stage{{time.Second, 6}}},
	}, stripe)
	if configs[0].VUs != 2 || configs[1].Iterations != 3 || configs[1].VUs != 1 || configs[2].PreAllocatedVUs != 2 || configs[2].MaxVUs != 3 ||
		configs[3].StartVUs != 1 || configs[3].Stages[0].Target != 2 {
		t.Errorf("scaled configs: %+v", configs)
	}
}
