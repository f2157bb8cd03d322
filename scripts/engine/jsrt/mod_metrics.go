package jsrt

import (
	"math"
	"time"

	"github.com/dop251/goja"

	"bulwark.dev/engine/metrics"
)

func (v *VU) newMetricsModule() *goja.Object { return v.newLazyModule(metricsMembers) }

var metricsMembers = newMemberTable(
	metricMember("Counter", metrics.Counter),
	metricMember("Gauge", metrics.Gauge),
	metricMember("Rate", metrics.Rate),
	metricMember("Trend", metrics.Trend),
)

func metricMember(name string, typ metrics.Type) member {
	return member{name: name, make: func(v *VU) goja.Value { return v.rt.ToValue(v.metricConstructor(name, typ)) }}
}

// metricConstructor is `new Counter(name, isTime?)` and its kin: init context only; the metric is
// defined in the run's registry (the same name with the same type is the same metric).
func (v *VU) metricConstructor(constructor string, typ metrics.Type) func(goja.ConstructorCall) *goja.Object {
	return func(call goja.ConstructorCall) *goja.Object {
		name := call.Argument(0).String()
		if !v.inInit {
			v.throwf("new %s(%q): custom metrics can only be created in the init context", constructor, name)
		}
		if v.env.Registry == nil {
			v.throwf("new %s(%q): no metric registry", constructor, name)
		}
		contains := metrics.Default
		if typ != metrics.Rate && call.Argument(1).ToBoolean() {
			contains = metrics.Time
		}
		metric, err := v.env.Registry.Define(name, typ, contains)
		if err != nil {
			v.throwf("new %s(%q): %v", constructor, name, err)
		}
		this := call.This
		_ = this.Set("name", name)
		_ = this.Set("add", func(add goja.FunctionCall) goja.Value {
			value := v.metricValue(metric, add.Argument(0))
			if v.env.Out != nil {
				v.env.Out.Add(metrics.Sample{
					Metric: metric,
					Time:   time.Now(),
					Value:  value,
					Tags:   v.tags.current().With(v.tagsArgument(add.Argument(1))),
				})
			}
			return v.rt.ToValue(true)
		})
		return nil
	}
}

// metricValue converts add()'s value: booleans are 1/0, and a value that is not a number is an
// error naming the metric.
func (v *VU) metricValue(metric *metrics.Metric, argument goja.Value) float64 {
	if boolean, isBool := argument.Export().(bool); isBool {
		return boolValue(boolean)
	}
	value := argument.ToFloat()
	if math.IsNaN(value) || math.IsInf(value, 0) {
		v.throwf("%s.add(%s): the value is not a finite number", metric.Name, argument.String())
	}
	return value
}
