package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/output"
)

// fakeHub records the calls; throttle makes its first calls fail with
// ThrottlingException, refuse makes it refuse findings whose Id it lists.
type fakeHub struct {
	calls    [][]shtypes.AwsSecurityFinding
	throttle int
	refuse   map[string]bool
}

func (f *fakeHub) BatchImportFindings(_ context.Context, in *securityhub.BatchImportFindingsInput, _ ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error) {
	if f.throttle > 0 {
		f.throttle--
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	f.calls = append(f.calls, in.Findings)
	out := &securityhub.BatchImportFindingsOutput{}
	for _, fd := range in.Findings {
		if f.refuse[aws.ToString(fd.Id)] {
			out.FailedFindings = append(out.FailedFindings, shtypes.ImportFindingsError{
				Id: fd.Id, ErrorCode: aws.String("InvalidInput"), ErrorMessage: aws.String("bad finding")})
		}
	}
	out.FailedCount = aws.Int32(int32(len(out.FailedFindings)))
	out.SuccessCount = aws.Int32(int32(len(in.Findings) - len(out.FailedFindings)))
	return out, nil
}

func hubRow(i int, account, region string) output.FindingRow {
	return output.FindingRow{
		Service: "rds", Region: region, AccountID: account, AccountName: "Test",
		ResourceARN: fmt.Sprintf("arn:aws:rds:%s:%s:db:db-%d", region, account, i), ResourceName: fmt.Sprintf("db-%d", i),
		Risk: true, Message: fmt.Sprintf("db-%d is in one Availability Zone", i), CheckID: "RDS-1", Severity: "HIGH",
		Timestamp: "2026_12_08_02_00_00_+0000", ResourceType: "AWS::RDS::DBInstance",
	}
}

func newHub(targets map[string]*fakeHub) *SecurityHub {
	return &SecurityHub{
		Target: func(account, region string) (HubTarget, error) {
			f, ok := targets[account+"/"+region]
			if !ok {
				return HubTarget{}, fmt.Errorf("no client")
			}
			return HubTarget{API: f, Partition: "aws"}, nil
		},
		HomeRegion: func(string) string { return "us-east-1" },
		Checks: func(string) output.CheckText {
			return output.CheckText{Description: "DB instance in one zone", Remediation: "Turn on Multi-AZ."}
		},
		Backoff: func(int) time.Duration { return time.Millisecond },
	}
}

// 250 risks of one account and region: three calls of 100, 100 and 50.
// Rows that are not risks, or are muted, are not sent.
func TestSecurityHubBatches(t *testing.T) {
	fake := &fakeHub{}
	hub := newHub(map[string]*fakeHub{"111111111111/us-east-1": fake})
	var rows []output.FindingRow
	for i := 0; i < 250; i++ {
		rows = append(rows, hubRow(i, "111111111111", "us-east-1"))
	}
	pass := hubRow(900, "111111111111", "us-east-1")
	pass.Risk = false
	muted := hubRow(901, "111111111111", "us-east-1")
	muted.Muted = "accepted"
	hub.Import(context.Background(), append(rows, pass, muted))
	var sizes []int
	for _, c := range fake.calls {
		sizes = append(sizes, len(c))
	}
	if fmt.Sprint(sizes) != "[100 100 50]" || hub.Imported != 250 || hub.Failed != 0 || hub.FirstError != nil {
		t.Errorf("calls %v, imported %d, failed %d (%v)", sizes, hub.Imported, hub.Failed, hub.FirstError)
	}
}

// Each account's findings go to its own account's client, in their region;
// a global service's to the account's home region.
func TestSecurityHubPerAccount(t *testing.T) {
	a, b, g := &fakeHub{}, &fakeHub{}, &fakeHub{}
	hub := newHub(map[string]*fakeHub{"111111111111/eu-west-1": a, "222222222222/eu-west-1": b, "222222222222/us-east-1": g})
	global := hubRow(3, "222222222222", "global")
	global.ResourceARN = "arn:aws:globalaccelerator::222222222222:accelerator/x"
	hub.Import(context.Background(), []output.FindingRow{hubRow(1, "111111111111", "eu-west-1"), hubRow(2, "222222222222", "eu-west-1"), global})
	for name, c := range map[string]struct {
		f       *fakeHub
		account string
	}{"a": {a, "111111111111"}, "b": {b, "222222222222"}, "g": {g, "222222222222"}} {
		if len(c.f.calls) != 1 || len(c.f.calls[0]) != 1 || aws.ToString(c.f.calls[0][0].AwsAccountId) != c.account {
			t.Errorf("%s: calls %+v", name, c.f.calls)
		}
	}
	if got := aws.ToString(g.calls[0][0].ProductArn); got != "arn:aws:securityhub:us-east-1:222222222222:product/222222222222/default" {
		t.Errorf("global product ARN %s", got)
	}
	if hub.Imported != 3 {
		t.Errorf("imported %d", hub.Imported)
	}
}

// Throttling is retried with backoff; refused findings are counted with the
// first refusal's reason; an account without a client fails its findings.
func TestSecurityHubThrottlingAndFailures(t *testing.T) {
	rows := []output.FindingRow{hubRow(1, "111111111111", "us-east-1"), hubRow(2, "111111111111", "us-east-1"), hubRow(3, "111111111111", "us-east-1")}
	fake := &fakeHub{throttle: 2, refuse: map[string]bool{output.FindingUID(rows[1]): true}}
	hub := newHub(map[string]*fakeHub{"111111111111/us-east-1": fake})
	hub.Import(context.Background(), append(rows, hubRow(4, "333333333333", "us-east-1")))
	if len(fake.calls) != 1 || fake.throttle != 0 {
		t.Fatalf("calls %d, throttles left %d", len(fake.calls), fake.throttle)
	}
	want := "Security Hub refused 1 of 3 findings, first " + output.FindingUID(rows[1]) + ": InvalidInput: bad finding"
	if hub.Imported != 2 || hub.Failed != 2 || hub.FirstError == nil || hub.FirstError.Error() != want {
		t.Errorf("imported %d failed %d first %v\nwant %s", hub.Imported, hub.Failed, hub.FirstError, want)
	}

	// Throttled on every attempt: the batch fails after retryAttempts calls.
	always := &fakeHub{throttle: 1000}
	hub = newHub(map[string]*fakeHub{"111111111111/us-east-1": always})
	hub.Import(context.Background(), rows)
	if always.throttle != 1000-retryAttempts || hub.Failed != 3 || !strings.Contains(fmt.Sprint(hub.FirstError), "ThrottlingException") {
		t.Errorf("attempts %d, failed %d, %v", 1000-always.throttle, hub.Failed, hub.FirstError)
	}
}

// The exact ASFF of one risk.
func TestASFFExact(t *testing.T) {
	hub := newHub(nil)
	b, err := json.Marshal(hub.ASFF(hubRow(7, "111111111111", "us-east-1"), "aws", "us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		`"SchemaVersion":"2018-10-08"`,
		`"Id":"` + output.FindingUID(hubRow(7, "111111111111", "us-east-1")) + `"`,
		`"ProductArn":"arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default"`,
		`"GeneratorId":"RDS-1"`, `"AwsAccountId":"111111111111"`,
		`"Types":["Software and Configuration Checks/AWS Security Best Practices"]`,
		`"CreatedAt":"2026-12-08T02:00:00Z"`, `"UpdatedAt":"2026-12-08T02:00:00Z"`,
		`"Severity":{"Label":"HIGH"`, `"Title":"DB instance in one zone"`, `"Description":"db-7 is in one Availability Zone"`,
		`"Remediation":{"Recommendation":{"Text":"Turn on Multi-AZ."`, `"RecordState":"ACTIVE"`,
		`"Resources":[{"Id":"arn:aws:rds:us-east-1:111111111111:db:db-7","Type":"AwsRdsDbInstance"`, `"Region":"us-east-1"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("ASFF lacks %s:\n%s", want, got)
		}
	}
	if f := hub.ASFF(hubRow(7, "111111111111", "us-east-1"), "aws", "us-east-1"); f.Workflow != nil || f.Compliance != nil {
		t.Errorf("ASFF sets Workflow or Compliance: %s", got)
	}
}
