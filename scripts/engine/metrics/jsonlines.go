package metrics

import (
	"bufio"
	"errors"
	"math"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	jsonLinesBufferSize = 256 << 10
	// jsonLinesFlushEvery bounds how stale a live reader of the stream (a named pipe) can be.
	jsonLinesFlushEvery = time.Second
	sampleTimeLayout    = "2006-01-02T15:04:05.000000000Z"
)

// JSONLines writes samples as k6-shaped JSON lines:
// {"metric":"http_reqs","type":"Point","data":{"time":"<RFC3339Nano UTC>","value":1,"tags":{...}}}
// Only the named metrics are written when Only is non-empty. Buffered (flushed every second too);
// Close flushes. A write error stops the stream and is returned by Close.
type JSONLines struct {
	only map[string]bool

	mu     sync.Mutex
	file   *os.File
	out    *bufio.Writer
	err    error
	closed bool

	stopFlusher chan struct{}
	flusherDone chan struct{}
}

var lineBuffers = sync.Pool{New: func() any { buffer := make([]byte, 0, 4096); return &buffer }}

// NewJSONLines opens (creates or truncates; a named pipe is opened for writing) the path.
func NewJSONLines(path string, only []string) (*JSONLines, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if info, err := os.Stat(path); err == nil && info.Mode()&os.ModeNamedPipe != 0 {
		flags = os.O_WRONLY
	}
	file, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	j := &JSONLines{
		file:        file,
		out:         bufio.NewWriterSize(file, jsonLinesBufferSize),
		stopFlusher: make(chan struct{}),
		flusherDone: make(chan struct{}),
	}
	if len(only) > 0 {
		j.only = make(map[string]bool, len(only))
		for _, name := range only {
			j.only[name] = true
		}
	}
	go j.flushPeriodically()
	return j, nil
}

func (j *JSONLines) Add(samples ...Sample) {
	bufferPointer := lineBuffers.Get().(*[]byte)
	buffer := (*bufferPointer)[:0]
	for i := range samples {
		sample := &samples[i]
		if sample.Metric == nil || (j.only != nil && !j.only[sample.Metric.Name]) {
			continue
		}
		buffer = appendSampleLine(buffer, sample)
	}
	if len(buffer) > 0 {
		j.mu.Lock()
		if !j.closed && j.err == nil {
			_, j.err = j.out.Write(buffer)
		}
		j.mu.Unlock()
	}
	if cap(buffer) <= 64<<10 {
		*bufferPointer = buffer
		lineBuffers.Put(bufferPointer)
	}
}

// Close flushes and closes the file; it returns the first write error of the stream.
func (j *JSONLines) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	close(j.stopFlusher)
	err := j.err
	if err == nil {
		err = j.out.Flush()
	}
	err = errors.Join(err, j.file.Close())
	j.mu.Unlock()
	<-j.flusherDone
	return err
}

func (j *JSONLines) flushPeriodically() {
	defer close(j.flusherDone)
	ticker := time.NewTicker(jsonLinesFlushEvery)
	defer ticker.Stop()
	for {
		select {
		case <-j.stopFlusher:
			return
		case <-ticker.C:
			j.mu.Lock()
			if !j.closed && j.err == nil && j.out.Buffered() > 0 {
				j.err = j.out.Flush()
			}
			j.mu.Unlock()
		}
	}
}

// appendSampleLine appends one line:
// {"metric":"m","type":"Point","data":{"time":"...","value":1,"tags":{"k":"v"}}}
func appendSampleLine(buffer []byte, sample *Sample) []byte {
	buffer = append(buffer, `{"metric":`...)
	buffer = appendJSONString(buffer, sample.Metric.Name)
	buffer = append(buffer, `,"type":"Point","data":{"time":"`...)
	buffer = sample.Time.UTC().AppendFormat(buffer, sampleTimeLayout)
	buffer = append(buffer, `","value":`...)
	if math.IsNaN(sample.Value) || math.IsInf(sample.Value, 0) {
		buffer = append(buffer, "null"...)
	} else {
		buffer = strconv.AppendFloat(buffer, sample.Value, 'f', -1, 64)
	}
	buffer = append(buffer, `,"tags":{`...)
	if tags := sample.Tags; tags != nil {
		for i, key := range tags.keys {
			if i > 0 {
				buffer = append(buffer, ',')
			}
			buffer = appendJSONString(buffer, key)
			buffer = append(buffer, ':')
			buffer = appendJSONString(buffer, tags.values[i])
		}
	}
	return append(buffer, "}}}\n"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped for JavaScript readers.
func appendJSONString(buffer []byte, s string) []byte {
	buffer = append(buffer, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buffer = append(buffer, s[start:i]...)
			switch b {
			case '"', '\\':
				buffer = append(buffer, '\\', b)
			case '\n':
				buffer = append(buffer, '\\', 'n')
			case '\r':
				buffer = append(buffer, '\\', 'r')
			case '\t':
				buffer = append(buffer, '\\', 't')
			default:
				buffer = append(buffer, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buffer = append(buffer, s[start:i]...)
			buffer = append(buffer, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buffer = append(buffer, s[start:i]...)
			buffer = append(buffer, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buffer = append(buffer, s[start:]...)
	return append(buffer, '"')
}
