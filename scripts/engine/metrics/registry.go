package metrics

import (
	"fmt"
	"sync"
)

// Builtins are the metrics every run has.
type Builtins struct {
	HTTPReqs, HTTPReqFailed, HTTPReqDuration, HTTPReqBlocked, HTTPReqConnecting, HTTPReqTLSHandshaking,
	HTTPReqSending, HTTPReqWaiting, HTTPReqReceiving *Metric
	Iterations, IterationDuration, DroppedIterations, InterruptedIterations *Metric
	Checks, GroupDuration, DataSent, DataReceived, VUs, VUsMax              *Metric
}

// Registry knows every metric of the run, the builtins included. It is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	byName   map[string]*Metric
	ordered  []*Metric
	builtins Builtins
}

// NewRegistry returns a registry with the builtins registered.
func NewRegistry() *Registry {
	r := &Registry{byName: map[string]*Metric{}}
	b := &r.builtins
	for _, builtin := range []struct {
		target   **Metric
		name     string
		typ      Type
		contains Contains
	}{
		{&b.HTTPReqs, "http_reqs", Counter, Default},
		{&b.HTTPReqFailed, "http_req_failed", Rate, Default},
		{&b.HTTPReqDuration, "http_req_duration", Trend, Time},
		{&b.HTTPReqBlocked, "http_req_blocked", Trend, Time},
		{&b.HTTPReqConnecting, "http_req_connecting", Trend, Time},
		{&b.HTTPReqTLSHandshaking, "http_req_tls_handshaking", Trend, Time},
		{&b.HTTPReqSending, "http_req_sending", Trend, Time},
		{&b.HTTPReqWaiting, "http_req_waiting", Trend, Time},
		{&b.HTTPReqReceiving, "http_req_receiving", Trend, Time},
		{&b.Iterations, "iterations", Counter, Default},
		{&b.IterationDuration, "iteration_duration", Trend, Time},
		{&b.DroppedIterations, "dropped_iterations", Counter, Default},
		{&b.InterruptedIterations, "interrupted_iterations", Counter, Default},
		{&b.Checks, "checks", Rate, Default},
		{&b.GroupDuration, "group_duration", Trend, Time},
		{&b.DataSent, "data_sent", Counter, Data},
		{&b.DataReceived, "data_received", Counter, Data},
		{&b.VUs, "vus", Gauge, Default},
		{&b.VUsMax, "vus_max", Gauge, Default},
	} {
		*builtin.target = r.add(builtin.name, builtin.typ, builtin.contains)
	}
	return r
}

// Builtins returns the builtin metrics.
func (r *Registry) Builtins() *Builtins { return &r.builtins }

// Define registers a custom metric (Counter/Gauge/Rate/Trend from k6/metrics). Defining the same
// name again with the same type returns the same metric; another type, or a name not matching
// ^[A-Za-z_][A-Za-z0-9_]{0,127}$, is an error naming the metric.
func (r *Registry) Define(name string, typ Type, contains Contains) (*Metric, error) {
	if !validMetricName(name) {
		return nil, fmt.Errorf("invalid metric name %q: it must match ^[A-Za-z_][A-Za-z0-9_]{0,127}$", name)
	}
	switch typ {
	case Counter, Gauge, Rate, Trend:
	default:
		return nil, fmt.Errorf("metric %q: unknown type %q", name, typ)
	}
	switch contains {
	case "":
		contains = Default
	case Default, Time, Data:
	default:
		return nil, fmt.Errorf("metric %q: unknown value kind %q", name, contains)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if existing := r.byName[name]; existing != nil {
		if existing.Type != typ {
			return nil, fmt.Errorf("metric %q is already defined as a %s, not a %s", name, existing.Type, typ)
		}
		return existing, nil
	}
	return r.addLocked(name, typ, contains), nil
}

// Lookup returns a registered metric or nil.
func (r *Registry) Lookup(name string) *Metric {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byName[name]
}

// All returns every registered metric in registration order.
func (r *Registry) All() []*Metric {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Metric(nil), r.ordered...)
}

func (r *Registry) add(name string, typ Type, contains Contains) *Metric {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addLocked(name, typ, contains)
}

func (r *Registry) addLocked(name string, typ Type, contains Contains) *Metric {
	// index is 1-based so that a zero Metric (not from a registry) is recognisable.
	metric := &Metric{Name: name, Type: typ, Contains: contains, index: len(r.ordered) + 1}
	r.byName[name] = metric
	r.ordered = append(r.ordered, metric)
	return metric
}

func validMetricName(name string) bool {
	if len(name) == 0 || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
