package executor

import (
	"math"
	"testing"
	"time"
)

func countStarted(schedule rateSchedule) int64 {
	var i int64
	for {
		if _, started := schedule.due(i); !started {
			return i
		}
		i++
	}
}

func TestConstantScheduleCounts(t *testing.T) {
	tests := []struct {
		rate           int64
		unit, duration time.Duration
		want           int64
	}{
		{50, time.Second, 2 * time.Second, 100},                  // t_100 = 2s exactly: not started
		{3, time.Second, time.Second, 3},                         // 0, 333.3ms, 666.7ms
		{7, 3 * time.Second, time.Second, 3},                     // t_i = 3i/7 s: 0, 0.43, 0.86; t_3 = 1.29
		{1, time.Minute, 90 * time.Second, 2},                    // 0, 60s
		{500, time.Second, 10 * time.Minute, 300000},             // long run, no drift
		{1000000, time.Second, 7 * 24 * time.Hour, 604800000000}, // the limits do not overflow
	}
	for _, test := range tests {
		schedule := newConstantSchedule(test.rate, test.unit, test.duration)
		var got int64
		if test.want > 1000000 {
			// Binary-search the boundary instead of walking every iteration.
			if _, ok := schedule.due(test.want - 1); ok {
				if _, ok := schedule.due(test.want); !ok {
					got = test.want
				}
			}
		} else {
			got = countStarted(schedule)
		}
		if got != test.want {
			t.Errorf("rate %d per %s for %s: %d started, want %d", test.rate, test.unit, test.duration, got, test.want)
		}
	}
	schedule := newConstantSchedule(3, time.Second, time.Second)
	for i, want := range []time.Duration{0, 333333334, 666666667} {
		if got, _ := schedule.due(int64(i)); got != want {
			t.Errorf("due(%d) = %d, want %d (rounded up: never early)", i, got, want)
		}
	}
}

func TestRampingScheduleCounts(t *testing.T) {
	s := time.Second
	tests := []struct {
		name      string
		startRate int64
		stages    []Stage
		want      int64
	}{
		// 0→100/s over 2s adds 100, then 100/s for 1s adds 100; t_200 = 3s is the end.
		{"ramp then hold", 0, []Stage{{2 * s, 100}, {s, 100}}, 200},
		// 100→0 over 2s adds 100; t_100 = 2s is the end.
		{"ramp down", 100, []Stage{{2 * s, 0}}, 100},
		// Area 1.5: iterations 0 and 1.
		{"fractional area", 0, []Stage{{s, 3}}, 2},
		// C reaches 10 at 2s, before the end (3s): iteration 10 is due at 2s and starts.
		{"trailing zero rate", 0, []Stage{{s, 10}, {s, 0}, {s, 0}}, 11},
		// A jump (zero-length stage) then a hold: 50/s for 2s.
		{"jump", 0, []Stage{{0, 50}, {2 * s, 50}}, 100},
		{"all zero", 0, []Stage{{s, 0}}, 0},
		// 10→30 over 4s: area (10+30)/2·4 = 80; then 30→30 for 1s: 30.
		{"ramp from non-zero", 10, []Stage{{4 * s, 30}, {s, 30}}, 110},
	}
	for _, test := range tests {
		got := countStarted(newRampingSchedule(test.startRate, test.stages, time.Second))
		if got != test.want {
			t.Errorf("%s: %d started, want %d", test.name, got, test.want)
		}
	}
}

func TestRampingScheduleDueTimes(t *testing.T) {
	// 0→100/s over 2s: C(t) = 25·t², so t_i = sqrt(i/25) s; then 100/s: t_i = 2s + (i−100)/100 s.
	schedule := newRampingSchedule(0, []Stage{{2 * time.Second, 100}, {time.Second, 100}}, time.Second)
	var previous time.Duration
	for i := int64(0); i < 200; i++ {
		got, started := schedule.due(i)
		if !started {
			t.Fatalf("iteration %d not started", i)
		}
		exact := math.Sqrt(float64(i)/25) * 1e9
		if i >= 100 {
			exact = 2e9 + float64(i-100)*1e7
		}
		if float64(got) < exact-1 || float64(got) > exact+2 {
			t.Errorf("due(%d) = %d ns, want %.0f", i, got, exact)
		}
		if got < previous {
			t.Errorf("due(%d) = %s is before due(%d) = %s", i, got, i-1, previous)
		}
		previous = got
	}
	if got, _ := schedule.due(25); got != time.Second {
		t.Errorf("due(25) = %s, want 1s", got)
	}
	if got, _ := schedule.due(100); got != 2*time.Second {
		t.Errorf("due(100) = %s, want exactly 2s", got)
	}
	// A ramp down: 100→0 over 2s, C(t) = 100t − 25t²; t_i = 2 − sqrt(4 − i/25).
	down := newRampingSchedule(100, []Stage{{2 * time.Second, 0}}, time.Second)
	for _, i := range []int64{1, 50, 75, 99} {
		got, _ := down.due(i)
		exact := (2 - math.Sqrt(4-float64(i)/25)) * 1e9
		if math.Abs(float64(got)-exact) > 2 {
			t.Errorf("ramp down due(%d) = %d ns, want %.0f", i, got, exact)
		}
	}
}

func TestRampingVULevels(t *testing.T) {
	type change struct {
		at  time.Duration
		vus int64
	}
	var got []change
	forEachVULevelChange(0, []Stage{{time.Second, 4}, {time.Second, 4}, {0, 1}, {300 * time.Millisecond, 0}}, func(at time.Duration, vus int64) bool {
		got = append(got, change{at, vus})
		return true
	})
	ms := time.Millisecond
	want := []change{{250 * ms, 1}, {500 * ms, 2}, {750 * ms, 3}, {1000 * ms, 4}, {2000 * ms, 1}, {2300 * ms, 0}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: got %v, want %v", i, got[i], want[i])
		}
	}
}
