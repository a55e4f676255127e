package account

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// The call counter sees one call and its retries. moto cannot answer 503,
// so this uses a loopback test server that fails the first attempt.
func TestCountCallsAndRetries(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111111111111</Account><Arn>arn:aws-us-gov:iam::111111111111:user/x</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	t.Setenv("AWS_REGION", "us-gov-west-1")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	cfg, err := LoadConfig(context.Background(), "", RetrySettings{MaxAttempts: 3, Mode: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	stats := &callStats{}
	id, err := Identify(withStats(context.Background(), stats), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if id.Partition != "aws-us-gov" || id.Account != "111111111111" {
		t.Errorf("identity %+v", id)
	}
	if stats.calls.Load() != 1 || stats.attempts.Load() != 2 {
		t.Errorf("calls %d attempts %d, want 1 and 2", stats.calls.Load(), stats.attempts.Load())
	}
}

func TestRetryFromEnv(t *testing.T) {
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	t.Setenv("AWS_RETRY_MODE", "")
	s, err := RetryFromEnv("")
	if err != nil || s.MaxAttempts != DefaultMaxAttempts || s.Mode != "standard" {
		t.Fatalf("defaults: %+v %v", s, err)
	}
	if r := s.NewRetryer(); r.MaxAttempts() != DefaultMaxAttempts {
		t.Errorf("retryer attempts %d", r.MaxAttempts())
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	t.Setenv("AWS_RETRY_MODE", "adaptive")
	s, err = RetryFromEnv("")
	if err != nil || s.MaxAttempts != 2 || s.Mode != "adaptive" || s.NewRetryer().MaxAttempts() != 2 {
		t.Fatalf("env: %+v %v", s, err)
	}
	if s, _ = RetryFromEnv("standard"); s.Mode != "standard" {
		t.Errorf("flag must win over env: %+v", s)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "zero")
	if _, err := RetryFromEnv(""); err == nil || err.Error() != `AWS_MAX_ATTEMPTS must be a whole number >= 1, got "zero"` {
		t.Errorf("bad attempts: %v", err)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	if _, err := RetryFromEnv("legacy"); err == nil || err.Error() != `retry mode must be standard or adaptive, got "legacy"` {
		t.Errorf("bad mode: %v", err)
	}
}
