package runner

import (
	"math"
	"strconv"
	"time"

	"bulwark.dev/engine/metrics"
)

func hasAbortOnFail(thresholds map[string][]metrics.ThresholdConfig) bool {
	for _, configs := range thresholds {
		for _, config := range configs {
			if config.AbortOnFail {
				return true
			}
		}
	}
	return false
}

// firstAbortingFailure returns the first failed threshold with abortOnFail whose delayAbortEval has
// passed since the scenarios started.
func firstAbortingFailure(results []metrics.ThresholdResult, sinceStart time.Duration) (metrics.ThresholdResult, bool) {
	for _, result := range results {
		if !result.OK && result.Threshold.AbortOnFail && sinceStart >= result.Threshold.DelayAbortEval {
			return result, true
		}
	}
	return metrics.ThresholdResult{}, false
}

// formatNumber writes a value rounded to 3 decimals: 12.346, 0.5, 1200.
func formatNumber(value float64) string {
	return strconv.FormatFloat(math.Round(value*1000)/1000, 'f', -1, 64)
}
