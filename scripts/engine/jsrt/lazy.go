package jsrt

import "github.com/dop251/goja"

// A k6 module's members (and console's methods) are made on first use: a VU of a scenario that calls
// only http.request and check makes two function objects, not thirty. The tables are shared by all
// VUs; what a VU has made is kept, so `http.get === http.get`.
type member struct {
	name string
	make func(v *VU) goja.Value
}

type memberTable struct {
	members []member
	index   map[string]int
}

func newMemberTable(members ...member) *memberTable {
	table := &memberTable{members: members, index: make(map[string]int, len(members))}
	for i, m := range members {
		table.index[m.name] = i
	}
	return table
}

// function wraps a Go function as a member.
func function(name string, fn func(v *VU) func(goja.FunctionCall) goja.Value) member {
	return member{name: name, make: func(v *VU) goja.Value { return v.rt.ToValue(fn(v)) }}
}

// lazyMembers is a goja.DynamicObject over a member table. Assignment and deletion work as on a
// plain object (all properties writable, enumerable and configurable); names the table does not
// have are kept in the order they were added.
type lazyMembers struct {
	v     *VU
	table *memberTable
	made  []goja.Value // by table index; nil: not made yet
	gone  []bool       // by table index: deleted by the script
	added map[string]goja.Value
	order []string // names in added, in the order they were added
}

func (v *VU) newLazyMembers(table *memberTable) *lazyMembers {
	return &lazyMembers{v: v, table: table}
}

func (l *lazyMembers) Get(key string) goja.Value {
	if i, ok := l.table.index[key]; ok {
		if l.gone != nil && l.gone[i] {
			return nil
		}
		if l.made == nil {
			l.made = make([]goja.Value, len(l.table.members))
		}
		if l.made[i] == nil {
			l.made[i] = l.table.members[i].make(l.v)
		}
		return l.made[i]
	}
	return l.added[key] // nil when absent
}

func (l *lazyMembers) Set(key string, value goja.Value) bool {
	if i, ok := l.table.index[key]; ok {
		if l.made == nil {
			l.made = make([]goja.Value, len(l.table.members))
		}
		l.made[i] = value
		if l.gone != nil {
			l.gone[i] = false
		}
		return true
	}
	if l.added == nil {
		l.added = map[string]goja.Value{}
	}
	if _, exists := l.added[key]; !exists {
		l.order = append(l.order, key)
	}
	l.added[key] = value
	return true
}

func (l *lazyMembers) Has(key string) bool {
	if i, ok := l.table.index[key]; ok {
		return l.gone == nil || !l.gone[i]
	}
	_, ok := l.added[key]
	return ok
}

func (l *lazyMembers) Delete(key string) bool {
	if i, ok := l.table.index[key]; ok {
		if l.gone == nil {
			l.gone = make([]bool, len(l.table.members))
		}
		l.gone[i] = true
		if l.made != nil {
			l.made[i] = nil
		}
		return true
	}
	if _, ok := l.added[key]; ok {
		delete(l.added, key)
		l.removeFromOrder(key)
	}
	return true
}

func (l *lazyMembers) removeFromOrder(key string) {
	for i, name := range l.order {
		if name == key {
			l.order = append(l.order[:i], l.order[i+1:]...)
			return
		}
	}
}

func (l *lazyMembers) Keys() []string {
	keys := make([]string, 0, len(l.table.members)+len(l.order))
	for i, m := range l.table.members {
		if l.gone == nil || !l.gone[i] {
			keys = append(keys, m.name)
		}
	}
	return append(keys, l.order...)
}

// newLazyModule is a module object: its members are on its prototype, a lazy object, so esbuild's
// __toESM (which copies every own property of a module into a new object as a getter, one arrow
// function each, for every import of the module) copies nothing; the copy's prototype is the same
// lazy object, so `import http from "k6/http"`, `import * as http` and `import { get }` all reach the
// same members. `"get" in http` and `for (k in http)` see them; Object.keys(http) is empty.
func (v *VU) newLazyModule(table *memberTable) *goja.Object {
	module := v.rt.NewObject()
	_ = module.SetPrototype(v.rt.NewDynamicObject(v.newLazyMembers(table)))
	return module
}
