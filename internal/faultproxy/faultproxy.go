// Package faultproxy is a reverse proxy on a loopback port that sits between
// faultline and an AWS endpoint (moto in the tests and the benchmark). It
// can add latency, answer a fraction of requests with throttling errors or
// HTTP 500/503 in each protocol's own error shape, deny or hang whole
// services, count requests per service and operation, and record answers to
// serve them again from memory.
//
// The service is read from the SigV4 credential scope of the Authorization
// header (the signing name: rds, ec2, lambda, elasticfilesystem, ...), the
// operation from X-Amz-Target, the query protocol's Action parameter, or the
// REST method and path.
package faultproxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Faults say what the proxy does to requests. The zero value forwards
// everything unchanged.
type Faults struct {
	// Latency is added before every answer (forwarded or replayed).
	Latency time.Duration
	// Throttle is the fraction of requests (0..1) answered with the
	// protocol's throttling error.
	Throttle float64
	// ServerError is the fraction of requests answered with HTTP 500 or 503
	// (alternately, by the same deterministic draw).
	ServerError float64
	// ThrottleFirst services have the first of each of their identical
	// requests throttled, whatever the draws: a test of retries can count
	// on some (the draws depend on request bodies, which hold IDs that
	// change from run to run).
	ThrottleFirst []string
	// Only, when set, limits Throttle and ServerError to these services.
	Only []string
	// Exempt services, or "service Operation" pairs, never get Throttle or
	// ServerError faults (e.g. "sts", so that a test can reason about the
	// scan's own calls alone).
	Exempt []string
	// Deny services are always refused with their access-error code.
	Deny []string
	// DenyCalls refuse single calls the same way: "service Operation" and,
	// optionally, a third word the request body must contain. "sts
	// AssumeRole 222222222222" refuses every AssumeRole into that account
	// (the role ARN's digits are not URL-encoded in the body).
	DenyCalls []string
	// Hang services are never answered: the request is held until the
	// client gives up or the proxy is closed.
	Hang []string
	// Seed makes the fault draws reproducible. A draw depends only on the
	// seed, the request and how many identical requests came before it, so
	// it does not depend on how concurrent requests interleave.
	Seed uint64
}

// Mode is how the proxy gets answers.
type Mode int

const (
	// Forward sends every request upstream.
	Forward Mode = iota
	// Record forwards and keeps the first answer to each (account, request).
	Record
	// Replay serves recorded answers from memory; a request never recorded
	// is forwarded (and counted in Stats.Misses).
	Replay
)

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	URL string // http://127.0.0.1:PORT

	upstream *url.URL
	rp       *httputil.ReverseProxy
	srv      *http.Server
	ln       net.Listener
	closed   chan struct{}
	served   sync.WaitGroup

	mu       sync.Mutex
	faults   Faults
	mode     Mode
	counts   map[string]int // "service operation" -> requests
	regional map[string]int // "region service" -> requests
	upErrors int
	injected map[string]int // kind -> faults injected
	seen     map[[32]byte]int
	total    int
	misses   int
	hanging  int
	tape     map[string]*recorded
	keyOwner map[string]string // access key ID -> account, learnt from AssumeRole answers
}

type recorded struct {
	status int
	header http.Header
	body   []byte
}

// Start listens on a free loopback port and forwards to upstream.
func Start(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		URL: "http://" + ln.Addr().String(), upstream: u, ln: ln, closed: make(chan struct{}),
		counts: map[string]int{}, regional: map[string]int{}, injected: map[string]int{}, seen: map[[32]byte]int{},
		tape: map[string]*recorded{}, keyOwner: map[string]string{},
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) },
		// moto closes every connection; a fresh one per request keeps the
		// proxy from handing a request to a socket moto is closing.
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
		// A failed forward (moto reset the connection) is a 502 the
		// client retries; it is counted so that tests can tell it from an
		// injected fault.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.note("", func() { p.upErrors++ })
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the proxy, releasing hung requests first.
func (p *Proxy) Close() {
	select {
	case <-p.closed:
		return
	default:
	}
	close(p.closed)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.srv.Shutdown(ctx)
	p.served.Wait()
}

// Set replaces the faults and clears the fault draws' history.
func (p *Proxy) Set(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
	p.seen = map[[32]byte]int{}
}

// SetMode switches between forwarding, recording and replaying.
func (p *Proxy) SetMode(m Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
}

// Stats are the proxy's counters since the last Reset.
type Stats struct {
	Requests int            // every request received (attempts, not operations)
	ByOp     map[string]int // "service Operation" -> requests
	ByRegion map[string]int // "region service" -> requests (SigV4 scope)
	Upstream int            // requests that could not be forwarded (answered 502)
	Injected map[string]int // "Throttling", "HTTP500", "HTTP503", "Denied", "Hang" -> count
	Misses   int            // Replay: requests that were not on the tape
	Hanging  int            // requests held right now
}

// Stats returns a copy of the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Requests: p.total, ByOp: map[string]int{}, ByRegion: map[string]int{}, Injected: map[string]int{},
		Misses: p.misses, Hanging: p.hanging, Upstream: p.upErrors}
	for k, v := range p.regional {
		s.ByRegion[k] = v
	}
	for k, v := range p.counts {
		s.ByOp[k] = v
	}
	for k, v := range p.injected {
		s.Injected[k] = v
	}
	return s
}

// Count is the number of requests for service (and operation, unless "").
func (s Stats) Count(service, operation string) int {
	n := 0
	for k, v := range s.ByOp {
		svc, op, _ := strings.Cut(k, " ")
		if svc == service && (operation == "" || op == operation) {
			n += v
		}
	}
	return n
}

// String lists the counters, sorted, one "service Operation: n" per line.
func (s Stats) String() string {
	keys := make([]string, 0, len(s.ByOp))
	for k := range s.ByOp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %d\n", k, s.ByOp[k])
	}
	return b.String()
}

// ResetCounts zeroes the counters (not the tape).
func (p *Proxy) ResetCounts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts, p.regional, p.injected = map[string]int{}, map[string]int{}, map[string]int{}
	p.total, p.misses, p.upErrors = 0, 0, 0
}

// Request is what the proxy knows about one request.
type Request struct {
	Service   string // SigV4 signing name, "" when unsigned
	Region    string // SigV4 signing region
	Operation string
	AccessKey string
	Protocol  Protocol
}

// Protocol is an AWS wire protocol; it decides the shape of an error.
type Protocol int

const (
	Query    Protocol = iota // Action=..., XML errors (RDS, ElastiCache, STS, Redshift, IAM)
	EC2                      // EC2's own query dialect
	JSON                     // X-Amz-Target (awsJson1.0/1.1: FSx, DAX, MemoryDB, DMS, ...)
	RESTJSON                 // method + path (Lambda, EFS, OpenSearch)
	RESTXML                  // S3
)

var credentialScope = regexp.MustCompile(`Credential=([^/,\s]+)/[0-9]{8}/([^/]+)/([^/]+)/aws4_request`)

// Identify reads the service, operation and protocol of r; body is its
// (already read) body.
func Identify(r *http.Request, body []byte) Request {
	var q Request
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		q.AccessKey, q.Region, q.Service = m[1], m[2], m[3]
	}
	action := r.URL.Query().Get("Action")
	if action == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			action = v.Get("Action")
		}
	}
	switch target := r.Header.Get("X-Amz-Target"); {
	case target != "":
		q.Protocol = JSON
		q.Operation = target[strings.LastIndex(target, ".")+1:]
	case action != "":
		q.Protocol = Query
		if q.Service == "ec2" {
			q.Protocol = EC2
		}
		q.Operation = action
	case q.Service == "s3":
		q.Protocol = RESTXML
		q.Operation = r.Method + " " + r.URL.Path
	default:
		q.Protocol = RESTJSON
		q.Operation = r.Method + " " + restPath(r.URL.Path)
	}
	return q
}

// restPath keeps the static part of a REST path so that counts group by
// operation: /2015-03-31/functions/ and /2015-02-01/file-systems.
func restPath(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return strings.Join(parts, "/")
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.served.Add(1)
	defer p.served.Done()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := Identify(r, body)

	p.mu.Lock()
	f, mode := p.faults, p.mode
	p.total++
	p.counts[req.Service+" "+req.Operation]++
	p.regional[req.Region+" "+req.Service]++
	account := req.AccessKey
	if owner, ok := p.keyOwner[req.AccessKey]; ok {
		account = owner
	}
	key := tapeKey(account, req.Region, r, body)
	occurrence := p.seen[sha256.Sum256([]byte(key))]
	p.seen[sha256.Sum256([]byte(key))]++
	p.mu.Unlock()

	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-p.closed:
			t.Stop()
			return
		}
	}

	switch {
	case contains(f.Hang, req.Service):
		p.note("Hang", func() { p.hanging++ })
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
		p.note("", func() { p.hanging-- })
		return
	case contains(f.Deny, req.Service) || deniesCall(f.DenyCalls, req, body):
		p.note("Denied", nil)
		writeError(w, req, accessDenied(req))
		return
	case occurrence == 0 && contains(f.ThrottleFirst, req.Service):
		p.note("Throttling", nil)
		writeError(w, req, throttling(req))
		return
	case (f.Throttle > 0 || f.ServerError > 0) && (len(f.Only) == 0 || contains(f.Only, req.Service)) &&
		!contains(f.Exempt, req.Service) && !contains(f.Exempt, req.Service+" "+req.Operation):
		x := draw(f.Seed, key, occurrence)
		switch {
		case x < f.Throttle:
			p.note("Throttling", nil)
			writeError(w, req, throttling(req))
			return
		case x < f.Throttle+f.ServerError:
			e := serverError(req, occurrence%2 == 0)
			p.note(fmt.Sprintf("HTTP%d", e.status), nil)
			writeError(w, req, e)
			return
		}
	}

	if mode == Replay {
		p.mu.Lock()
		rec := p.tape[key]
		if rec == nil {
			p.misses++
		}
		p.mu.Unlock()
		if rec != nil {
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.status)
			_, _ = w.Write(rec.body)
			return
		}
	}
	if mode == Forward {
		p.rp.ServeHTTP(w, r)
		return
	}
	rw := &recorder{ResponseWriter: w, status: http.StatusOK}
	p.rp.ServeHTTP(rw, r)
	p.mu.Lock()
	defer p.mu.Unlock()
	// Everything upstream said is recorded, its errors too (moto's HTTP 500
	// for what it does not implement is as repeatable as a success); only a
	// failed forward (502, from the ErrorHandler) is not.
	if _, ok := p.tape[key]; !ok && rw.status != http.StatusBadGateway {
		h := w.Header().Clone()
		// Hop-by-hop and length headers belong to the recorded exchange;
		// the replaying server sets its own.
		for _, k := range []string{"Connection", "Content-Length", "Transfer-Encoding", "Date"} {
			h.Del(k)
		}
		p.tape[key] = &recorded{status: rw.status, header: h, body: rw.buf.Bytes()}
	}
	if req.Service == "sts" && req.Operation == "AssumeRole" && rw.status == http.StatusOK {
		p.learnKey(body, rw.buf.Bytes())
	}
}

// deniesCall reports whether one of the DenyCalls entries matches req.
func deniesCall(entries []string, req Request, body []byte) bool {
	for _, e := range entries {
		f := strings.Fields(e)
		if len(f) < 2 || f[0] != req.Service || f[1] != req.Operation {
			continue
		}
		if len(f) == 2 || bytes.Contains(body, []byte(f[2])) {
			return true
		}
	}
	return false
}

func (p *Proxy) note(kind string, f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if kind != "" {
		p.injected[kind]++
	}
	if f != nil {
		f()
	}
}

// tapeKey identifies a request by the account it acts as, the region it is
// signed for and everything that selects the answer; the signature and date
// headers are left out, so the same call made again (in a later run) has the
// same key. The region matters: every region's DescribeSubnets without a
// filter is the same request body, and each must get its own answer.
func tapeKey(account, region string, r *http.Request, body []byte) string {
	return account + "\x00" + region + "\x00" + r.Method + "\x00" + r.URL.Path + "\x00" + r.URL.RawQuery + "\x00" +
		r.Header.Get("X-Amz-Target") + "\x00" + string(body)
}

var (
	roleARNParam = regexp.MustCompile(`arn%3Aaws[^%]*%3Aiam%3A%3A([0-9]{12})%3A`)
	accessKeyXML = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)
)

// learnKey remembers which account an assumed role's access key acts as,
// so that its requests key on the account: a replayed AssumeRole hands out
// the recorded keys, and every key recorded for the account matches.
// Called with p.mu held.
func (p *Proxy) learnKey(reqBody, respBody []byte) {
	acct := roleARNParam.FindSubmatch(reqBody)
	key := accessKeyXML.FindSubmatch(respBody)
	if acct != nil && key != nil {
		p.keyOwner[string(key[1])] = "role:" + string(acct[1])
	}
}

// recorder copies a response as it is written.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

// draw is a number in [0,1) fixed by the seed, the request and its
// occurrence.
func draw(seed uint64, key string, occurrence int) float64 {
	h := sha256.New()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(occurrence))
	h.Write(b[:])
	h.Write([]byte(key))
	sum := h.Sum(nil)
	return float64(binary.LittleEndian.Uint64(sum[:8])>>11) / (1 << 53)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
