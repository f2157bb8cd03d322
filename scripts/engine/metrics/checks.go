package metrics

import (
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// groupSeparator joins group names into a group path, as k6 does: "::outer::inner".
const groupSeparator = "::"

// checkTally counts check results by group path and check name, in order of first appearance.
type checkTally struct {
	checks sync.Map // checkKey -> *checkCount
	groups sync.Map // group path -> first-seen sequence number
	seq    atomic.Int64
}

type checkKey struct{ group, name string }

type checkCount struct {
	seq           int64
	passes, fails atomic.Int64
}

func (t *checkTally) addCheck(tags *TagSet, passed bool) {
	name, _ := tags.Get("check")
	group, _ := tags.Get("group")
	key := checkKey{group: group, name: name}
	value, ok := t.checks.Load(key)
	if !ok {
		t.addGroupPath(group)
		value, _ = t.checks.LoadOrStore(key, &checkCount{seq: t.seq.Add(1)})
	}
	count := value.(*checkCount)
	if passed {
		count.passes.Add(1)
	} else {
		count.fails.Add(1)
	}
}

// addGroup registers the group of a group_duration sample, so that groups without checks appear.
func (t *checkTally) addGroup(tags *TagSet) {
	group, _ := tags.Get("group")
	t.addGroupPath(group)
}

func (t *checkTally) addGroupPath(path string) {
	if _, ok := t.groups.Load(path); ok {
		return
	}
	// Register the ancestors first so that they sort before their children.
	if cut := strings.LastIndex(path, groupSeparator); cut > 0 {
		t.addGroupPath(path[:cut])
	}
	t.groups.LoadOrStore(path, t.seq.Add(1))
}

// rootGroup builds k6's root_group: {name, path, id, groups, checks}, nested by group path.
func (t *checkTally) rootGroup() map[string]any {
	type groupNode struct {
		seq    int64
		group  map[string]any
		groups []*groupNode
		checks []checkEntry
	}
	nodes := map[string]*groupNode{"": {group: newGroup("", "")}}
	var paths []string
	t.groups.Range(func(key, value any) bool {
		if path := key.(string); path != "" {
			paths = append(paths, path)
			name := path
			if cut := strings.LastIndex(path, groupSeparator); cut >= 0 {
				name = path[cut+len(groupSeparator):]
			}
			nodes[path] = &groupNode{seq: value.(int64), group: newGroup(name, path)}
		}
		return true
	})
	// Parents were registered before their children: attach in first-seen order.
	sort.Slice(paths, func(i, j int) bool { return nodes[paths[i]].seq < nodes[paths[j]].seq })
	for _, path := range paths {
		parentPath := ""
		if cut := strings.LastIndex(path, groupSeparator); cut > 0 {
			parentPath = path[:cut]
		}
		parent := nodes[parentPath]
		if parent == nil {
			parent = nodes[""]
		}
		parent.groups = append(parent.groups, nodes[path])
	}

	t.checks.Range(func(key, value any) bool {
		k, count := key.(checkKey), value.(*checkCount)
		node := nodes[k.group]
		if node == nil {
			node = nodes[""]
		}
		node.checks = append(node.checks, checkEntry{key: k, count: count})
		return true
	})

	var build func(node *groupNode) map[string]any
	build = func(node *groupNode) map[string]any {
		groups := make([]any, 0, len(node.groups))
		for _, child := range node.groups {
			groups = append(groups, build(child))
		}
		sort.Slice(node.checks, func(i, j int) bool { return node.checks[i].count.seq < node.checks[j].count.seq })
		checks := make([]any, 0, len(node.checks))
		for _, check := range node.checks {
			path := check.key.group + groupSeparator + check.key.name
			checks = append(checks, map[string]any{
				"name":   check.key.name,
				"path":   path,
				"id":     md5Hex(path),
				"passes": check.count.passes.Load(),
				"fails":  check.count.fails.Load(),
			})
		}
		node.group["groups"] = groups
		node.group["checks"] = checks
		return node.group
	}
	return build(nodes[""])
}

type checkEntry struct {
	key   checkKey
	count *checkCount
}

func newGroup(name, path string) map[string]any {
	return map[string]any{"name": name, "path": path, "id": md5Hex(path)}
}

func md5Hex(text string) string {
	sum := md5.Sum([]byte(text))
	return hex.EncodeToString(sum[:])
}
