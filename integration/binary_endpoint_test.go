package integration

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/faultline/faultline/internal/testbin"
)

// endpointEnv is a clean environment whose every call goes to url, with
// keys that no credentials file or instance role overrides.
func endpointEnv(url string) []string {
	return append(testbin.CleanEnv(),
		"AWS_ENDPOINT_URL="+url, "AWS_ACCESS_KEY_ID=AKIAFAULTLINETEST", "AWS_SECRET_ACCESS_KEY=wrong",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
}

// An endpoint nobody listens on is a connection failure, not a
// credentials problem: scan, flows and reach say which endpoint they could
// not reach, exit 1 and write nothing.
func TestBinaryEndpointUnreachable(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "f.log")
	if err := os.WriteFile(logFile, []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	const want = "faultline: cannot reach the AWS endpoint http://127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused\n"
	for _, args := range [][]string{
		{"scan", "-o", out, "-s", "lambda"},
		{"flows", logFile},
		{"reach", "--from", "ec2:i-0123456789abcdef0", "--to", "ec2:i-0123456789abcdef1", "--aws-assume-role", "reader"},
	} {
		cmd := exec.Command(binary(t), args...)
		cmd.Env = endpointEnv("http://127.0.0.1:1")
		r := testbin.Run(t, cmd)
		if r.Code != 1 || r.Stderr != want {
			t.Errorf("%s: exit %d, stderr\n%q\nwant exit 1 and\n%q", args[0], r.Code, r.Stderr, want)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// Keys that STS refuses keep the credentials hint. moto accepts any key, so
// an endpoint that answers every call as STS answers a bad key stands in.
func TestBinaryBadKeys(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("x-amzn-RequestId", "req-1")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
			`<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>` +
			`</Error><RequestId>req-1</RequestId></ErrorResponse>`))
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(binary(t), "scan", "-o", out, "-s", "lambda")
	cmd.Env = endpointEnv(srv.URL)
	r := testbin.Run(t, cmd)
	const want = "faultline: cannot identify the caller (are credentials configured?): operation error STS: GetCallerIdentity, " +
		"https response error StatusCode: 403, RequestID: req-1, api error InvalidClientTokenId: The security token included in the request is invalid.\n"
	if r.Code != 1 || r.Stderr != want {
		t.Errorf("exit %d, stderr\n%q\nwant exit 1 and\n%q", r.Code, r.Stderr, want)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}
