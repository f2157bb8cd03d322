package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Log kinds (the "kind" field of a log line).
const (
	kindInit      = "init"
	kindSetup     = "setup"
	kindTeardown  = "teardown"
	kindSummary   = "summary"
	kindIteration = "iteration"
	kindThreshold = "threshold"
	kindUsage     = "usage"
	kindInternal  = "internal"
)

// logger writes one line per message to stderr:
// {"time":"…","level":"info|warn|error","msg":"…","source":"console|engine","kind":"…","at":"file.ts:12:5"}
// (json, empty fields left out, other fields after these in key order) or a plain text line.
// Debug messages (console.debug) are dropped, as k6 does without --verbose.
type logger struct {
	mu   sync.Mutex
	out  io.Writer
	text bool
	// phase is the kind given to console output, which does not know where it runs.
	phase atomic.Value // string
}

func newLogger(out io.Writer, format string) *logger {
	l := &logger{out: out, text: format == "text"}
	l.phase.Store(kindInit)
	return l
}

func (l *logger) setPhase(kind string) { l.phase.Store(kind) }

// log has jsrt.Logger's signature: VUs and the scheduler log through it.
func (l *logger) log(level, message string, fields map[string]string) {
	if level == "debug" {
		return
	}
	source, kind, at := fields["source"], fields["kind"], fields["at"]
	if source == "" {
		source = "engine"
	}
	if kind == "" {
		kind = l.phase.Load().(string)
	}
	var extra []string
	for key := range fields {
		if key != "source" && key != "kind" && key != "at" && fields[key] != "" {
			extra = append(extra, key)
		}
	}
	sort.Strings(extra)
	now := time.Now().UTC().Format(time.RFC3339Nano)

	var line []byte
	if l.text {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %-5s %s", now, strings.ToUpper(level), message)
		if at != "" {
			fmt.Fprintf(&b, " (at %s)", at)
		}
		fmt.Fprintf(&b, " [%s/%s", source, kind)
		for _, key := range extra {
			fmt.Fprintf(&b, " %s=%s", key, fields[key])
		}
		b.WriteString("]\n")
		line = []byte(b.String())
	} else {
		line = append(line, `{"time":`...)
		line = appendJSON(line, now)
		for _, kv := range [][2]string{{"level", level}, {"msg", message}, {"source", source}, {"kind", kind}, {"at", at}} {
			if kv[1] != "" {
				line = append(line, ',')
				line = appendJSON(line, kv[0])
				line = append(line, ':')
				line = appendJSON(line, kv[1])
			}
		}
		for _, key := range extra {
			line = append(line, ',')
			line = appendJSON(line, key)
			line = append(line, ':')
			line = appendJSON(line, fields[key])
		}
		line = append(line, "}\n"...)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.out.Write(line)
}

func (l *logger) info(kind, message string) {
	l.log("info", message, map[string]string{"kind": kind})
}

func (l *logger) warn(kind, message string) {
	l.log("warn", message, map[string]string{"kind": kind})
}

func (l *logger) error(kind, message, at string) {
	l.log("error", message, map[string]string{"kind": kind, "at": at})
}

// appendJSON appends s as a JSON string, leaving <, > and & as they are.
func appendJSON(buffer []byte, s string) []byte {
	var b bytes.Buffer
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(false)
	_ = encoder.Encode(s)
	return append(buffer, bytes.TrimRight(b.Bytes(), "\n")...)
}
