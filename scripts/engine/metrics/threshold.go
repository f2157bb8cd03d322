package metrics

import (
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Threshold is one parsed threshold expression with its options.
type Threshold struct {
	Source         string  // the expression as written, e.g. "p(95)<200"; the summary key
	Statistic      string  // avg min med max count rate value p(N)
	Percentile     float64 // N for p(N), else 0
	Operator       string  // < <= > >= == !=  ("===" is read as "==")
	Limit          float64
	AbortOnFail    bool
	DelayAbortEval time.Duration

	// limitText is the limit as written, for exact rational comparisons of rates.
	limitText string
	// rank is N/100 as an exact fraction for p(N) and med.
	rank rankFraction
}

// ThresholdConfig is what options.thresholds holds per selector: strings, or objects
// {threshold, abortOnFail, delayAbortEval}.
type ThresholdConfig struct {
	Threshold      string `json:"threshold"`
	AbortOnFail    bool   `json:"abortOnFail"`
	DelayAbortEval string `json:"delayAbortEval"`
}

var thresholdPattern = regexp.MustCompile(
	`^\s*(avg|min|med|max|count|rate|value|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))` +
		`\s*(===|==|!=|<=|>=|<|>)` +
		`\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*$`)

// ParseThreshold parses one expression; the error quotes the expression.
func ParseThreshold(config ThresholdConfig) (Threshold, error) {
	source := config.Threshold
	match := thresholdPattern.FindStringSubmatch(source)
	if match == nil {
		return Threshold{}, fmt.Errorf("invalid threshold %q: expected \"<statistic> <operator> <number>\" "+
			"with a statistic among avg, min, med, max, count, rate, value, p(N) and an operator among < <= > >= == !=", source)
	}
	threshold := Threshold{
		Source:      source,
		Statistic:   match[1],
		Operator:    match[3],
		AbortOnFail: config.AbortOnFail,
		limitText:   match[4],
	}
	if threshold.Operator == "===" {
		threshold.Operator = "=="
	}
	limit, err := strconv.ParseFloat(match[4], 64)
	if err != nil || math.IsInf(limit, 0) {
		return Threshold{}, fmt.Errorf("invalid threshold %q: limit %q is out of range", source, match[4])
	}
	threshold.Limit = limit

	switch {
	case match[2] != "":
		rank, err := parseRankFraction(match[2])
		if err != nil {
			return Threshold{}, fmt.Errorf("invalid threshold %q: %v", source, err)
		}
		threshold.Statistic = "p(" + match[2] + ")"
		threshold.Percentile, _ = strconv.ParseFloat(match[2], 64)
		threshold.rank = rank
	case threshold.Statistic == "med":
		threshold.rank = rankFraction{numerator: 50, denominator: 100}
	}

	if strings.TrimSpace(config.DelayAbortEval) != "" {
		delay, err := ParseDuration(config.DelayAbortEval)
		if err != nil || delay < 0 {
			return Threshold{}, fmt.Errorf("invalid threshold %q: delayAbortEval %q is not a duration", source, config.DelayAbortEval)
		}
		threshold.DelayAbortEval = delay
	}
	return threshold, nil
}

// rankFraction is N/100 for a percentile p(N), kept exact: p(99.9) is 999/1000.
type rankFraction struct {
	numerator, denominator uint64
}

// parseRankFraction reads N's decimal text (at most 6 fractional digits) into an exact fraction of 1.
func parseRankFraction(text string) (rankFraction, error) {
	whole, fraction, _ := strings.Cut(text, ".")
	if len(whole) > 3 || len(fraction) > 6 {
		return rankFraction{}, fmt.Errorf("percentile %s must be in (0, 100] with at most 6 decimals", text)
	}
	numerator, err := strconv.ParseUint(whole+fraction, 10, 64)
	if err != nil {
		return rankFraction{}, fmt.Errorf("percentile %s is not a number", text)
	}
	denominator := uint64(100)
	for range len(fraction) {
		denominator *= 10
	}
	if numerator == 0 || numerator > denominator {
		return rankFraction{}, fmt.Errorf("percentile %s must be in (0, 100]", text)
	}
	return rankFraction{numerator: numerator, denominator: denominator}, nil
}

// of returns r = ceil(N*n/100), the nearest rank of the percentile among n samples.
func (f rankFraction) of(n int64) int64 {
	if n <= 0 || f.denominator == 0 {
		return 0
	}
	hi, lo := bits.Mul64(f.numerator, uint64(n))
	quotient, remainder := bits.Div64(hi, lo, f.denominator)
	if remainder != 0 {
		quotient++
	}
	return int64(quotient)
}

var (
	plainNumberPattern = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)
	daysPattern        = regexp.MustCompile(`^([0-9]+)d(.*)$`)
)

// ParseDuration reads a k6 duration: Go's syntax ("1m30s", "500ms"), an optional leading day count
// ("1d12h"), or a bare number of milliseconds ("1500").
func ParseDuration(text string) (time.Duration, error) {
	s := strings.TrimSpace(text)
	if plainNumberPattern.MatchString(s) {
		ms, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Abs(ms) > float64(math.MaxInt64)/float64(time.Millisecond) {
			return 0, fmt.Errorf("invalid duration %q", text)
		}
		return time.Duration(ms * float64(time.Millisecond)), nil
	}
	var days time.Duration
	if match := daysPattern.FindStringSubmatch(s); match != nil {
		count, err := strconv.ParseInt(match[1], 10, 64)
		if err != nil || count > int64(math.MaxInt64/(24*time.Hour)) {
			return 0, fmt.Errorf("invalid duration %q", text)
		}
		days = time.Duration(count) * 24 * time.Hour
		if s = match[2]; s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: expected e.g. \"30s\", \"1m30s\", \"500ms\" or milliseconds", text)
	}
	if days != 0 && d < 0 {
		return 0, fmt.Errorf("invalid duration %q", text)
	}
	return days + d, nil
}
