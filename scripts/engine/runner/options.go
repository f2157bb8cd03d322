package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"bulwark.dev/engine/executor"
	"bulwark.dev/engine/metrics"
)

// testOptions are the script's options, validated, defaults applied.
type testOptions struct {
	Scenarios             []executor.Config
	Thresholds            map[string][]metrics.ThresholdConfig
	SummaryTrendStats     []string
	SetupTimeout          time.Duration
	TeardownTimeout       time.Duration
	DiscardResponseBodies bool
	InsecureSkipTLSVerify bool
	MaxRedirects          int
	UserAgent             string
	Tags                  map[string]string // merged under every scenario's tags
}

const (
	defaultSetupTimeout    = 60 * time.Second
	defaultTeardownTimeout = 60 * time.Second
	defaultMaxRedirects    = 10
)

// supportedOptions are read; executor.ParseScenarios reads the scenario ones.
var supportedOptions = []string{
	"scenarios", "vus", "duration", "iterations", "stages",
	"thresholds", "setupTimeout", "teardownTimeout", "summaryTrendStats", "discardResponseBodies",
	"insecureSkipTLSVerify", "maxRedirects", "userAgent", "tags",
}

// ignoredOptions cannot change what load is sent or how it is judged, so they are accepted and
// ignored: summaryTimeUnit and noColor only shape k6's own text summary; noUsageReport, ext and
// cloud configure k6's reporting to Grafana; httpDebug only prints requests; linger keeps k6's web
// dashboard alive after the end.
//
// Every other option is refused when set to anything but its zero value (null, false, 0, "", [] or
// {}): noConnectionReuse, noVUConnectionReuse, hosts, rps, batch, batchPerHost, throw,
// minIterationDuration, noCookiesReset, noSetup, noTeardown, systemTags, noThresholds, dns,
// blockHostnames, tlsVersion, tlsCipherSuites, tlsAuth, localIPs, executionSegment, paused and the
// like would change the load or the verdict, and silently ignoring them would make the test lie.
var ignoredOptions = []string{"summaryTimeUnit", "noColor", "noUsageReport", "ext", "cloud", "httpDebug", "linger"}

// parseOptions reads the script's exported options.
func parseOptions(raw json.RawMessage) (testOptions, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		raw = json.RawMessage("{}")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return testOptions{}, fmt.Errorf("options: not an object: %v", err)
	}
	var refused []string
	for key, value := range top {
		if contains(supportedOptions, key) || contains(ignoredOptions, key) || isZeroJSON(value) {
			continue
		}
		refused = append(refused, key)
	}
	if len(refused) > 0 {
		sort.Strings(refused)
		return testOptions{}, fmt.Errorf("options.%s is not supported by bulwark's engine: it would change the load or the verdict (remove it from the options)",
			strings.Join(refused, ", options."))
	}

	options := testOptions{
		SetupTimeout: defaultSetupTimeout, TeardownTimeout: defaultTeardownTimeout, MaxRedirects: defaultMaxRedirects,
	}
	var err error
	if options.Scenarios, err = executor.ParseScenarios(raw); err != nil {
		return testOptions{}, err
	}
	if options.Thresholds, err = parseThresholds(top["thresholds"]); err != nil {
		return testOptions{}, err
	}
	if value, ok := present(top, "summaryTrendStats"); ok {
		if err := json.Unmarshal(value, &options.SummaryTrendStats); err != nil {
			return testOptions{}, fmt.Errorf("options.summaryTrendStats: %s is not a list of strings", value)
		}
	}
	for _, d := range []struct {
		key    string
		target *time.Duration
	}{{"setupTimeout", &options.SetupTimeout}, {"teardownTimeout", &options.TeardownTimeout}} {
		if value, ok := present(top, d.key); ok {
			if *d.target, err = parseDuration(value); err != nil || *d.target <= 0 {
				return testOptions{}, fmt.Errorf("options.%s: %s is not a duration above zero (e.g. \"60s\")", d.key, value)
			}
		}
	}
	for _, b := range []struct {
		key    string
		target *bool
	}{{"discardResponseBodies", &options.DiscardResponseBodies}, {"insecureSkipTLSVerify", &options.InsecureSkipTLSVerify}} {
		if value, ok := present(top, b.key); ok {
			if err := json.Unmarshal(value, b.target); err != nil {
				return testOptions{}, fmt.Errorf("options.%s: %s is not true or false", b.key, value)
			}
		}
	}
	if value, ok := present(top, "maxRedirects"); ok {
		if err := json.Unmarshal(value, &options.MaxRedirects); err != nil || options.MaxRedirects < 0 || options.MaxRedirects > 1000 {
			return testOptions{}, fmt.Errorf("options.maxRedirects: %s is not a whole number from 0 to 1000", value)
		}
	}
	if value, ok := present(top, "userAgent"); ok {
		if err := json.Unmarshal(value, &options.UserAgent); err != nil {
			return testOptions{}, fmt.Errorf("options.userAgent: %s is not a string", value)
		}
	}
	if value, ok := present(top, "tags"); ok {
		if err := json.Unmarshal(value, &options.Tags); err != nil {
			return testOptions{}, fmt.Errorf("options.tags: %s is not an object of strings", value)
		}
		for i := range options.Scenarios {
			tags := maps.Clone(options.Tags)
			maps.Copy(tags, options.Scenarios[i].Tags)
			options.Scenarios[i].Tags = tags
		}
	}
	return options, nil
}

// parseThresholds reads {selector: [expression | {threshold, abortOnFail, delayAbortEval}]}.
func parseThresholds(raw json.RawMessage) (map[string][]metrics.ThresholdConfig, error) {
	if isZeroJSON(raw) {
		return nil, nil
	}
	var bySelector map[string]json.RawMessage
	if err := json.Unmarshal(raw, &bySelector); err != nil {
		return nil, fmt.Errorf("options.thresholds: not an object of lists")
	}
	thresholds := make(map[string][]metrics.ThresholdConfig, len(bySelector))
	for selector, value := range bySelector {
		var items []json.RawMessage
		if err := json.Unmarshal(value, &items); err != nil {
			items = []json.RawMessage{value} // a single expression
		}
		for _, item := range items {
			var config metrics.ThresholdConfig
			var expression string
			if json.Unmarshal(item, &expression) == nil {
				config.Threshold = expression
			} else {
				var object map[string]json.RawMessage
				if err := json.Unmarshal(item, &object); err != nil {
					return nil, fmt.Errorf("options.thresholds[%q]: %s is neither an expression nor {threshold, abortOnFail, delayAbortEval}", selector, item)
				}
				for key := range object {
					if key != "threshold" && key != "abortOnFail" && key != "delayAbortEval" {
						return nil, fmt.Errorf("options.thresholds[%q]: unknown key %q (allowed: threshold, abortOnFail, delayAbortEval)", selector, key)
					}
				}
				if err := json.Unmarshal(object["threshold"], &config.Threshold); err != nil {
					return nil, fmt.Errorf("options.thresholds[%q]: %s has no threshold expression", selector, item)
				}
				if value, ok := object["abortOnFail"]; ok && !isZeroJSON(value) {
					if err := json.Unmarshal(value, &config.AbortOnFail); err != nil {
						return nil, fmt.Errorf("options.thresholds[%q].abortOnFail: %s is not true or false", selector, value)
					}
				}
				if value, ok := object["delayAbortEval"]; ok && !isZeroJSON(value) {
					delay, err := parseDuration(value)
					if err != nil || delay < 0 {
						return nil, fmt.Errorf("options.thresholds[%q].delayAbortEval: %s is not a duration", selector, value)
					}
					config.DelayAbortEval = delay.String()
				}
			}
			thresholds[selector] = append(thresholds[selector], config)
		}
	}
	return thresholds, nil
}

// parseDuration reads "30s" or a number of milliseconds.
func parseDuration(raw json.RawMessage) (time.Duration, error) {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return metrics.ParseDuration(text)
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil {
		return 0, err
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

func present(top map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	value, ok := top[key]
	if !ok || bytes.Equal(bytes.TrimSpace(value), []byte("null")) {
		return nil, false
	}
	return value, true
}

// isZeroJSON: absent, null, false, 0, "", [] or {}.
func isZeroJSON(raw json.RawMessage) bool {
	var value any
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &value) != nil {
		return len(bytes.TrimSpace(raw)) == 0
	}
	switch v := value.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

// inspectJSON renders the options after defaults, as `bulwark-engine inspect` prints them.
func (o testOptions) inspectJSON() ([]byte, error) {
	scenarios := map[string]any{}
	var order []string
	for _, config := range o.Scenarios {
		order = append(order, config.Name)
		scenario := map[string]any{"executor": config.Executor, "exec": config.Exec, "startTime": config.StartTime.String(), "gracefulStop": config.GracefulStop.String()}
		stages := func() []map[string]any {
			out := make([]map[string]any, len(config.Stages))
			for i, stage := range config.Stages {
				out[i] = map[string]any{"duration": stage.Duration.String(), "target": stage.Target}
			}
			return out
		}
		switch config.Executor {
		case executor.ConstantArrivalRate:
			maps.Copy(scenario, map[string]any{"rate": config.Rate, "timeUnit": config.TimeUnit.String(), "duration": config.Duration.String(),
				"preAllocatedVUs": config.PreAllocatedVUs, "maxVUs": config.MaxVUs})
		case executor.RampingArrivalRate:
			maps.Copy(scenario, map[string]any{"startRate": config.StartRate, "timeUnit": config.TimeUnit.String(), "stages": stages(),
				"preAllocatedVUs": config.PreAllocatedVUs, "maxVUs": config.MaxVUs})
		case executor.ConstantVUs:
			maps.Copy(scenario, map[string]any{"vus": config.VUs, "duration": config.Duration.String()})
		case executor.RampingVUs:
			maps.Copy(scenario, map[string]any{"startVUs": config.StartVUs, "stages": stages(), "gracefulRampDown": config.GracefulRampDown.String()})
		default:
			maps.Copy(scenario, map[string]any{"vus": config.VUs, "iterations": config.Iterations, "maxDuration": config.MaxDuration.String()})
		}
		if len(config.Tags) > 0 {
			scenario["tags"] = config.Tags
		}
		if len(config.Env) > 0 {
			scenario["env"] = config.Env
		}
		scenarios[config.Name] = scenario
	}
	trendStats := o.SummaryTrendStats
	if len(trendStats) == 0 {
		trendStats = []string{"avg", "min", "med", "max", "p(90)", "p(95)"}
	}
	thresholds := o.Thresholds
	if thresholds == nil {
		thresholds = map[string][]metrics.ThresholdConfig{}
	}
	return json.MarshalIndent(map[string]any{
		"scenarios":             scenarios,
		"scenarioOrder":         order,
		"thresholds":            thresholds,
		"summaryTrendStats":     trendStats,
		"setupTimeout":          o.SetupTimeout.String(),
		"teardownTimeout":       o.TeardownTimeout.String(),
		"discardResponseBodies": o.DiscardResponseBodies,
		"insecureSkipTLSVerify": o.InsecureSkipTLSVerify,
		"maxRedirects":          o.MaxRedirects,
		"userAgent":             o.UserAgent,
		"tags":                  o.Tags,
	}, "", "  ")
}
