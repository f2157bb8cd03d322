package jsrt

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bulwark.dev/engine/metrics"
)

// httpClient is a VU's HTTP client: one transport (connections reused by this VU only) and one
// cookie jar. Redirects are followed by do(), hop by hop, so each hop has its own timings and samples.
type httpClient struct {
	transport *http.Transport
	jar       http.CookieJar
	client    *http.Client
	userAgent string
}

const (
	defaultHTTPTimeout  = 60 * time.Second
	defaultMaxRedirects = 10
	defaultUserAgent    = "bulwark-engine"
)

func newHTTPClient(v *VU) *httpClient {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, address)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: conn}, nil
		},
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: v.env.InsecureSkipTLSVerify}, //nolint:gosec // the script's option
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: 10000,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	jar, _ := cookiejar.New(nil)
	userAgent := v.env.UserAgent
	if userAgent == "" {
		userAgent = defaultUserAgent
	}
	return &httpClient{
		transport: transport,
		jar:       jar,
		client:    clientWith(transport, jar),
		userAgent: userAgent,
	}
}

func clientWith(transport http.RoundTripper, jar http.CookieJar) *http.Client {
	return &http.Client{
		Transport:     transport,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (c *httpClient) close() { c.transport.CloseIdleConnections() }

// httpRequest is a request as the script described it, converted to Go on the VU's goroutine.
type httpRequest struct {
	method       string
	url          *url.URL      // without userinfo
	user         *url.Userinfo // the URL's userinfo, sent as basic auth
	body         []byte
	hasBody      bool
	headers      http.Header
	cookies      []*http.Cookie
	jar          http.CookieJar // nil: the VU's jar
	tags         map[string]string
	timeout      time.Duration
	maxRedirects int
	responseType string // text, binary or none
	discardBody  bool
	expected     *statusRanges // nil: no expected_response tag and no http_req_failed
	baseTags     *metrics.TagSet
}

// httpHop is one request/response exchange of a (possibly redirected) request.
type httpHop struct {
	method         string
	url            *url.URL
	requestHeaders http.Header
	requestBody    []byte
	status         int
	statusText     string
	proto          string
	headers        http.Header
	cookies        []*http.Cookie
	body           []byte
	timings        httpTimings
	errorText      string
	errorCode      int
	remoteIP       string
	remotePort     int
	sent, received int64
	end            time.Time
	urlText        string // url.String(), made once
}

// urlString is the hop's URL as text (tags and response.url).
func (h *httpHop) urlString() string {
	if h.urlText == "" {
		h.urlText = h.url.String()
	}
	return h.urlText
}

// do sends the request, following redirects up to its limit, and returns every hop (the last one is
// the response). Samples are emitted per hop unless ctx (the VU's call) ended meanwhile.
func (c *httpClient) do(parent context.Context, v *VU, request *httpRequest) []*httpHop {
	ctx, cancel := context.WithTimeout(parent, request.timeout)
	defer cancel()
	client := c.client
	if request.jar != nil {
		client = clientWith(c.transport, request.jar)
	}
	method, target, body, hasBody := request.method, request.url, request.body, request.hasBody
	headers := request.headers.Clone()
	var hops []*httpHop
	for redirects := 0; ; redirects++ {
		hop := c.exchange(ctx, client, request, method, target, headers, body, hasBody, redirects == 0)
		hops = append(hops, hop)
		if parent.Err() == nil {
			v.emitHTTPSamples(request, hop)
		}
		location := hop.headers.Get("Location")
		if hop.errorCode != 0 || !isRedirect(hop.status) || location == "" {
			return hops
		}
		if redirects >= request.maxRedirects {
			v.log("warn", "Stopped after "+strconv.Itoa(redirects)+" redirects and returned the redirection; "+
				method+" "+target.String(), map[string]string{"source": "engine"})
			return hops
		}
		next, err := target.Parse(location)
		if err != nil {
			hop.errorText, hop.errorCode = "invalid redirect location", errorCodeGeneric
			return hops
		}
		next.User = nil
		if next.Host != target.Host {
			headers.Del("Authorization")
			headers.Del("Cookie")
		}
		if hop.status == http.StatusSeeOther && method != http.MethodHead ||
			(hop.status == http.StatusMovedPermanently || hop.status == http.StatusFound) && method == http.MethodPost {
			method, body, hasBody = http.MethodGet, nil, false
			headers.Del("Content-Type")
			headers.Del("Content-Length")
		}
		target = next
	}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// exchange sends one hop and reads its body.
func (c *httpClient) exchange(ctx context.Context, client *http.Client, request *httpRequest, method string,
	target *url.URL, headers http.Header, body []byte, hasBody, first bool) *httpHop {
	hop := &httpHop{method: method, url: target}
	if hasBody {
		hop.requestBody = body
	}
	trace := &hopTrace{}
	var bodyReader io.Reader
	if hasBody {
		bodyReader = bytes.NewReader(body)
	}
	// The URL is already parsed: an empty one here, then a copy of target (no second parse of its text).
	outgoing, err := http.NewRequestWithContext(trace.context(ctx), method, "", bodyReader)
	if err != nil {
		hop.errorText, hop.errorCode = err.Error(), errorCodeInvalidURL
		hop.end = time.Now()
		return hop
	}
	requestURL := *target
	outgoing.URL = &requestURL
	outgoing.Host = strings.TrimSuffix(target.Host, ":")
	outgoing.Header = headers.Clone()
	if host := headers.Get("Host"); host != "" {
		outgoing.Host = host
	}
	if outgoing.Header.Get("User-Agent") == "" {
		outgoing.Header.Set("User-Agent", c.userAgent)
	}
	if first && request.user != nil {
		password, _ := request.user.Password()
		outgoing.SetBasicAuth(request.user.Username(), password)
	}
	for _, cookie := range request.cookies {
		outgoing.AddCookie(cookie)
	}
	hop.requestHeaders = outgoing.Header.Clone()

	trace.start = time.Now()
	response, err := client.Do(outgoing)
	if err != nil {
		hop.end = time.Now()
		hop.errorCode, hop.errorText = classifyHTTPError(ctx, err)
		hop.timings = trace.timings(hop.end)
		c.fillTransfer(hop, trace)
		return hop
	}
	hop.status = response.StatusCode
	hop.statusText = response.Status
	hop.proto = response.Proto
	hop.headers = response.Header
	hop.cookies = response.Cookies()
	if request.responseType == "none" || request.discardBody || isRedirect(response.StatusCode) {
		_, err = io.Copy(io.Discard, response.Body)
	} else {
		hop.body, err = io.ReadAll(response.Body)
	}
	response.Body.Close()
	hop.end = time.Now()
	if err != nil {
		hop.errorCode, hop.errorText = classifyHTTPError(ctx, err)
	}
	hop.timings = trace.timings(hop.end)
	c.fillTransfer(hop, trace)
	if response.ProtoMajor >= 2 {
		hop.sent, hop.received = estimatedTransfer(outgoing, hop)
	}
	return hop
}

func (c *httpClient) fillTransfer(hop *httpHop, trace *hopTrace) {
	if sent, received, ok := trace.transferred(); ok {
		hop.sent, hop.received = sent, received
	}
	if tcp, ok := trace.remote.(*net.TCPAddr); ok {
		hop.remoteIP, hop.remotePort = tcp.IP.String(), tcp.Port
	}
}

// estimatedTransfer approximates an HTTP/2 hop's bytes (its connection is shared by concurrent
// streams, so connection counters cannot be attributed): header lines plus bodies.
func estimatedTransfer(request *http.Request, hop *httpHop) (sent, received int64) {
	sent = int64(len(request.Method) + len(request.URL.RequestURI()) + len(request.Host) + len(hop.requestBody))
	for name, values := range request.Header {
		for _, value := range values {
			sent += int64(len(name) + len(value) + 4)
		}
	}
	received = int64(len(hop.body))
	for name, values := range hop.headers {
		for _, value := range values {
			received += int64(len(name) + len(value) + 4)
		}
	}
	return sent, received
}

// Error codes, after k6's documented table:
//
//	1000 generic error (also a request cut off because the iteration ended)
//	1020 invalid URL
//	1050 request timeout (params.timeout reached)
//	1100 DNS error; 1101 no IP found for the host
//	1200 TCP dial error; 1210 connection refused; 1211 dial timeout
//	1220 connection reset by peer; 1230 broken pipe; 1240 unexpected EOF (connection closed)
//	1300 TLS error; 1310 unknown certificate authority; 1311 certificate hostname mismatch
const (
	errorCodeGeneric           = 1000
	errorCodeInvalidURL        = 1020
	errorCodeTimeout           = 1050
	errorCodeDNS               = 1100
	errorCodeNoSuchHost        = 1101
	errorCodeDial              = 1200
	errorCodeConnectionRefused = 1210
	errorCodeDialTimeout       = 1211
	errorCodeConnectionReset   = 1220
	errorCodeBrokenPipe        = 1230
	errorCodeUnexpectedEOF     = 1240
	errorCodeTLS               = 1300
	errorCodeUnknownAuthority  = 1310
	errorCodeHostnameMismatch  = 1311
)

// classifyHTTPError returns the error code and message of a failed hop. Messages come from the
// transport without the request URL (the URL never carries userinfo here anyway).
func classifyHTTPError(ctx context.Context, err error) (int, string) {
	var urlError *url.Error
	if errors.As(err, &urlError) {
		err = urlError.Err
	}
	message := err.Error()
	if ctx.Err() == context.DeadlineExceeded {
		return errorCodeTimeout, "request timeout"
	}
	if ctx.Err() != nil {
		return errorCodeGeneric, "request canceled: " + ctx.Err().Error()
	}
	var dnsError *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameMismatch x509.HostnameError
	switch {
	case errors.As(err, &dnsError) && dnsError.IsNotFound:
		return errorCodeNoSuchHost, message
	case dnsError != nil:
		return errorCodeDNS, message
	case errors.As(err, &unknownAuthority):
		return errorCodeUnknownAuthority, message
	case errors.As(err, &hostnameMismatch):
		return errorCodeHostnameMismatch, message
	case strings.Contains(message, "connection refused"):
		return errorCodeConnectionRefused, message
	case strings.Contains(message, "connection reset"):
		return errorCodeConnectionReset, message
	case strings.Contains(message, "broken pipe"):
		return errorCodeBrokenPipe, message
	case strings.Contains(message, "EOF"):
		return errorCodeUnexpectedEOF, message
	case strings.Contains(message, "tls:"):
		return errorCodeTLS, message
	case strings.HasPrefix(message, "dial ") && strings.Contains(message, "timeout"):
		return errorCodeDialTimeout, message
	case strings.HasPrefix(message, "dial "):
		return errorCodeDial, message
	}
	return errorCodeGeneric, message
}
