package metrics

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseSelector(t *testing.T) {
	for source, want := range map[string]Selector{
		"http_req_duration":                                       {Metric: "http_req_duration"},
		"http_req_duration{endpoint:list-items}":                  {Metric: "http_req_duration", Tags: map[string]string{"endpoint": "list-items"}},
		"http_req_duration{ method : GET , url:http://x:8080/a }": {Metric: "http_req_duration", Tags: map[string]string{"method": "GET", "url": "http://x:8080/a"}},
		"checks{check:status is 200}":                             {Metric: "checks", Tags: map[string]string{"check": "status is 200"}},
		"my_metric{empty:}":                                       {Metric: "my_metric", Tags: map[string]string{"empty": ""}},
	} {
		got, err := ParseSelector(source)
		want.Source = source
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %+v %v", source, got, err)
		}
	}
	for _, source := range []string{"", "1abc", "a{", "a{b}", "a{:x}", "a{b:1,b:2}", "a{}", "a{b:1}}", "a b{c:d}", "a{b:1}x"} {
		if _, err := ParseSelector(source); err == nil || !strings.Contains(err.Error(), `"`+source+`"`) {
			t.Errorf("%q: %v", source, err)
		}
	}
}

func TestSelectorMatchesSampleTags(t *testing.T) {
	_, collector := newTestCollector(t, map[string][]string{
		"http_req_duration{endpoint:a}":            {"count==3"},
		"http_req_duration{endpoint:a,method:GET}": {"count==2"},
		"http_req_duration{status:500}":            {"count==0"},
		"http_req_duration":                        {"count==4"},
	})
	metric := collector.registry.Builtins().HTTPReqDuration
	getA := NewTagSet(map[string]string{"endpoint": "a", "method": "GET", "status": "200", "url": "u"})
	postA := getA.With(map[string]string{"method": "POST"})
	getB := getA.With(map[string]string{"endpoint": "b"})
	addValues(collector, metric, getA, 1, 2)
	addValues(collector, metric, postA, 3)
	addValues(collector, metric, getB, 4)
	for key, ok := range verdicts(collector.Evaluate()) {
		if !ok {
			t.Errorf("%s failed", key)
		}
	}
}

func TestSelectorWithManyTagKeys(t *testing.T) {
	tags := map[string]string{}
	var filter []string
	for i := range 20 {
		key := fmt.Sprintf("k%02d", i)
		tags[key] = "v"
		filter = append(filter, key+":v")
	}
	selector := "iterations{" + strings.Join(filter, ",") + "}"
	registry, collector := newTestCollector(t, map[string][]string{selector: {"count==2"}})
	all := NewTagSet(tags)
	addValues(collector, registry.Builtins().Iterations, all, 1, 1)
	addValues(collector, registry.Builtins().Iterations, all.With(map[string]string{"k19": "w"}), 1)
	if result := collector.Evaluate()[0]; !result.OK {
		t.Fatalf("%+v", result)
	}
}
