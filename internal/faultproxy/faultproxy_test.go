package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// upstream stands in for moto: it answers every request with an empty
// success in the protocol the request used, and counts what reached it.
func upstream(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		body, _ := io.ReadAll(r.Body)
		switch q := Identify(r, body); q.Protocol {
		case Query, EC2:
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<%sResponse><%sResult></%sResult></%sResponse>`, q.Operation, q.Operation, q.Operation, q.Operation)
		case JSON:
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			io.WriteString(w, `{}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func start(t *testing.T, up string) *Proxy {
	t.Helper()
	p, err := Start(up)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func sdkConfig(t *testing.T, endpoint, key string, attempts int) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("eu-west-1"),
		config.WithBaseEndpoint(endpoint),
		config.WithHTTPClient(awshttp.NewBuildableClient()),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, "secret", "")),
		// Quick retries: the test is about which requests are retried, not
		// about the SDK's backoff.
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.MaxBackoff = 5 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// calls are one cheap call per protocol, with the code the SDK must decode
// from the proxy's throttling and access errors.
func calls(cfg aws.Config) []struct {
	service, throttle, deny string
	call                    func(context.Context) error
} {
	return []struct {
		service, throttle, deny string
		call                    func(context.Context) error
	}{
		{"rds", "Throttling", "AccessDenied", func(ctx context.Context) error {
			_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
			return err
		}},
		{"sts", "Throttling", "AccessDenied", func(ctx context.Context) error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"ec2", "RequestLimitExceeded", "UnauthorizedOperation", func(ctx context.Context) error {
			_, err := ec2.NewFromConfig(cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
			return err
		}},
		{"fsx", "ThrottlingException", "AccessDeniedException", func(ctx context.Context) error {
			_, err := fsx.NewFromConfig(cfg).DescribeFileSystems(ctx, &fsx.DescribeFileSystemsInput{})
			return err
		}},
		{"lambda", "ThrottlingException", "AccessDeniedException", func(ctx context.Context) error {
			_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
			return err
		}},
		{"s3", "SlowDown", "AccessDenied", func(ctx context.Context) error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("b")})
			return err
		}},
	}
}

func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return fmt.Sprint(err)
}

// The SDK decodes each protocol's injected errors to the service's real
// codes, which is what faultline's retryer and run report key on.
func TestErrorShapesDecode(t *testing.T) {
	up, reached := upstream(t)
	p := start(t, up.URL)
	cfg := sdkConfig(t, p.URL, "AKIDTEST", 1)
	ctx := context.Background()
	for _, c := range calls(cfg) {
		p.Set(Faults{Throttle: 1})
		if got := code(c.call(ctx)); got != c.throttle {
			t.Errorf("%s throttled: got %s, want %s", c.service, got, c.throttle)
		}
		p.Set(Faults{Deny: []string{c.service}})
		if got := code(c.call(ctx)); got != c.deny {
			t.Errorf("%s denied: got %s, want %s", c.service, got, c.deny)
		}
		p.Set(Faults{ServerError: 1})
		if got := code(c.call(ctx)); got != "InternalFailure" {
			t.Errorf("%s server error: got %s", c.service, got)
		}
		p.Set(Faults{})
		if err := c.call(ctx); err != nil {
			t.Errorf("%s without faults: %v", c.service, err)
		}
	}
	if n := reached.Load(); n != int64(len(calls(cfg))) {
		t.Errorf("%d requests reached upstream, want one per service", n)
	}
	st := p.Stats()
	for _, c := range calls(cfg) {
		if n := st.Count(c.service, ""); n != 4 {
			t.Errorf("%s counted %d, want 4\n%s", c.service, n, st)
		}
	}
	if st.Count("rds", "DescribeDBInstances") != 4 || st.Count("fsx", "DescribeFileSystems") != 4 || st.Count("lambda", "GET /2015-03-31/functions") != 4 {
		t.Errorf("operations not identified:\n%s", st)
	}
	if st.Injected["Throttling"] != 6 || st.Injected["Denied"] != 6 || st.Injected["HTTP500"] != 6 {
		t.Errorf("injected: %v", st.Injected)
	}
}

// The SDK's retryer retries injected throttles and 5xx, and the draws are
// the same for the same seed whatever the order of requests.
func TestFractionRetriedAndDeterministic(t *testing.T) {
	up, _ := upstream(t)
	run := func(seed uint64) (requests int, injected map[string]int) {
		p := start(t, up.URL)
		p.Set(Faults{Throttle: 0.2, ServerError: 0.1, Seed: seed})
		cfg := sdkConfig(t, p.URL, "AKIDTEST", 20)
		for i := 0; i < 50; i++ {
			id := fmt.Sprintf("db-%d", i)
			if _, err := rds.NewFromConfig(cfg).DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: &id}); err != nil {
				t.Fatal(err)
			}
		}
		st := p.Stats()
		return st.Requests, st.Injected
	}
	n1, inj1 := run(7)
	n2, inj2 := run(7)
	if n1 != n2 || fmt.Sprint(inj1) != fmt.Sprint(inj2) {
		t.Errorf("same seed, different draws: %d %v / %d %v", n1, inj1, n2, inj2)
	}
	faults := inj1["Throttling"] + inj1["HTTP500"] + inj1["HTTP503"]
	if n1 != 50+faults || faults < 5 || faults > 40 {
		t.Errorf("%d requests, %v injected: want 50 successes plus one retry per fault, about 30%% faults", n1, inj1)
	}
	if inj1["HTTP500"] == 0 || inj1["HTTP503"] == 0 {
		t.Errorf("want both 500 and 503: %v", inj1)
	}
}

// ThrottleFirst throttles the first of each identical request of its
// services, and no other: each call is retried exactly once.
func TestThrottleFirst(t *testing.T) {
	up, _ := upstream(t)
	p := start(t, up.URL)
	p.Set(Faults{ThrottleFirst: []string{"rds"}})
	cfg := sdkConfig(t, p.URL, "AKIDTEST", 5)
	for _, id := range []string{"db-1", "db-2", "db-1"} {
		if _, err := rds.NewFromConfig(cfg).DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: &id}); err != nil {
			t.Fatal(err)
		}
	}
	// db-1 and db-2 are throttled once each; the second db-1 call is the
	// third of its kind and passes.
	if st := p.Stats(); st.Requests != 5 || st.Injected["Throttling"] != 2 {
		t.Errorf("%d requests, %v injected: want 5 and 2 throttles", st.Requests, st.Injected)
	}
}

// A hung request is held until the client gives up, and is then released.
func TestHang(t *testing.T) {
	up, reached := upstream(t)
	p := start(t, up.URL)
	p.Set(Faults{Hang: []string{"rds"}})
	cfg := sdkConfig(t, p.URL, "AKIDTEST", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the client's deadline", err)
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("another service must still answer: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.Stats().Hanging != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := p.Stats(); st.Hanging != 0 || st.Injected["Hang"] != 1 || reached.Load() != 1 {
		t.Errorf("hanging %d, injected %v, upstream %d", st.Hanging, st.Injected, reached.Load())
	}
}

// Replay serves the recorded answers without reaching upstream, keyed by the
// account: keys handed out by a recorded AssumeRole act as that account.
func TestRecordReplay(t *testing.T) {
	var reached atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/xml")
		if strings.Contains(string(body), "Action=AssumeRole") {
			// moto hands out new keys on every call.
			fmt.Fprintf(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA%d</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/R/s</Arn><AssumedRoleId>x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`, reached.Load())
			return
		}
		fmt.Fprintf(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>%d</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`, reached.Load())
	}))
	t.Cleanup(up.Close)
	p := start(t, up.URL)
	p.SetMode(Record)
	ctx := context.Background()
	pass := func() string {
		base := sdkConfig(t, p.URL, "AKIDBASE", 1)
		out, err := sts.NewFromConfig(base).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/R"), RoleSessionName: aws.String("s")})
		if err != nil {
			t.Fatal(err)
		}
		role := sdkConfig(t, p.URL, *out.Credentials.AccessKeyId, 1)
		id, err := sts.NewFromConfig(role).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		return *out.Credentials.AccessKeyId + "/" + *id.Account
	}
	first := pass()
	p.SetMode(Replay)
	p.Set(Faults{Latency: 30 * time.Millisecond})
	began := time.Now()
	second := pass()
	if first != second || reached.Load() != 2 {
		t.Errorf("record %s, replay %s, upstream reached %d times (want 2)", first, second, reached.Load())
	}
	if took := time.Since(began); took < 60*time.Millisecond {
		t.Errorf("two replayed calls took %s, want at least 2 x 30ms of injected latency", took)
	}
	if st := p.Stats(); st.Misses != 0 {
		t.Errorf("%d misses", st.Misses)
	}
}

// The same request signed for two regions gets each region's own recorded
// answer: an unfiltered DescribeSubnets is the same body in every region.
func TestReplayKeysOnTheRegion(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		region := Identify(r, nil).Region
		fmt.Fprintf(w, `<DescribeSubnetsResponse><subnetSet><item><subnetId>subnet-%s</subnetId><availabilityZone>%sa</availabilityZone></item></subnetSet></DescribeSubnetsResponse>`, region, region)
	}))
	t.Cleanup(up.Close)
	p := start(t, up.URL)
	p.SetMode(Record)
	read := func(region string) string {
		cfg := sdkConfig(t, p.URL, "AKIDBASE", 1)
		cfg.Region = region
		out, err := ec2.NewFromConfig(cfg).DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{})
		if err != nil || len(out.Subnets) != 1 {
			t.Fatalf("%s: %v %v", region, out, err)
		}
		return aws.ToString(out.Subnets[0].SubnetId)
	}
	for _, mode := range []Mode{Record, Replay} {
		p.SetMode(mode)
		for _, region := range []string{"eu-west-1", "us-east-2"} {
			if got := read(region); got != "subnet-"+region {
				t.Errorf("mode %d, %s: got %s", mode, region, got)
			}
		}
	}
	up.Close() // a replay that misses would now fail
	p.SetMode(Replay)
	if got := read("us-east-2"); got != "subnet-us-east-2" {
		t.Errorf("replayed %s", got)
	}
}
