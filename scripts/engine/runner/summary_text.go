package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// writeTextSummary prints a short human summary (when the script has no handleSummary): one line per
// metric, then the thresholds with their verdicts.
func writeTextSummary(out io.Writer, summary map[string]any) {
	var b strings.Builder
	if state, ok := summary["state"].(map[string]any); ok {
		if ms, ok := state["testRunDurationMs"].(float64); ok {
			fmt.Fprintf(&b, "bulwark-engine: test ran %.1fs\n", ms/1000)
		}
	}
	metrics, _ := summary["metrics"].(map[string]any)
	names := make([]string, 0, len(metrics))
	for name := range metrics {
		names = append(names, name)
	}
	sort.Strings(names)
	width := 0
	for _, name := range names {
		width = max(width, len(name))
	}
	var thresholds []string
	for _, name := range names {
		metric, _ := metrics[name].(map[string]any)
		values, _ := metric["values"].(map[string]any)
		fmt.Fprintf(&b, "  %s%s  %s\n", name, strings.Repeat(".", width-len(name)+3), metricLine(metric, values))
		verdicts, _ := metric["thresholds"].(map[string]any)
		expressions := make([]string, 0, len(verdicts))
		for expression := range verdicts {
			expressions = append(expressions, expression)
		}
		sort.Strings(expressions)
		for _, expression := range expressions {
			verdict, _ := verdicts[expression].(map[string]any)
			mark := "✓"
			if ok, _ := verdict["ok"].(bool); !ok {
				mark = "✗"
			}
			thresholds = append(thresholds, fmt.Sprintf("  %s %s %s", mark, name, expression))
		}
	}
	if len(thresholds) > 0 {
		b.WriteString("thresholds:\n")
		b.WriteString(strings.Join(thresholds, "\n"))
		b.WriteString("\n")
	}
	_, _ = io.WriteString(out, b.String())
}

func metricLine(metric, values map[string]any) string {
	unit := ""
	if metric["contains"] == "time" {
		unit = "ms"
	}
	number := func(key string) string { return formatNumber(floatOf(values[key])) }
	switch metric["type"] {
	case "counter":
		return fmt.Sprintf("%s  %s/s", number("count"), number("rate"))
	case "rate":
		return fmt.Sprintf("%.2f%%  %s of %s", floatOf(values["rate"])*100, number("passes"), formatNumber(floatOf(values["passes"])+floatOf(values["fails"])))
	case "gauge":
		return fmt.Sprintf("%s  min=%s max=%s", number("value"), number("min"), number("max"))
	}
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	order := map[string]int{"avg": 0, "min": 1, "med": 2, "max": 3, "count": 100}
	sort.Slice(keys, func(i, j int) bool {
		a, aok := order[keys[i]]
		c, cok := order[keys[j]]
		if !aok {
			a = 10
		}
		if !cok {
			c = 10
		}
		if a != c {
			return a < c
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, key := range keys {
		if key == "count" {
			parts[i] = key + "=" + number(key)
		} else {
			parts[i] = key + "=" + number(key) + unit
		}
	}
	return strings.Join(parts, " ")
}

// floatOf reads a summary number, whatever numeric type it was built with.
func floatOf(value any) float64 {
	switch v := value.(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	return 0
}
