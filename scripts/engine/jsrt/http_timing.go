package jsrt

import (
	"context"
	"crypto/tls"
	"net"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// hopTrace records one request hop's milestones through net/http/httptrace. The transport calls
// the hooks from its own goroutines (dialing happens off the caller's goroutine), hence the mutex.
type hopTrace struct {
	mu           sync.Mutex
	start        time.Time
	connectStart time.Time
	connectDone  time.Time
	tlsStart     time.Time
	tlsDone      time.Time
	gotConn      time.Time
	wroteRequest time.Time
	firstByte    time.Time
	conn         *countingConn
	reused       bool
	// Byte counts of conn when this hop got it; a fresh connection counts from zero so the TLS
	// handshake is part of the first request's data.
	baseRead, baseWritten int64
	remote                net.Addr
}

func (t *hopTrace) context(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectStart: func(string, string) {
			t.mu.Lock()
			if t.connectStart.IsZero() {
				t.connectStart = time.Now()
			}
			t.mu.Unlock()
		},
		ConnectDone: func(_, _ string, err error) {
			t.mu.Lock()
			if err == nil {
				t.connectDone = time.Now()
			}
			t.mu.Unlock()
		},
		TLSHandshakeStart: func() {
			t.mu.Lock()
			t.tlsStart = time.Now()
			t.mu.Unlock()
		},
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			t.mu.Lock()
			t.tlsDone = time.Now()
			t.mu.Unlock()
		},
		GotConn: func(info httptrace.GotConnInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.gotConn = time.Now()
			t.reused = info.Reused
			t.remote = info.Conn.RemoteAddr()
			t.conn = unwrapCountingConn(info.Conn)
			if t.conn != nil && info.Reused {
				t.baseRead, t.baseWritten = t.conn.counts()
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			t.mu.Lock()
			t.wroteRequest = time.Now()
			t.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			t.mu.Lock()
			t.firstByte = time.Now()
			t.mu.Unlock()
		},
	})
}

// httpTimings are a hop's phases in milliseconds, as k6 reports them.
type httpTimings struct {
	Blocked, Connecting, TLSHandshaking, Sending, Waiting, Receiving, Duration float64
}

// timings computes the phases once the body has been read (end). Phases that did not happen (a
// reused connection's connecting, a failed request's later phases) are 0.
func (t *hopTrace) timings(end time.Time) httpTimings {
	t.mu.Lock()
	defer t.mu.Unlock()
	span := func(from, to time.Time) time.Duration {
		if from.IsZero() || to.IsZero() || to.Before(from) {
			return 0
		}
		return to.Sub(from)
	}
	connecting := span(t.connectStart, t.connectDone)
	handshaking := span(t.tlsStart, t.tlsDone)
	gotConn := t.gotConn
	if gotConn.IsZero() {
		gotConn = end
	}
	blocked := max(span(t.start, gotConn)-connecting-handshaking, 0)
	sendingFrom := gotConn
	if t.tlsDone.After(sendingFrom) {
		sendingFrom = t.tlsDone
	}
	sending := span(sendingFrom, t.wroteRequest)
	waiting := span(t.wroteRequest, t.firstByte)
	receiving := span(t.firstByte, end)
	result := httpTimings{
		Blocked:        durationMilliseconds(blocked),
		Connecting:     durationMilliseconds(connecting),
		TLSHandshaking: durationMilliseconds(handshaking),
		Sending:        durationMilliseconds(sending),
		Waiting:        durationMilliseconds(waiting),
		Receiving:      durationMilliseconds(receiving),
	}
	// Summed as floats so duration === sending + waiting + receiving holds in the script too.
	result.Duration = result.Sending + result.Waiting + result.Receiving
	return result
}

// transferred returns the bytes this hop sent and received on its connection; ok is false when the
// connection is unknown or shared by concurrent streams (HTTP/2).
func (t *hopTrace) transferred() (sent, received int64, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn == nil {
		return 0, 0, false
	}
	read, written := t.conn.counts()
	return written - t.baseWritten, read - t.baseRead, true
}

// countingConn counts the bytes read from and written to a connection.
type countingConn struct {
	net.Conn
	read, written atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.written.Add(int64(n))
	return n, err
}

func (c *countingConn) counts() (read, written int64) {
	return c.read.Load(), c.written.Load()
}

func unwrapCountingConn(conn net.Conn) *countingConn {
	if tlsConn, ok := conn.(*tls.Conn); ok {
		conn = tlsConn.NetConn()
	}
	counting, _ := conn.(*countingConn)
	return counting
}
