package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	for _, test := range []struct {
		source     string
		statistic  string
		percentile float64
		operator   string
		limit      float64
	}{
		{"p(95)<200", "p(95)", 95, "<", 200},
		{"  p( 99.9 ) <= 1.5e3 ", "p(99.9)", 99.9, "<=", 1500},
		{"p(100)>0", "p(100)", 100, ">", 0},
		{"avg>=-12.5", "avg", 0, ">=", -12.5},
		{"rate<0.001", "rate", 0, "<", 0.001},
		{"count===3", "count", 0, "==", 3},
		{"med == 4", "med", 0, "==", 4},
		{"value!=.5", "value", 0, "!=", 0.5},
		{"max<1E2", "max", 0, "<", 100},
		{"min>+3", "min", 0, ">", 3},
	} {
		threshold, err := ParseThreshold(ThresholdConfig{Threshold: test.source})
		if err != nil {
			t.Errorf("%q: %v", test.source, err)
			continue
		}
		if threshold.Source != test.source || threshold.Statistic != test.statistic || threshold.Percentile != test.percentile ||
			threshold.Operator != test.operator || threshold.Limit != test.limit {
			t.Errorf("%q: got %+v", test.source, threshold)
		}
	}
}

func TestParseThresholdErrors(t *testing.T) {
	for _, source := range []string{
		"", "p95<200", "p(95)<<200", "p(95)<", "p(0)<1", "p(100.1)<1", "p(-1)<1", "p(1.1234567)<1",
		"avg<abc", "stddev<1", "avg<1ms", "avg=1", "avg<1 2", "avg<Inf", "avg<NaN", "avg<0x10", "avg<1e999",
	} {
		_, err := ParseThreshold(ThresholdConfig{Threshold: source})
		if err == nil {
			t.Errorf("%q accepted", source)
			continue
		}
		if !strings.Contains(err.Error(), `"`+source+`"`) {
			t.Errorf("%q: error does not quote the expression: %v", source, err)
		}
	}
}

func TestParseThresholdOptions(t *testing.T) {
	threshold, err := ParseThreshold(ThresholdConfig{Threshold: "rate<0.01", AbortOnFail: true, DelayAbortEval: "1m30s"})
	if err != nil || !threshold.AbortOnFail || threshold.DelayAbortEval != 90*time.Second {
		t.Fatalf("%+v %v", threshold, err)
	}
	if _, err := ParseThreshold(ThresholdConfig{Threshold: "rate<0.01", DelayAbortEval: "soon"}); err == nil {
		t.Fatal("bad delayAbortEval accepted")
	}
}

func TestParseDuration(t *testing.T) {
	for text, want := range map[string]time.Duration{
		"5s": 5 * time.Second, "1m30s": 90 * time.Second, "500ms": 500 * time.Millisecond,
		"1500": 1500 * time.Millisecond, "2.5": 2500 * time.Microsecond, "0": 0, "1h": time.Hour,
		"1d": 24 * time.Hour, "1d12h": 36 * time.Hour, " 10s ": 10 * time.Second, "-3s": -3 * time.Second,
	} {
		got, err := ParseDuration(text)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	for _, text := range []string{"", "abc", "5 s", "1x", "d", "1d-1h", "1e3"} {
		if _, err := ParseDuration(text); err == nil {
			t.Errorf("ParseDuration(%q) accepted", text)
		}
	}
}

func TestRankFraction(t *testing.T) {
	for _, test := range []struct {
		percentile string
		n, rank    int64
	}{
		{"95", 798, 759}, {"95", 11, 11}, {"95", 20, 19}, {"95", 100, 95}, {"50", 1, 1}, {"50", 2, 1}, {"50", 3, 2},
		{"99.9", 1000, 999}, {"99.9", 1001, 1000}, {"99.99", 10000, 9999}, {"100", 7, 7}, {"0.001", 1, 1},
		{"95", 0, 0}, {"33.3", 3, 1}, {"99.9", 1 << 60, 1151768583102240130}, // ceil(2^60*999/1000), past int64 in the product
	} {
		fraction, err := parseRankFraction(test.percentile)
		if err != nil {
			t.Fatal(err)
		}
		if got := fraction.of(test.n); got != test.rank {
			t.Errorf("p(%s) of %d: rank %d, want %d", test.percentile, test.n, got, test.rank)
		}
	}
}
