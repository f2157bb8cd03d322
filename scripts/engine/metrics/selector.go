package metrics

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Selector is a metric name with an optional tag filter: http_req_duration{endpoint:x,method:GET}.
type Selector struct {
	Source string
	Metric string
	Tags   map[string]string
}

// ParseSelector parses a selector; the error quotes it.
func ParseSelector(source string) (Selector, error) {
	text := strings.TrimSpace(source)
	name, filter, hasFilter := strings.Cut(text, "{")
	name = strings.TrimSpace(name)
	if !validMetricName(name) {
		return Selector{}, fmt.Errorf("invalid threshold selector %q: %q is not a metric name", source, name)
	}
	selector := Selector{Source: source, Metric: name}
	if !hasFilter {
		return selector, nil
	}
	filter, closed := strings.CutSuffix(filter, "}")
	if !closed || strings.ContainsAny(filter, "{}") {
		return Selector{}, fmt.Errorf("invalid threshold selector %q: expected name{tag:value,...}", source)
	}
	selector.Tags = map[string]string{}
	for pair := range strings.SplitSeq(filter, ",") {
		key, value, ok := strings.Cut(pair, ":")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return Selector{}, fmt.Errorf("invalid threshold selector %q: tag filter %q is not tag:value", source, strings.TrimSpace(pair))
		}
		if _, duplicate := selector.Tags[key]; duplicate {
			return Selector{}, fmt.Errorf("invalid threshold selector %q: tag %q appears twice", source, key)
		}
		selector.Tags[key] = value
	}
	return selector, nil
}

// selectorMatcher routes a metric's samples to its selectors with tag filters (a sample goes to
// every selector whose filter tags are all on the sample with the same values). Each distinct filter
// key is looked up once per sample, however many selectors use it (one per endpoint, typically).
type selectorMatcher struct {
	keys       []string
	selectors  []*selectorState
	conditions [][]tagCondition // conditions[i] are the filter of selectors[i]
}

type tagCondition struct {
	key   int // index in keys
	value string
}

func (m *selectorMatcher) addSelector(selector *selectorState) {
	names := make([]string, 0, len(selector.selector.Tags))
	for key := range selector.selector.Tags {
		names = append(names, key)
	}
	sort.Strings(names)
	conditions := make([]tagCondition, 0, len(names))
	for _, name := range names {
		index := slices.Index(m.keys, name)
		if index < 0 {
			index = len(m.keys)
			m.keys = append(m.keys, name)
		}
		conditions = append(conditions, tagCondition{key: index, value: selector.selector.Tags[name]})
	}
	m.selectors = append(m.selectors, selector)
	m.conditions = append(m.conditions, conditions)
}

// add gives the value to every matching selector's sink.
func (m *selectorMatcher) add(tags *TagSet, value float64) {
	var valuesArray [16]string
	var presentArray [16]bool
	values, present := valuesArray[:0], presentArray[:0]
	if len(m.keys) > len(valuesArray) {
		values, present = make([]string, 0, len(m.keys)), make([]bool, 0, len(m.keys))
	}
	for _, key := range m.keys {
		tagValue, ok := tags.Get(key)
		values, present = append(values, tagValue), append(present, ok)
	}
selectors:
	for i, selector := range m.selectors {
		for _, condition := range m.conditions[i] {
			if !present[condition.key] || values[condition.key] != condition.value {
				continue selectors
			}
		}
		selector.sink.add(value)
	}
}
