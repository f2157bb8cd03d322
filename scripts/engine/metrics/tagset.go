package metrics

import "sort"

// TagSet is an immutable set of tags with keys kept sorted; share one pointer between samples.
// A nil *TagSet is the empty set.
type TagSet struct {
	keys, values []string
}

// NewTagSet copies the map into a sorted, immutable set.
func NewTagSet(tags map[string]string) *TagSet {
	set := &TagSet{keys: make([]string, 0, len(tags)), values: make([]string, len(tags))}
	for key := range tags {
		set.keys = append(set.keys, key)
	}
	sort.Strings(set.keys)
	for i, key := range set.keys {
		set.values[i] = tags[key]
	}
	return set
}

// With returns a new set with the given tags added or replaced (the receiver is unchanged; nil is empty).
func (t *TagSet) With(tags map[string]string) *TagSet {
	if len(tags) == 0 {
		if t == nil {
			return &TagSet{}
		}
		return t
	}
	if t.Len() == 0 {
		return NewTagSet(tags)
	}
	var small [8]string
	added := small[:0]
	for key := range tags {
		added = append(added, key)
	}
	sortSmall(added)

	merged := &TagSet{
		keys:   make([]string, 0, len(t.keys)+len(added)),
		values: make([]string, 0, len(t.keys)+len(added)),
	}
	i, j := 0, 0
	for i < len(t.keys) || j < len(added) {
		switch {
		case j == len(added) || (i < len(t.keys) && t.keys[i] < added[j]):
			merged.keys = append(merged.keys, t.keys[i])
			merged.values = append(merged.values, t.values[i])
			i++
		default:
			if i < len(t.keys) && t.keys[i] == added[j] {
				i++ // replaced by the new value
			}
			merged.keys = append(merged.keys, added[j])
			merged.values = append(merged.values, tags[added[j]])
			j++
		}
	}
	return merged
}

// sortSmall is an insertion sort: With() usually adds one to three tags.
func sortSmall(keys []string) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// Get returns a tag's value.
func (t *TagSet) Get(key string) (string, bool) {
	if t == nil {
		return "", false
	}
	// A linear scan compares lengths first, which beats binary search's string ordering on small sets.
	if len(t.keys) <= 16 {
		for i, k := range t.keys {
			if k == key {
				return t.values[i], true
			}
		}
		return "", false
	}
	i := sort.SearchStrings(t.keys, key)
	if i < len(t.keys) && t.keys[i] == key {
		return t.values[i], true
	}
	return "", false
}

// Map returns a copy as a map.
func (t *TagSet) Map() map[string]string {
	out := make(map[string]string, t.Len())
	if t != nil {
		for i, key := range t.keys {
			out[key] = t.values[i]
		}
	}
	return out
}

// Len returns the number of tags.
func (t *TagSet) Len() int {
	if t == nil {
		return 0
	}
	return len(t.keys)
}

// Range calls fn for every tag in key order until fn returns false.
func (t *TagSet) Range(fn func(key, value string) bool) {
	if t == nil {
		return
	}
	for i, key := range t.keys {
		if !fn(key, t.values[i]) {
			return
		}
	}
}
