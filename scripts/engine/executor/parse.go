package executor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"bulwark.dev/engine/metrics"
)

// Executor names.
const (
	ConstantArrivalRate = "constant-arrival-rate"
	RampingArrivalRate  = "ramping-arrival-rate"
	ConstantVUs         = "constant-vus"
	RampingVUs          = "ramping-vus"
	PerVUIterations     = "per-vu-iterations"
	SharedIterations    = "shared-iterations"
)

// Upper bounds, each with the reason quoted in its error.
const (
	maxVUsLimit        = 100000
	maxVUsReason       = "each VU is a JavaScript runtime of several MB; split the load across runners"
	maxRatePerSecond   = 1000000
	maxRateReason      = "one engine process cannot start more iterations per second; split the load across runners"
	maxIterationsLimit = 1 << 40
	maxIterationsWhy   = "iteration ids have 40 bits"
	maxDurationLimit   = 7 * 24 * time.Hour
	maxDurationReason  = "longer tests are surely a mistake in the unit"
	maxStages          = 10000
)

var scenarioNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// commonKeys are valid in every scenario; executorKeys lists the others per executor.
var commonKeys = []string{"executor", "exec", "startTime", "gracefulStop", "tags", "env"}

var executorKeys = map[string][]string{
	ConstantArrivalRate: {"rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"},
	RampingArrivalRate:  {"startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs"},
	ConstantVUs:         {"vus", "duration"},
	RampingVUs:          {"startVUs", "stages", "gracefulRampDown"},
	PerVUIterations:     {"vus", "iterations", "maxDuration"},
	SharedIterations:    {"vus", "iterations", "maxDuration"},
}

const (
	defaultGracefulStop = 30 * time.Second
	defaultMaxDuration  = 10 * time.Minute
	defaultTimeUnit     = time.Second
)

// ParseScenarios reads options.scenarios, or the shortcuts (vus + duration: constant-vus; iterations:
// shared-iterations; stages: ramping-vus; none: one VU, one iteration). Errors name the field and
// quote the value, e.g. `scenarios.browse.maxVUs: 2 is below preAllocatedVUs 5`. Scenarios come back
// in the order the options list them. Options other than the scenario ones are not looked at.
func ParseScenarios(options json.RawMessage) ([]Config, error) {
	top, err := readObject(options, "options")
	if err != nil {
		return nil, err
	}
	scenarios, hasScenarios := top.get("scenarios")
	var shortcuts []string
	for _, key := range []string{"vus", "duration", "iterations", "stages"} {
		if _, ok := top.get(key); ok {
			shortcuts = append(shortcuts, key)
		}
	}
	if hasScenarios && !isNull(scenarios) {
		if len(shortcuts) > 0 {
			return nil, fmt.Errorf("options.%s cannot be combined with options.scenarios: put it in a scenario", shortcuts[0])
		}
		return parseScenarioMap(scenarios)
	}
	return parseShortcuts(top)
}

func parseScenarioMap(raw json.RawMessage) ([]Config, error) {
	entries, err := readObject(raw, "options.scenarios")
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("options.scenarios: no scenario defined")
	}
	configs := make([]Config, 0, len(entries))
	for _, entry := range entries {
		if !scenarioNamePattern.MatchString(entry.key) {
			return nil, fmt.Errorf("options.scenarios: scenario name %q must match ^[A-Za-z0-9_-]{1,64}$", entry.key)
		}
		config, err := parseScenario(entry.key, entry.value)
		if err != nil {
			return nil, err
		}
		configs = append(configs, config)
	}
	return configs, nil
}

// parseShortcuts turns the top-level vus/duration/iterations/stages into one scenario named "default".
func parseShortcuts(top object) ([]Config, error) {
	f := fields{prefix: "options", obj: top}
	config := Config{Name: "default", Exec: "default", GracefulStop: defaultGracefulStop, TimeUnit: defaultTimeUnit}
	vus, hasVUs, err := f.count("vus", 1, maxVUsLimit, maxVUsReason)
	if err != nil {
		return nil, err
	}
	duration, hasDuration, err := f.duration("duration", 0)
	if err != nil {
		return nil, err
	}
	iterations, hasIterations, err := f.count("iterations", 1, maxIterationsLimit, maxIterationsWhy)
	if err != nil {
		return nil, err
	}
	_, hasStages := top.get("stages")
	if !hasVUs {
		vus = 1
	}
	switch {
	case hasStages:
		if hasIterations {
			return nil, fmt.Errorf("options.stages cannot be combined with options.iterations")
		}
		if hasDuration {
			return nil, fmt.Errorf("options.stages cannot be combined with options.duration")
		}
		stages, err := f.stages("stages", maxVUsLimit, maxVUsReason)
		if err != nil {
			return nil, err
		}
		config.Executor, config.StartVUs, config.Stages = RampingVUs, vus, stages
		if !hasVUs {
			config.StartVUs = 1
		}
		config.GracefulRampDown = defaultGracefulStop
	case hasIterations:
		config.Executor, config.VUs, config.Iterations = SharedIterations, vus, iterations
		config.MaxDuration = defaultMaxDuration
		if hasDuration {
			config.MaxDuration = duration
		}
	case hasDuration:
		if duration <= 0 {
			return nil, fmt.Errorf("options.duration: %s must be above zero", top.text("duration"))
		}
		config.Executor, config.VUs, config.Duration = ConstantVUs, vus, duration
	default:
		config.Executor, config.VUs, config.Iterations, config.MaxDuration = PerVUIterations, vus, 1, defaultMaxDuration
	}
	return []Config{config}, nil
}

func parseScenario(name string, raw json.RawMessage) (Config, error) {
	prefix := "scenarios." + name
	obj, err := readObject(raw, prefix)
	if err != nil {
		return Config{}, err
	}
	f := fields{prefix: prefix, obj: obj}
	executorName, ok, err := f.str("executor")
	if err != nil {
		return Config{}, err
	}
	if !ok {
		return Config{}, fmt.Errorf("%s.executor: missing (one of %s)", prefix, strings.Join(executorNames(), ", "))
	}
	allowed, known := executorKeys[executorName]
	if !known {
		return Config{}, fmt.Errorf("%s.executor: unknown executor %q (one of %s)", prefix, executorName, strings.Join(executorNames(), ", "))
	}
	for _, entry := range obj {
		if !contains(commonKeys, entry.key) && !contains(allowed, entry.key) {
			return Config{}, fmt.Errorf("%s: unknown key %q for executor %s (allowed: %s)", prefix, entry.key, executorName,
				strings.Join(append(append([]string{}, commonKeys...), allowed...), ", "))
		}
	}

	config := Config{Name: name, Executor: executorName, Exec: "default", TimeUnit: defaultTimeUnit}
	if exec, ok, err := f.str("exec"); err != nil {
		return Config{}, err
	} else if ok {
		if exec == "" {
			return Config{}, fmt.Errorf("%s.exec: %q is empty", prefix, exec)
		}
		config.Exec = exec
	}
	if config.StartTime, _, err = f.duration("startTime", 0); err != nil {
		return Config{}, err
	}
	if config.GracefulStop, _, err = f.duration("gracefulStop", defaultGracefulStop); err != nil {
		return Config{}, err
	}
	if config.Tags, err = f.stringMap("tags"); err != nil {
		return Config{}, err
	}
	if config.Env, err = f.stringMap("env"); err != nil {
		return Config{}, err
	}

	switch executorName {
	case ConstantArrivalRate, RampingArrivalRate:
		err = parseArrivalRate(&config, f)
	case ConstantVUs:
		config.VUs, _, err = f.count("vus", 1, maxVUsLimit, maxVUsReason)
		if err == nil {
			config.Duration, err = f.requiredPositiveDuration("duration")
		}
	case RampingVUs:
		config.StartVUs, _, err = f.count("startVUs", 1, maxVUsLimit, maxVUsReason)
		if err == nil {
			config.GracefulRampDown, _, err = f.duration("gracefulRampDown", defaultGracefulStop)
		}
		if err == nil {
			config.Stages, err = f.stages("stages", maxVUsLimit, maxVUsReason)
		}
	case PerVUIterations, SharedIterations:
		config.VUs, _, err = f.count("vus", 1, maxVUsLimit, maxVUsReason)
		if err == nil {
			config.Iterations, _, err = f.count("iterations", 1, maxIterationsLimit, maxIterationsWhy)
		}
		if err == nil {
			config.MaxDuration, _, err = f.duration("maxDuration", defaultMaxDuration)
		}
		if err == nil && config.MaxDuration <= 0 {
			err = fmt.Errorf("%s.maxDuration: %s must be above zero", prefix, obj.text("maxDuration"))
		}
		if err == nil && executorName == PerVUIterations && config.VUs*config.Iterations > maxIterationsLimit {
			err = fmt.Errorf("%s: vus × iterations = %d is above %d (%s)", prefix, config.VUs*config.Iterations, int64(maxIterationsLimit), maxIterationsWhy)
		}
	}
	return config, err
}

func parseArrivalRate(config *Config, f fields) error {
	var err error
	if config.TimeUnit, _, err = f.duration("timeUnit", defaultTimeUnit); err != nil {
		return err
	}
	if config.TimeUnit <= 0 {
		return fmt.Errorf("%s.timeUnit: %s must be above zero", f.prefix, f.obj.text("timeUnit"))
	}
	// A rate limit per timeUnit equivalent to maxRatePerSecond per second.
	rateLimit := int64(float64(maxRatePerSecond) * config.TimeUnit.Seconds())
	if rateLimit < 1 {
		rateLimit = 1
	}
	rateReason := fmt.Sprintf("%d per second: %s", maxRatePerSecond, maxRateReason)
	if config.Executor == ConstantArrivalRate {
		var ok bool
		if config.Rate, ok, err = f.count("rate", 0, rateLimit, rateReason); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s.rate: missing (iterations per timeUnit)", f.prefix)
		}
		if config.Rate == 0 {
			return fmt.Errorf("%s.rate: 0 must be above zero", f.prefix)
		}
		if config.Duration, err = f.requiredPositiveDuration("duration"); err != nil {
			return err
		}
	} else {
		if config.StartRate, _, err = f.count("startRate", 0, rateLimit, rateReason); err != nil {
			return err
		}
		if config.Stages, err = f.stages("stages", rateLimit, rateReason); err != nil {
			return err
		}
	}
	var ok bool
	if config.PreAllocatedVUs, ok, err = f.count("preAllocatedVUs", 0, maxVUsLimit, maxVUsReason); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s.preAllocatedVUs: missing (VUs initialized before the start)", f.prefix)
	}
	if config.MaxVUs, ok, err = f.count("maxVUs", 0, maxVUsLimit, maxVUsReason); err != nil {
		return err
	}
	if !ok {
		config.MaxVUs = config.PreAllocatedVUs
	}
	if config.MaxVUs < config.PreAllocatedVUs {
		return fmt.Errorf("%s.maxVUs: %d is below preAllocatedVUs %d", f.prefix, config.MaxVUs, config.PreAllocatedVUs)
	}
	if config.MaxVUs == 0 {
		return fmt.Errorf("%s.maxVUs: 0 leaves no VU to run iterations (set preAllocatedVUs or maxVUs above zero)", f.prefix)
	}
	return nil
}

func executorNames() []string {
	return []string{ConstantArrivalRate, RampingArrivalRate, ConstantVUs, RampingVUs, PerVUIterations, SharedIterations}
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

// fields reads typed values from one JSON object, naming prefix.key in errors.
type fields struct {
	prefix string
	obj    object
}

func (f fields) name(key string) string { return f.prefix + "." + key }

func (f fields) str(key string) (string, bool, error) {
	raw, ok := f.obj.get(key)
	if !ok || isNull(raw) {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("%s: %s is not a string", f.name(key), raw)
	}
	return s, true, nil
}

// count reads a whole number in [0, limit]; absent means def.
func (f fields) count(key string, def, limit int64, reason string) (int64, bool, error) {
	raw, ok := f.obj.get(key)
	if !ok || isNull(raw) {
		return def, false, nil
	}
	n, err := wholeNumber(raw)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %s is not a whole number", f.name(key), raw)
	}
	if n < 0 {
		return 0, false, fmt.Errorf("%s: %s is negative", f.name(key), raw)
	}
	if n > limit {
		return 0, false, fmt.Errorf("%s: %s is above the limit of %d (%s)", f.name(key), raw, limit, reason)
	}
	return n, true, nil
}

// duration reads a duration string ("30s", "1m30s") or a number of milliseconds; absent means def.
func (f fields) duration(key string, def time.Duration) (time.Duration, bool, error) {
	raw, ok := f.obj.get(key)
	if !ok || isNull(raw) {
		return def, false, nil
	}
	d, err := parseDurationJSON(raw)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %s is not a duration (e.g. \"30s\", \"1m30s\", \"500ms\")", f.name(key), raw)
	}
	if d < 0 {
		return 0, false, fmt.Errorf("%s: %s is negative", f.name(key), raw)
	}
	if d > maxDurationLimit {
		return 0, false, fmt.Errorf("%s: %s is above the limit of %s (%s)", f.name(key), raw, maxDurationLimit, maxDurationReason)
	}
	return d, true, nil
}

func (f fields) requiredPositiveDuration(key string) (time.Duration, error) {
	d, ok, err := f.duration(key, 0)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("%s: missing", f.name(key))
	}
	if d == 0 {
		return 0, fmt.Errorf("%s: %s must be above zero", f.name(key), f.obj.text(key))
	}
	return d, nil
}

func (f fields) stringMap(key string) (map[string]string, error) {
	raw, ok := f.obj.get(key)
	if !ok || isNull(raw) {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %s is not an object of strings", f.name(key), raw)
	}
	return m, nil
}

func (f fields) stages(key string, targetLimit int64, reason string) ([]Stage, error) {
	raw, ok := f.obj.get(key)
	if !ok || isNull(raw) {
		return nil, fmt.Errorf("%s: missing (a list of {duration, target})", f.name(key))
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s: %s is not a list", f.name(key), raw)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: the list is empty", f.name(key))
	}
	if len(list) > maxStages {
		return nil, fmt.Errorf("%s: %d stages are above the limit of %d", f.name(key), len(list), maxStages)
	}
	stages := make([]Stage, 0, len(list))
	var total time.Duration
	for i, item := range list {
		prefix := fmt.Sprintf("%s[%d]", f.name(key), i)
		obj, err := readObject(item, prefix)
		if err != nil {
			return nil, err
		}
		for _, entry := range obj {
			if entry.key != "duration" && entry.key != "target" {
				return nil, fmt.Errorf("%s: unknown key %q (allowed: duration, target)", prefix, entry.key)
			}
		}
		sf := fields{prefix: prefix, obj: obj}
		duration, ok, err := sf.duration("duration", 0)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s.duration: missing", prefix)
		}
		target, ok, err := sf.count("target", 0, targetLimit, reason)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s.target: missing", prefix)
		}
		total += duration
		if total > maxDurationLimit {
			return nil, fmt.Errorf("%s: the stages last longer than the limit of %s (%s)", f.name(key), maxDurationLimit, maxDurationReason)
		}
		stages = append(stages, Stage{Duration: duration, Target: target})
	}
	if total == 0 {
		return nil, fmt.Errorf("%s: the stages last 0s", f.name(key))
	}
	return stages, nil
}

func parseDurationJSON(raw json.RawMessage) (time.Duration, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return metrics.ParseDuration(s)
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil {
		return 0, err
	}
	if ms != ms || ms > float64(maxDurationLimit/time.Millisecond)*2 || ms < -float64(maxDurationLimit/time.Millisecond)*2 {
		return 0, fmt.Errorf("out of range")
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

func wholeNumber(raw json.RawMessage) (int64, error) {
	var number json.Number
	if err := json.Unmarshal(raw, &number); err != nil {
		return 0, err
	}
	if n, err := strconv.ParseInt(string(number), 10, 64); err == nil {
		return n, nil
	}
	// 5.0 and 1e3 are whole numbers too.
	value, err := strconv.ParseFloat(string(number), 64)
	if err != nil || value != float64(int64(value)) {
		return 0, fmt.Errorf("not a whole number")
	}
	return int64(value), nil
}

// object is a JSON object's members in document order.
type object []member

type member struct {
	key   string
	value json.RawMessage
}

func (o object) get(key string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// text is a member's value as written, for error messages.
func (o object) text(key string) string {
	raw, _ := o.get(key)
	return string(raw)
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// readObject decodes a JSON object keeping its members' order; duplicate keys are an error.
func readObject(raw json.RawMessage, what string) (object, error) {
	if len(bytes.TrimSpace(raw)) == 0 || isNull(raw) {
		return nil, nil
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	token, err := decoder.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %v", what, err)
	}
	if delim, ok := token.(json.Delim); !ok || delim != '{' {
		return nil, fmt.Errorf("%s: %s is not an object", what, truncate(raw))
	}
	var obj object
	for decoder.More() {
		token, err := decoder.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: invalid JSON: %v", what, err)
		}
		key := token.(string)
		var value json.RawMessage
		if err := decoder.Decode(&value); err != nil {
			return nil, fmt.Errorf("%s.%s: invalid JSON: %v", what, key, err)
		}
		if _, dup := obj.get(key); dup {
			return nil, fmt.Errorf("%s: key %q appears twice", what, key)
		}
		obj = append(obj, member{key: key, value: value})
	}
	return obj, nil
}

func truncate(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
