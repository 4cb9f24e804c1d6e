package lambdaemu

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// FaultProxy stands between functions and the local AWS, passing every
// request on unless a rule fails or delays it: what S3 or DynamoDB do on a
// bad day, which the local AWS never does.
type FaultProxy struct {
	proxy *httputil.ReverseProxy

	mu    sync.Mutex
	rules []*Rule
	calls map[string]int // by service and operation, e.g. "s3 PutObject"
}

// Rule fails or delays the requests it matches.
type Rule struct {
	// Service is "s3" or "dynamodb"; Operation the S3 method and path
	// kind ("PutObject" for a PUT of an object) or the DynamoDB target
	// action ("BatchGetItem"); empty matches any.
	Service, Operation string
	// Contains, if set, must occur in the request body.
	Contains string
	// Nth fails the nth matching request (1-based), Times in a row from
	// there; Nth 0 matches every one (Times is then ignored).
	Nth, Times int
	// Status and Code are the error answered; default 403 AccessDenied,
	// which the SDK does not retry.
	Status int
	Code   string
	// Delay holds the request this long before passing it on, instead of
	// failing it.
	Delay time.Duration

	seen, fired int
}

// NewFaultProxy returns a proxy to the local AWS at target.
func NewFaultProxy(target string) (*FaultProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	return &FaultProxy{proxy: httputil.NewSingleHostReverseProxy(u), calls: map[string]int{}}, nil
}

// Add adds a rule.
func (p *FaultProxy) Add(r *Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, r)
}

// Reset removes the rules and the counts.
func (p *FaultProxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
	p.calls = map[string]int{}
}

// Fired returns how many requests the rules failed or delayed.
func (p *FaultProxy) Fired() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.rules {
		n += r.fired
	}
	return n
}

// Calls returns how many requests of an operation ("s3 PutObject",
// "dynamodb BatchGetItem") passed through.
func (p *FaultProxy) Calls(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[op]
}

// classify names a request's service and operation.
func classify(r *http.Request) (service, op string) {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		svc, action, _ := strings.Cut(t, ".")
		switch {
		case strings.HasPrefix(svc, "DynamoDB"):
			return "dynamodb", action
		case strings.HasPrefix(svc, "Kinesis"):
			return "kinesis", action
		}
		return strings.ToLower(svc), action
	}
	auth := r.Header.Get("Authorization")
	if strings.Contains(auth, "/s3/") {
		switch {
		case r.Method == http.MethodPut && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1:
			return "s3", "PutObject"
		case r.Method == http.MethodGet:
			return "s3", "Get"
		}
		return "s3", r.Method
	}
	return "", r.Method
}

// ServeHTTP applies the rules and passes the request on.
func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	service, op := classify(r)
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	p.mu.Lock()
	p.calls[service+" "+op]++
	var hit *Rule
	for _, rule := range p.rules {
		if rule.Service != "" && rule.Service != service || rule.Operation != "" && rule.Operation != op {
			continue
		}
		if rule.Contains != "" && !bytes.Contains(body, []byte(rule.Contains)) {
			continue
		}
		rule.seen++
		if rule.Nth == 0 || rule.seen >= rule.Nth && rule.seen < rule.Nth+max(rule.Times, 1) {
			rule.fired++
			hit = rule
			break
		}
	}
	p.mu.Unlock()
	if hit != nil && hit.Delay > 0 {
		time.Sleep(hit.Delay)
		hit = nil
	}
	if hit == nil {
		p.proxy.ServeHTTP(w, r)
		return
	}
	status, code := hit.Status, hit.Code
	if status == 0 {
		status, code = http.StatusForbidden, "AccessDenied"
	}
	if service == "s3" {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>injected fault</Message><RequestId>fault</RequestId></Error>`)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if code == "AccessDenied" {
		code = "AccessDeniedException"
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#`+code+`","message":"injected fault"}`)
}
