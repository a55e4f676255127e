package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"
	"github.com/gocarina/gocsv"

	"github.com/faultline/faultline/output"
)

// BatchImportAPI is the one Security Hub call delivery makes.
type BatchImportAPI interface {
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
}

// ASFF constants.
const (
	ASFFSchemaVersion = "2018-10-08"
	ASFFFindingType   = "Software and Configuration Checks/AWS Security Best Practices"
	// maxImportFindings is BatchImportFindings' limit per call.
	maxImportFindings = 100
)

// HubTarget is where one account's findings of one region are imported:
// the client with the account's own credentials in that region, and the
// account's partition (for the product ARN).
type HubTarget struct {
	API       BatchImportAPI
	Partition string
}

// SecurityHub imports the risks of a run into the Security Hub of each
// finding's own account and region (BatchImportFindings only accepts a
// finding whose AwsAccountId is the caller's). It only creates and updates
// findings: it never archives one, so a risk fixed since an earlier import
// stays ACTIVE there until it ages out or someone archives it.
type SecurityHub struct {
	// Target gives the client for an account and region; an error fails
	// that group's findings.
	Target func(accountID, region string) (HubTarget, error)
	// HomeRegion is the region a global service's findings go to.
	HomeRegion func(accountID string) string
	// Checks gives a check's description and remediation.
	Checks  func(checkID string) output.CheckText
	Backoff func(attempt int) time.Duration

	Imported, Failed int64
	// FirstError is the first call error or refused finding, for the
	// summary; importing goes on after it.
	FirstError error
}

// ImportCSV imports the unmuted risks of the findings CSV at path from byte
// offset on (the rows this run wrote).
func (s *SecurityHub) ImportCSV(ctx context.Context, path string, offset int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return err
	}
	var rows []output.FindingRow
	in := io.MultiReader(strings.NewReader(output.Header[output.FindingRow]()+"\n"), f)
	err = gocsv.UnmarshalDecoderToCallback(gocsv.NewSimpleDecoderFromCSVReader(output.NewCSVReader(in)),
		func(r output.FindingRow) { rows = append(rows, r) })
	if err != nil {
		return err
	}
	s.Import(ctx, rows)
	return nil
}

// Import sends the rows that are unmuted risks, grouped by account and
// region in the order first seen, at most 100 a call.
func (s *SecurityHub) Import(ctx context.Context, rows []output.FindingRow) {
	type key struct{ account, region string }
	var order []key
	groups := map[key][]output.FindingRow{}
	for _, r := range rows {
		if !bool(r.Risk) || r.Muted != "" {
			continue
		}
		region := r.Region
		if region == "global" && s.HomeRegion != nil {
			region = s.HomeRegion(r.AccountID)
		}
		k := key{r.AccountID, region}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		rows := groups[k]
		target, err := s.Target(k.account, k.region)
		if err != nil {
			s.fail(len(rows), fmt.Errorf("security hub of %s in %s: %w", k.account, k.region, err))
			continue
		}
		findings := make([]shtypes.AwsSecurityFinding, len(rows))
		for i, r := range rows {
			findings[i] = s.ASFF(r, target.Partition, k.region)
		}
		for len(findings) > 0 {
			n := min(len(findings), maxImportFindings)
			s.send(ctx, target.API, findings[:n])
			findings = findings[n:]
		}
	}
}

// throttled are the error codes retried with backoff (besides the SDK's own
// retries of the call).
func throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "TooManyRequestsException", "LimitExceededException", "Throttling":
		return true
	}
	return false
}

func (s *SecurityHub) send(ctx context.Context, api BatchImportAPI, batch []shtypes.AwsSecurityFinding) {
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			s.fail(len(batch), ctx.Err())
			return
		}
		out, err := api.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: batch})
		if err != nil {
			if throttled(err) && attempt < retryAttempts {
				select {
				case <-time.After(s.Backoff(attempt)):
				case <-ctx.Done():
				}
				continue
			}
			s.fail(len(batch), err)
			return
		}
		failed := len(out.FailedFindings)
		if out.FailedCount != nil && int(*out.FailedCount) > failed {
			failed = int(*out.FailedCount)
		}
		if failed > len(batch) {
			failed = len(batch)
		}
		s.Imported += int64(len(batch) - failed)
		if failed > 0 {
			msg := fmt.Sprintf("Security Hub refused %d of %d findings", failed, len(batch))
			if len(out.FailedFindings) > 0 {
				e := out.FailedFindings[0]
				msg += fmt.Sprintf(", first %s: %s: %s", aws.ToString(e.Id), aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
			}
			s.fail(failed, errors.New(msg))
		}
		return
	}
}

func (s *SecurityHub) fail(n int, err error) {
	s.Failed += int64(n)
	if s.FirstError == nil {
		s.FirstError = err
	}
}

// asffSeverity maps a check severity to an ASFF label.
func asffSeverity(sev string) shtypes.SeverityLabel {
	switch sev {
	case "HIGH":
		return shtypes.SeverityLabelHigh
	case "MEDIUM":
		return shtypes.SeverityLabelMedium
	case "LOW":
		return shtypes.SeverityLabelLow
	}
	return shtypes.SeverityLabelInformational
}

// asffTypes are the CloudFormation resource types that have an ASFF
// resource type; any other is "Other".
var asffTypes = map[string]string{
	"AWS::RDS::DBInstance":                      "AwsRdsDbInstance",
	"AWS::RDS::DBCluster":                       "AwsRdsDbCluster",
	"AWS::Lambda::Function":                     "AwsLambdaFunction",
	"AWS::EC2::Instance":                        "AwsEc2Instance",
	"AWS::EC2::TransitGateway":                  "AwsEc2TransitGateway",
	"AWS::EC2::VPNConnection":                   "AwsEc2VpnConnection",
	"AWS::ElasticLoadBalancingV2::LoadBalancer": "AwsElbv2LoadBalancer",
	"AWS::ElasticLoadBalancing::LoadBalancer":   "AwsElbLoadBalancer",
	"AWS::AutoScaling::AutoScalingGroup":        "AwsAutoScalingAutoScalingGroup",
	"AWS::ECS::Service":                         "AwsEcsService",
	"AWS::ECS::Cluster":                         "AwsEcsCluster",
	"AWS::EKS::Cluster":                         "AwsEksCluster",
	"AWS::ElastiCache::CacheCluster":            "AwsElastiCacheCacheCluster",
	"AWS::OpenSearchService::Domain":            "AwsOpenSearchServiceDomain",
	"AWS::Redshift::Cluster":                    "AwsRedshiftCluster",
	"AWS::DMS::ReplicationInstance":             "AwsDmsReplicationInstance",
	"AWS::MSK::Cluster":                         "AwsMskCluster",
	"AWS::AmazonMQ::Broker":                     "AwsAmazonMqBroker",
	"AWS::NetworkFirewall::Firewall":            "AwsNetworkFirewallFirewall",
}

// ASFFResourceType is the ASFF type of a CloudFormation resource type.
func ASFFResourceType(cfn string) string {
	if t, ok := asffTypes[cfn]; ok {
		return t
	}
	return "Other"
}

// cut shortens s to at most n runes (ASFF's field limits).
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ASFF is the row as a Security Hub finding of the account's default
// product in region.
func (s *SecurityHub) ASFF(r output.FindingRow, partition, region string) shtypes.AwsSecurityFinding {
	var text output.CheckText
	if s.Checks != nil {
		text = s.Checks(r.CheckID)
	}
	title := text.Description
	if title == "" {
		title = r.CheckID
	}
	t := output.RowTime(r)
	if t.IsZero() {
		t = time.Now().UTC()
	}
	ts := t.Format(time.RFC3339)
	resID := r.ResourceARN
	if resID == "" {
		resID = r.ResourceID
	}
	f := shtypes.AwsSecurityFinding{
		SchemaVersion: aws.String(ASFFSchemaVersion),
		Id:            aws.String(output.FindingUID(r)),
		ProductArn:    aws.String("arn:" + partition + ":securityhub:" + region + ":" + r.AccountID + ":product/" + r.AccountID + "/default"),
		GeneratorId:   aws.String(r.CheckID),
		AwsAccountId:  aws.String(r.AccountID),
		Types:         []string{ASFFFindingType},
		CreatedAt:     aws.String(ts),
		UpdatedAt:     aws.String(ts),
		Severity:      &shtypes.Severity{Label: asffSeverity(r.Severity)},
		Title:         aws.String(cut(title, 256)),
		Description:   aws.String(cut(r.Message, 1024)),
		RecordState:   shtypes.RecordStateActive,
		ProductName:   aws.String("faultline"),
		CompanyName:   aws.String("faultline"),
		Region:        aws.String(region),
		Resources: []shtypes.Resource{{
			Type: aws.String(ASFFResourceType(r.ResourceType)), Id: aws.String(resID), Region: aws.String(region), Partition: shtypes.Partition(partition),
		}},
	}
	if text.Remediation != "" {
		f.Remediation = &shtypes.Remediation{Recommendation: &shtypes.Recommendation{Text: aws.String(cut(text.Remediation, 512))}}
	}
	return f
}
