package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// An organization with three member accounts, resources in each of two
// regions, scanned from the management account with --accounts ALL and a
// role in every account: every account's rows with its name, the files in
// S3 byte for byte, and exactly the published findings on the bus.
func TestBinaryOrganizationScanWithDelivery(t *testing.T) {
	ctx := context.Background()
	const management = "210000000001"
	regions := []string{"eu-west-1", "us-west-2"}
	mgmt, err := moto.Config(ctx, management, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	orgs := organizations.NewFromConfig(mgmt)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{management: "master"}
	var members []string
	for _, name := range []string{"payments", "search", "data"} {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(out.CreateAccountStatus.AccountId)
		members = append(members, id)
		names[id] = name
	}

	// Resources in every member account and region; the management account
	// has none of its own.
	want := map[string][]row{}
	for _, id := range members {
		for _, region := range regions {
			cfg, err := moto.Config(ctx, id, region)
			if err != nil {
				t.Fatal(err)
			}
			want[id] = append(want[id], asWritten(seedLambda(t, ctx, cfg))...)
		}
	}

	// Delivery targets, in the management account.
	const bucket = "faultline-findings"
	if _, err := s3.NewFromConfig(mgmt, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	busARN, queueURL := eventBusToQueue(t, ctx, mgmt, "resilience")

	keys, err := moto.AccountKeys(ctx, management, "scanner")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "reports") + "/"
	start := time.Now()
	res := runBinary(t, keys, nil, "scan", "--accounts", "ALL", "--aws-assume-role", "OrganizationAccountAccessRole",
		"-r", regions[0], regions[1], "-s", "lambda", "-o", out, "--log-format", "json",
		"--bucket", bucket, "--event-bus-arn", busARN, "--format", "csv,jsonl", "--report-only-risks")
	t.Logf("three-account scan over two regions: %s wall (binary, including moto)", time.Since(start).Round(time.Millisecond))
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}

	// Every account's rows, under its own account ID and name, payer = management.
	var gotAll, wantAll []row
	byAccount := map[string][]row{}
	for _, r := range res.findings[1:] {
		if r[3] != names[r[2]] || r[4] != management || r[5] != "master" {
			t.Errorf("account %s: name/payer columns %q %q %q", r[2], r[3], r[4], r[5])
		}
		byAccount[r[2]] = append(byAccount[r[2]], row{r[0], r[1], r[6], r[7], r[8], r[9], r[10], r[11], r[13], r[14]})
	}
	for _, id := range members {
		var risky []row
		for _, w := range want[id] {
			if w.Risk == "True" {
				risky = append(risky, w)
			}
		}
		gotAll = append(gotAll, byAccount[id]...)
		wantAll = append(wantAll, risky...)
		if len(byAccount[id]) != len(risky) {
			t.Errorf("account %s (%s): %d rows, want %d", id, names[id], len(byAccount[id]), len(risky))
		}
	}
	compareRows(t, gotAll, wantAll)
	report := res.report[1:]
	if len(report) != 4*len(regions)+1 {
		t.Errorf("run report has %d rows, want %d (4 accounts x %d regions + Overall)", len(report), 4*len(regions)+1, len(regions))
	}
	overall := report[len(report)-1]
	if overall[2] != "Overall" || overall[13] != fmt.Sprint(len(wantAll)) || overall[14] != "0" {
		t.Errorf("Overall row %v: want %d events published, 0 failed", overall, len(wantAll))
	}

	// The S3 objects are the local files, byte for byte, under the seed's key layout.
	s3api := s3.NewFromConfig(mgmt, func(o *s3.Options) { o.UsePathStyle = true; o.DisableLogOutputChecksumValidationSkipped = true })
	jsonlPath := strings.TrimSuffix(res.findingsPath, ".csv") + ".jsonl"
	for _, local := range []string{res.findingsPath, jsonlPath, res.reportPath} {
		key := strings.TrimPrefix(filepath.ToSlash(filepath.Join(dir, "reports", filepath.Base(local))), "/")
		obj, err := s3api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Errorf("s3://%s/%s: %v", bucket, key, err)
			continue
		}
		got, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		local, _ := os.ReadFile(local)
		if !bytes.Equal(got, local) {
			t.Errorf("s3://%s/%s differs from the local file", bucket, key)
		}
		if obj.ServerSideEncryption != "AES256" {
			t.Errorf("s3://%s/%s: encryption %q", bucket, key, obj.ServerSideEncryption)
		}
	}

	// The bus delivered exactly the findings the CSV holds.
	events := receiveAll(t, ctx, mgmt, queueURL, len(wantAll))
	var fromEvents, fromCSV []string
	for _, e := range events {
		var env struct {
			Source     string         `json:"source"`
			DetailType string         `json:"detail-type"`
			Resources  []string       `json:"resources"`
			Detail     map[string]any `json:"detail"`
		}
		if err := json.Unmarshal([]byte(e), &env); err != nil {
			t.Fatalf("event %s: %v", e, err)
		}
		if env.Source != "faultline" || env.DetailType != "Resiliency Finding" || len(env.Resources) != 1 || env.Resources[0] != env.Detail["resource_arn"] {
			t.Errorf("event envelope %s", e)
		}
		fromEvents = append(fromEvents, fmt.Sprintf("%v|%v|%v|%v", env.Detail["account_id"], env.Detail["resource_arn"], env.Detail["potential_single_az_risk"], env.Detail["message"]))
	}
	for _, r := range res.findings[1:] {
		fromCSV = append(fromCSV, fmt.Sprintf("%s|%s|%v|%s", r[2], r[6], r[9] == "True", r[11]))
	}
	sort.Strings(fromEvents)
	sort.Strings(fromCSV)
	if strings.Join(fromEvents, "\n") != strings.Join(fromCSV, "\n") {
		t.Errorf("events:\n%s\nCSV:\n%s", strings.Join(fromEvents, "\n"), strings.Join(fromCSV, "\n"))
	}
}

// eventBusToQueue creates a bus with a rule that sends faultline's events
// to a new SQS queue.
func eventBusToQueue(t *testing.T, ctx context.Context, cfg aws.Config, name string) (busARN, queueURL string) {
	t.Helper()
	eb := eventbridge.NewFromConfig(cfg)
	bus, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-events")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all-findings"), EventBusName: aws.String(name),
		EventPattern: aws.String(`{"source":["faultline"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all-findings"), EventBusName: aws.String(name),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}}}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(bus.EventBusArn), aws.ToString(queue.QueueUrl)
}

// receiveAll drains the queue; it fails if more than want messages arrive.
func receiveAll(t *testing.T, ctx context.Context, cfg aws.Config, queueURL string, want int) []string {
	t.Helper()
	q := sqs.NewFromConfig(cfg)
	var bodies []string
	for empty := 0; empty < 2; {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(bodies) != want {
		t.Errorf("%d events on the queue, want %d", len(bodies), want)
	}
	return bodies
}

// An upload that fails (the bucket does not exist) leaves the local files
// complete, prints the error with its code, and exits 4.
func TestBinaryUploadFailureKeepsLocalFiles(t *testing.T) {
	ctx := context.Background()
	const account, region = "210000000020", "eu-north-1"
	keys, cfg := scannedAccount(t, ctx, account, region)
	want := asWritten(seedLambda(t, ctx, cfg))
	res := runBinary(t, keys, []string{"AWS_MAX_ATTEMPTS=2"}, "scan", "-o", t.TempDir(), "-r", region, "-s", "lambda",
		"--bucket", "no-such-bucket-here", "--log-format", "json")
	if res.code != 4 {
		t.Fatalf("exit %d, want 4\n%s", res.code, res.stderr)
	}
	compareRows(t, findingRows(t, res.findings, account), want)
	if !strings.Contains(res.stderr, "faultline: upload failed (NoSuchBucket): upload ") ||
		!strings.Contains(res.stderr, "faultline: upload failed (NoSuchBucket), the local files are complete: ") {
		t.Errorf("stderr:\n%s", res.stderr)
	}
}
