package metrics

import (
	"reflect"
	"testing"
)

func TestTagSet(t *testing.T) {
	base := NewTagSet(map[string]string{"scenario": "s", "method": "GET", "url": "http://x/"})
	if !reflect.DeepEqual(base.keys, []string{"method", "scenario", "url"}) {
		t.Fatalf("keys not sorted: %v", base.keys)
	}
	merged := base.With(map[string]string{"url": "http://y/", "a": "1", "z": "2"})
	if want := []string{"a", "method", "scenario", "url", "z"}; !reflect.DeepEqual(merged.keys, want) {
		t.Fatalf("merged keys %v, want %v", merged.keys, want)
	}
	if v, _ := merged.Get("url"); v != "http://y/" {
		t.Fatalf("With did not replace url: %q", v)
	}
	if v, _ := base.Get("url"); v != "http://x/" {
		t.Fatalf("With changed the receiver: %q", v)
	}
	if base.With(nil) != base {
		t.Fatal("With(nil) should return the receiver")
	}
	if _, ok := merged.Get("missing"); ok {
		t.Fatal("Get found a missing key")
	}
	if got := merged.Map(); !reflect.DeepEqual(got, map[string]string{"a": "1", "method": "GET", "scenario": "s", "url": "http://y/", "z": "2"}) {
		t.Fatalf("Map: %v", got)
	}
}

func TestTagSetNilIsEmpty(t *testing.T) {
	var empty *TagSet
	if _, ok := empty.Get("x"); ok || empty.Len() != 0 || len(empty.Map()) != 0 {
		t.Fatal("nil TagSet is not empty")
	}
	if got := empty.With(map[string]string{"k": "v"}); got.Len() != 1 {
		t.Fatalf("nil.With: %v", got.Map())
	}
}

func TestTagSetGetOnLargeSet(t *testing.T) {
	tags := map[string]string{}
	for _, key := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		tags[key] = key + "!"
	}
	set := NewTagSet(tags)
	for key, value := range tags {
		if got, ok := set.Get(key); !ok || got != value {
			t.Fatalf("Get(%q) = %q, %v", key, got, ok)
		}
	}
	if _, ok := set.Get("bb"); ok {
		t.Fatal("found bb")
	}
}
