package jsrt

import (
	"maps"

	"bulwark.dev/engine/metrics"
)

// vuTags are the tags every sample of a VU carries: the activation's tags (scenario included, and
// whatever exec.vu.tags sets) plus the current group path. The set is rebuilt only when they change.
type vuTags struct {
	base  map[string]string
	group string
	set   *metrics.TagSet
}

func newVUTags() *vuTags {
	tags := &vuTags{base: map[string]string{}}
	tags.rebuild()
	return tags
}

func (t *vuTags) rebuild() {
	withGroup := maps.Clone(t.base)
	withGroup["group"] = t.group
	t.set = metrics.NewTagSet(withGroup)
}

func (t *vuTags) current() *metrics.TagSet { return t.set }

func (t *vuTags) reset(base map[string]string) {
	t.base = maps.Clone(base)
	if t.base == nil {
		t.base = map[string]string{}
	}
	t.group = ""
	t.rebuild()
}

func (t *vuTags) setGroup(path string) {
	t.group = path
	t.rebuild()
}

func (t *vuTags) setTag(key, value string) {
	t.base[key] = value
	t.rebuild()
}

func (t *vuTags) remove(key string) {
	delete(t.base, key)
	t.rebuild()
}
