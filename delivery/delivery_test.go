package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/output"
)

func TestKeyPrefix(t *testing.T) {
	cases := map[string]string{
		"output/": "output/", "output": "output/", "./out/": "out/", "/var/lib/faultline/": "var/lib/faultline/",
		"a//b/": "a/b/", ".": "", "./": "", "": "", "../x": "x/", "/../../x/": "x/", "..": "",
	}
	for in, want := range cases {
		if got := KeyPrefix(in); got != want {
			t.Errorf("KeyPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

// fakeS3 records PutObject calls and refuses buckets owned by someone else,
// as S3 does when ExpectedBucketOwner does not match (moto ignores it).
type fakeS3 struct {
	owner string
	puts  []*s3.PutObjectInput
	body  map[string]string
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if aws.ToString(in.ExpectedBucketOwner) != f.owner {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}
	}
	b, _ := io.ReadAll(in.Body)
	f.puts = append(f.puts, in)
	f.body[aws.ToString(in.Key)] = string(b)
	return &s3.PutObjectOutput{}, nil
}

func TestUploadFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "x.csv"), filepath.Join(dir, "x.jsonl")
	os.WriteFile(a, []byte("csv\n"), 0o600)
	os.WriteFile(b, []byte("{}\n"), 0o600)

	api := &fakeS3{owner: "111111111111", body: map[string]string{}}
	err := UploadFiles(context.Background(), api, Upload{Bucket: "bkt", Prefix: "./output", Owner: "111111111111"}, []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if api.body["output/x.csv"] != "csv\n" || api.body["output/x.jsonl"] != "{}\n" {
		t.Errorf("uploaded %v", api.body)
	}
	if p := api.puts[0]; p.ServerSideEncryption != "AES256" || p.SSEKMSKeyId != nil || aws.ToString(p.ContentType) != "text/csv" || aws.ToInt64(p.ContentLength) != 4 {
		t.Errorf("put %+v", p)
	}

	api = &fakeS3{owner: "111111111111", body: map[string]string{}}
	UploadFiles(context.Background(), api, Upload{Bucket: "bkt", Owner: "111111111111", KMSKeyID: "alias/findings"}, []string{a})
	if p := api.puts[0]; p.ServerSideEncryption != "aws:kms" || aws.ToString(p.SSEKMSKeyId) != "alias/findings" || aws.ToString(p.Key) != "x.csv" {
		t.Errorf("kms put %+v", p)
	}
}

// A bucket of another owner is refused for every file, and the error says
// which file and carries the AWS code.
func TestUploadToBucketOfAnotherOwner(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "x.csv"), filepath.Join(dir, "x_run_report.csv")
	os.WriteFile(a, []byte("1"), 0o600)
	os.WriteFile(b, []byte("2"), 0o600)
	api := &fakeS3{owner: "999999999999", body: map[string]string{}}
	err := UploadFiles(context.Background(), api, Upload{Bucket: "squatted", Prefix: "output/", Owner: "111111111111"}, []string{a, b})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "upload "+a+" to s3://squatted/output/x.csv: ") || !strings.Contains(err.Error(), "s3://squatted/output/x_run_report.csv") {
		t.Errorf("message %q", err)
	}
	if len(api.puts) != 0 {
		t.Errorf("objects written: %d", len(api.puts))
	}
}

// fakeBus answers PutEvents, refusing the entries named in refuse a given
// number of times.
type fakeBus struct {
	calls    [][]ebtypes.PutEventsRequestEntry
	refuse   map[string]int // resource ARN -> times to refuse
	callErr  error
	received []ebtypes.PutEventsRequestEntry
}

func (f *fakeBus) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.calls = append(f.calls, in.Entries)
	if f.callErr != nil {
		return nil, f.callErr
	}
	out := &eventbridge.PutEventsOutput{}
	for _, e := range in.Entries {
		key := ""
		if len(e.Resources) > 0 {
			key = e.Resources[0]
		}
		if f.refuse[key] > 0 {
			f.refuse[key]--
			out.FailedEntryCount++
			out.Entries = append(out.Entries, ebtypes.PutEventsResultEntry{ErrorCode: aws.String("ThrottlingException"), ErrorMessage: aws.String("slow down")})
			continue
		}
		f.received = append(f.received, e)
		out.Entries = append(out.Entries, ebtypes.PutEventsResultEntry{EventId: aws.String("id")})
	}
	return out, nil
}

func findings(n int) []output.FindingRow {
	var rows []output.FindingRow
	for i := 0; i < n; i++ {
		rows = append(rows, output.FindingRow{Service: "rds", AccountID: "111111111111", ResourceARN: "arn:aws:rds:eu-west-1:111111111111:db:d" + string(rune('a'+i)),
			Risk: true, Message: "m", CheckID: "RDS-1", Severity: "HIGH"})
	}
	return rows
}

func noWait(int) time.Duration { return 0 }

func TestPublisherBatchesAndRetriesRefusedEntries(t *testing.T) {
	rows := findings(23)
	bus := &fakeBus{refuse: map[string]int{rows[3].ResourceARN: 2, rows[21].ResourceARN: 1}}
	p := &Publisher{API: bus, BusARN: "arn:aws:events:eu-west-1:111111111111:event-bus/b", Backoff: noWait}
	for _, r := range rows {
		p.Add(context.Background(), r)
	}
	p.Flush(context.Background())
	if p.Published != 23 || p.Failed != 0 || len(bus.received) != 23 {
		t.Fatalf("published %d failed %d received %d", p.Published, p.Failed, len(bus.received))
	}
	// 3 batches (10, 10, 3), plus two retries for row 3 and one for row 21.
	sizes := []int{}
	for _, c := range bus.calls {
		sizes = append(sizes, len(c))
	}
	if got := fmt.Sprint(sizes); got != "[10 1 1 10 3 1]" {
		t.Errorf("batch sizes %s, want [10 1 1 10 3 1]", got)
	}
	e := bus.received[0]
	var detail map[string]any
	json.Unmarshal([]byte(aws.ToString(e.Detail)), &detail)
	if aws.ToString(e.Source) != "faultline" || aws.ToString(e.DetailType) != "Resiliency Finding" || aws.ToString(e.EventBusName) != p.BusARN ||
		detail["resource_arn"] != rows[0].ResourceARN || detail["potential_single_az_risk"] != true || e.Resources[0] != rows[0].ResourceARN {
		t.Errorf("entry %+v detail %v", e, detail)
	}
}

func TestPublisherCountsWhatStaysRefused(t *testing.T) {
	rows := findings(3)
	bus := &fakeBus{refuse: map[string]int{rows[1].ResourceARN: 100}}
	p := &Publisher{API: bus, BusARN: "arn:aws:events:eu-west-1:111111111111:event-bus/b", Backoff: noWait}
	for _, r := range rows {
		p.Add(context.Background(), r)
	}
	p.Flush(context.Background())
	if p.Published != 2 || p.Failed != 1 || len(bus.calls) != retryAttempts {
		t.Errorf("published %d failed %d calls %d", p.Published, p.Failed, len(bus.calls))
	}
	if p.FirstError == nil || !strings.Contains(p.FirstError.Error(), "EventBridge refused 1 entries after 5 attempts: ThrottlingException: slow down") {
		t.Errorf("FirstError %v", p.FirstError)
	}
	// A call that fails outright counts its whole batch.
	bus = &fakeBus{callErr: &smithy.GenericAPIError{Code: "AccessDeniedException"}}
	p = &Publisher{API: bus, BusARN: "b", Backoff: noWait}
	for _, r := range findings(12) {
		p.Add(context.Background(), r)
	}
	p.Flush(context.Background())
	if p.Published != 0 || p.Failed != 12 {
		t.Errorf("published %d failed %d", p.Published, p.Failed)
	}
}

// Batches stay under 256 KB whatever the entry count; a finding that
// cannot fit alone is counted as failed, not sent.
func TestPublisherByteLimit(t *testing.T) {
	bus := &fakeBus{}
	p := &Publisher{API: bus, BusARN: "b", Backoff: noWait}
	big := strings.Repeat("x", 100*1024)
	for i := 0; i < 5; i++ {
		p.Add(context.Background(), output.FindingRow{ResourceARN: "not-an-arn", Message: big})
	}
	p.Add(context.Background(), output.FindingRow{Message: strings.Repeat("y", 300*1024)})
	p.Flush(context.Background())
	for _, c := range bus.calls {
		total := 0
		for _, e := range c {
			total += entrySize(e)
			if len(e.Resources) != 0 {
				t.Errorf("resources for a non-ARN: %v", e.Resources)
			}
		}
		if total > maxBatchBytes {
			t.Errorf("batch of %d bytes", total)
		}
	}
	if len(bus.calls) != 3 || p.Published != 5 || p.Failed != 1 {
		t.Errorf("calls %d published %d failed %d", len(bus.calls), p.Published, p.Failed)
	}
}

// PublishCSV sends exactly the rows after the offset: this run's rows, not
// those of an earlier run in an appended file.
func TestPublishCSVFromOffset(t *testing.T) {
	dir := t.TempDir()
	write := func(rows []output.FindingRow) int64 {
		f, err := output.OpenFiles(dir, "stem", false, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			f.WriteFinding(r)
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		return f.Findings.NewRowsOffset
	}
	rows := findings(5)
	write(rows[:2])
	offset := write(rows[2:])
	bus := &fakeBus{}
	p := &Publisher{API: bus, BusARN: "b", Backoff: noWait}
	if err := p.PublishCSV(context.Background(), filepath.Join(dir, "stem.csv"), offset); err != nil {
		t.Fatal(err)
	}
	if p.Published != 3 || len(bus.received) != 3 || bus.received[0].Resources[0] != rows[2].ResourceARN {
		t.Errorf("published %d: %v", p.Published, bus.received)
	}
}

// The CSV holds spreadsheet-safe cells ("'=..."); the events carry the
// values the scan found.
func TestPublishCSVSendsRawValues(t *testing.T) {
	dir := t.TempDir()
	f, err := output.OpenFiles(dir, "stem", true, false)
	if err != nil {
		t.Fatal(err)
	}
	row := findings(1)[0]
	row.ResourceName, row.Message = "=HYPERLINK(\"http://x\")", "-1 standby"
	f.WriteFinding(row)
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	bus := &fakeBus{}
	p := &Publisher{API: bus, BusARN: "b", Backoff: noWait}
	if err := p.PublishCSV(context.Background(), filepath.Join(dir, "stem.csv"), f.Findings.NewRowsOffset); err != nil {
		t.Fatal(err)
	}
	want := `{"service":"rds","region":"","account_id":"111111111111","account_name":"","payer_account_id":"","payer_account_name":"","resource_arn":"arn:aws:rds:eu-west-1:111111111111:db:da","resource_name":"=HYPERLINK(\"http://x\")","resource_id":"","potential_single_az_risk":true,"engine":"","message":"-1 standby","timestamp":"","check_id":"RDS-1","severity":"HIGH","resource_type":"","availability_zones":[],"availability_zone_ids":[],"muted":""}`
	if len(bus.received) != 1 || aws.ToString(bus.received[0].Detail) != want {
		t.Errorf("events: %v", bus.received)
	}
}
