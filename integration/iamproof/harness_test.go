// Package iamproof proves the generated IAM policy against moto with IAM
// enforcement on. It has its own moto server: once POST /moto-api/reset-auth
// is sent, moto checks every later request against IAM, which would break any
// other test sharing the server.
package iamproof

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

var (
	moto     *motoserver.Server
	recorder *requestRecorder
	front    *httptest.Server // the recording proxy the binary talks to
	binPath  string
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iamproof:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	bin, err := testbin.Build()
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(filepath.Dir(bin))
	binPath = bin
	s, err := motoserver.Start(os.Getenv("MOTO_LOG"))
	if err != nil {
		return 0, err
	}
	defer s.Stop()
	moto = s
	target, err := url.Parse(s.URL)
	if err != nil {
		return 0, err
	}
	recorder = &requestRecorder{}
	front = httptest.NewServer(recorder.proxy(target))
	defer front.Close()
	return m.Run(), nil
}

// request is one call the binary sent, as IAM sees it, and moto's answer.
type request struct {
	AccessKey string
	Action    string // signing name + ":" + operation, "" when not recognised
	Raw       string // method and path, for messages
	Status    int
	ErrorCode string // from the error body, "" on success
}

// requestRecorder is a reverse proxy in front of moto that records every
// request the binary makes. The IAM action of a request is its SigV4
// signing name (which equals the IAM service prefix for every service
// faultline calls, including rds for DocumentDB and cloudhsm for CloudHSM v2)
// and its operation: the X-Amz-Target of JSON-protocol calls, the Action
// form field of query-protocol calls, and a route table for the three
// REST-protocol services.
type requestRecorder struct {
	mu       sync.Mutex
	requests []request
}

var credentialPattern = regexp.MustCompile(`Credential=([^/]+)/[0-9]{8}/[^/]+/([^/]+)/aws4_request`)

// restRoutes maps the REST-protocol calls faultline makes to their operation
// (method, signing name and path prefix). A REST call not listed here is
// recorded with an empty Action and fails the coverage check.
var restRoutes = []struct {
	method, service, pathPrefix, operation string
}{
	{"GET", "lambda", "/2015-03-31/functions", "ListFunctions"},
	{"GET", "elasticfilesystem", "/2015-02-01/file-systems", "DescribeFileSystems"},
	{"GET", "elasticfilesystem", "/2015-02-01/mount-targets", "DescribeMountTargets"},
	{"GET", "es", "/2021-01-01/domain", "ListDomainNames"},
	{"POST", "es", "/2021-01-01/opensearch/domain-info", "DescribeDomains"},
	{"GET", "kafka", "/api/v2/clusters", "ListClustersV2"},
	{"GET", "mq", "/v1/brokers", "ListBrokers"},
	// After ListBrokers: the last route that matches names the call.
	{"GET", "mq", "/v1/brokers/", "DescribeBroker"},
}

// restPathRoutes are REST calls whose paths hold resource names (EKS), told
// apart by the whole path.
var restPathRoutes = []struct {
	method, service string
	path            *regexp.Regexp
	operation       string
}{
	{"GET", "eks", regexp.MustCompile(`^/clusters$`), "ListClusters"},
	{"GET", "eks", regexp.MustCompile(`^/clusters/[^/]+$`), "DescribeCluster"},
	{"GET", "eks", regexp.MustCompile(`^/clusters/[^/]+/node-groups$`), "ListNodegroups"},
	{"GET", "eks", regexp.MustCompile(`^/clusters/[^/]+/node-groups/[^/]+$`), "DescribeNodegroup"},
	{"GET", "route53", regexp.MustCompile(`^/2013-04-01/hostedzone$`), "ListHostedZones"},
	{"GET", "route53", regexp.MustCompile(`^/2013-04-01/hostedzone/[^/]+/rrset$`), "ListResourceRecordSets"},
}

func (rec *requestRecorder) proxy(target *url.URL) http.Handler {
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		r := resp.Request.Context().Value(requestKey{}).(*request)
		r.Status = resp.StatusCode
		if resp.StatusCode >= 400 {
			r.ErrorCode = errorCode(resp.StatusCode, resp.Header, body)
		}
		rec.mu.Lock()
		rec.requests = append(rec.requests, *r)
		rec.mu.Unlock()
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		r := identify(req, body)
		rp.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), requestKey{}, r)))
	})
}

// requestKey carries a request's record from the handler to ModifyResponse.
type requestKey struct{}

// identify names the IAM action of a request.
func identify(req *http.Request, body []byte) *request {
	r := &request{Raw: req.Method + " " + req.URL.Path}
	m := credentialPattern.FindStringSubmatch(req.Header.Get("Authorization"))
	if m == nil {
		return r
	}
	r.AccessKey = m[1]
	service := m[2]
	var op string
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		op = target[strings.LastIndexByte(target, '.')+1:]
	} else if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(body))
		if err == nil {
			op = form.Get("Action")
		}
	} else {
		for _, route := range restRoutes {
			if req.Method == route.method && service == route.service && strings.HasPrefix(req.URL.Path, route.pathPrefix) {
				op = route.operation
			}
		}
		for _, route := range restPathRoutes {
			if req.Method == route.method && service == route.service && route.path.MatchString(req.URL.Path) {
				op = route.operation
			}
		}
	}
	if op != "" {
		r.Action = service + ":" + op
	}
	return r
}

// errorCode reads the AWS error code of an error answer in any of the
// protocols: the x-amzn-ErrorType header, a JSON __type or code, or an XML
// <Code>.
func errorCode(status int, h http.Header, body []byte) string {
	clean := func(s string) string {
		s = s[strings.LastIndexByte(s, '#')+1:]
		if i := strings.IndexByte(s, ':'); i >= 0 {
			s = s[:i]
		}
		return s
	}
	if v := h.Get("X-Amzn-Errortype"); v != "" {
		return clean(v)
	}
	var j struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &j) == nil {
		if j.Type != "" {
			return clean(j.Type)
		}
		if j.Code != "" {
			return clean(j.Code)
		}
	}
	var x struct {
		Code  string `xml:"Code"`
		Error struct {
			Code string `xml:"Code"`
		} `xml:"Error"`
		Errors struct {
			Error struct {
				Code string `xml:"Code"`
			} `xml:"Error"`
		} `xml:"Errors"`
	}
	if xml.Unmarshal(body, &x) == nil {
		for _, c := range []string{x.Code, x.Error.Code, x.Errors.Error.Code} {
			if c != "" {
				return c
			}
		}
	}
	return fmt.Sprintf("HTTP%d", status)
}

// of returns the requests made with accessKey.
func (rec *requestRecorder) of(accessKey string) []request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []request
	for _, r := range rec.requests {
		if r.AccessKey == accessKey {
			out = append(out, r)
		}
	}
	return out
}

func (rec *requestRecorder) all() []request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]request(nil), rec.requests...)
}

// scanResult is one run of the binary.
type scanResult struct {
	code   int
	stderr string
	report map[string][]string // run-report rows by service
	names  [][]string          // findings rows: account_name, payer id, payer name
}

// runScan runs faultline scan with keys through the recording proxy, one
// attempt per call (a refused call is not worth retrying, and retries would
// only slow the test).
func runScan(t *testing.T, keys motoserver.Keys, args ...string) scanResult {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(binPath, append([]string{"scan", "-o", dir + "/", "--log-format", "json", "--task-timeout", "60s"}, args...)...)
	cmd.Env = append(testbin.CleanEnv(), (&motoserver.Server{URL: front.URL}).Env(keys)...)
	cmd.Env = append(cmd.Env, "AWS_MAX_ATTEMPTS=1")
	r := testbin.Run(t, cmd)
	res := scanResult{code: r.Code, stderr: r.Stderr, report: map[string][]string{}}
	if r.ReportPath != "" {
		for _, row := range testbin.ReadCSV(t, r.ReportPath)[1:] {
			res.report[row[2]] = row
		}
	}
	if r.FindingsPath != "" {
		for _, row := range testbin.ReadCSV(t, r.FindingsPath)[1:] {
			res.names = append(res.names, row[3:6])
		}
	}
	return res
}

// runPolicy runs faultline policy and returns its standard output.
func runPolicy(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"policy"}, args...)...)
	cmd.Env = testbin.CleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("faultline policy %v: %v", args, err)
	}
	return out
}
