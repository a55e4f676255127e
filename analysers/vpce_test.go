//go:build legacy

package analysers

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

var vpceTestTarget = Target{AccountID: "111111111111", Partition: "aws-us-gov", Region: "us-gov-east-1"}

var vpceTestSubnetAZs = map[string]string{
	"subnet-a": "us-gov-east-1a", "subnet-b": "us-gov-east-1b", "subnet-c": "us-gov-east-1c", "subnet-a2": "us-gov-east-1a",
}

func vpceEndpoint(id string, kind ec2types.VpcEndpointType, service string, subnets ...string) ec2types.VpcEndpoint {
	return ec2types.VpcEndpoint{
		VpcEndpointId:   aws.String(id),
		VpcEndpointType: kind,
		ServiceName:     aws.String(service),
		SubnetIds:       subnets,
		OwnerId:         aws.String("111111111111"),
		State:           "available",
	}
}

func vpceNamed(ep ec2types.VpcEndpoint, name string) ec2types.VpcEndpoint {
	ep.Tags = []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("Name"), Value: aws.String(name)}}
	return ep
}

func TestJudgeVPCE(t *testing.T) {
	resolver := newSubnetAZs(&fakeSubnets{az: vpceTestSubnetAZs})
	if err := resolver.resolve(context.Background(), []string{"subnet-a", "subnet-b", "subnet-c", "subnet-a2", "subnet-gone"}); err != nil {
		t.Fatal(err)
	}
	const sqs = "com.amazonaws.us-gov-east-1.sqs"
	const gwlbSvc = "com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0"
	shared := vpceEndpoint("vpce-shared", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a", "subnet-b")
	shared.OwnerId = aws.String("222222222222")
	noOwner := vpceEndpoint("vpce-noowner", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a")
	noOwner.OwnerId = nil
	noService := vpceEndpoint("vpce-nosvc", ec2types.VpcEndpointTypeInterface, "", "subnet-a", "subnet-c")
	cases := []struct {
		name    string
		ep      ec2types.VpcEndpoint
		check   string
		risk    bool
		message string
		owner   string
	}{
		{"Interface, one subnet", vpceNamed(vpceEndpoint("vpce-1", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a"), "queue"),
			"VPCE-1", true, "Interface VPC endpoint vpce-1 (queue) for com.amazonaws.us-gov-east-1.sqs has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", ""},
		{"Interface, two subnets in one AZ", vpceEndpoint("vpce-2", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a", "subnet-a2"),
			"VPCE-1", true, "Interface VPC endpoint vpce-2 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", ""},
		{"Interface, two AZs", vpceEndpoint("vpce-3", ec2types.VpcEndpointTypeInterface, sqs, "subnet-b", "subnet-a"),
			"VPCE-1", false, "Interface VPC endpoint vpce-3 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1b), so it stays reachable if one zone fails.", ""},
		{"Interface, no subnets", vpceEndpoint("vpce-4", ec2types.VpcEndpointTypeInterface, sqs),
			"VPCE-1", true, "Interface VPC endpoint vpce-4 for com.amazonaws.us-gov-east-1.sqs has no subnets, so it has no network interface in any Availability Zone.", ""},
		{"Interface, a subnet not found", vpceEndpoint("vpce-5", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a", "subnet-gone"),
			"VPCE-1", true, "Interface VPC endpoint vpce-5 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets; only 1 Availability Zone could be placed (us-gov-east-1a) and 1 subnet could not be found (subnet-gone).", ""},
		{"Resource endpoint, one AZ", vpceEndpoint("vpce-6", ec2types.VpcEndpointTypeResource, "", "subnet-c"),
			"VPCE-1", true, "Resource VPC endpoint vpce-6 has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1c), so an outage of that zone cuts off every client of the endpoint.", ""},
		{"Service network endpoint, three AZs", vpceEndpoint("vpce-7", ec2types.VpcEndpointTypeServiceNetwork, "", "subnet-a", "subnet-b", "subnet-c"),
			"VPCE-1", false, "Service network VPC endpoint vpce-7 has network interfaces in 3 subnets across 3 Availability Zones (us-gov-east-1a, us-gov-east-1b, us-gov-east-1c), so it stays reachable if one zone fails.", ""},
		{"endpoint without a type", vpceEndpoint("vpce-8", "", sqs, "subnet-a"),
			"VPCE-1", true, "VPC endpoint vpce-8 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", ""},
		{"GWLB, one subnet (by design)", vpceNamed(vpceEndpoint("vpce-g1", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-a"), "inspect-a"),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g1 (inspect-a) for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 is in one Availability Zone (us-gov-east-1a); a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.", ""},
		{"GWLB, subnet not found", vpceEndpoint("vpce-g2", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-gone"),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g2 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 is in an unknown Availability Zone (1 subnet not found: subnet-gone); a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.", ""},
		{"GWLB, one AZ and a subnet not found", vpceEndpoint("vpce-g3", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-b", "subnet-gone"),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g3 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 is in one Availability Zone (us-gov-east-1b; 1 subnet not found: subnet-gone); a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.", ""},
		{"GWLB, no subnets", vpceEndpoint("vpce-g4", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g4 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 has no subnets, so it has no network interface in any Availability Zone.", ""},
		{"GWLB over two AZs (not possible today)", vpceEndpoint("vpce-g5", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-a", "subnet-b"),
			"VPCE-2", false, "Gateway Load Balancer VPC endpoint vpce-g5 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 has 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1b), so it does not depend on one zone.", ""},
		{"Gateway endpoint", vpceNamed(vpceEndpoint("vpce-s3", ec2types.VpcEndpointTypeGateway, "com.amazonaws.us-gov-east-1.s3"), "s3"),
			"VPCE-3", false, "Gateway VPC endpoint vpce-s3 (s3) for com.amazonaws.us-gov-east-1.s3 is a regional route-table target with no network interfaces, so it does not depend on any Availability Zone.", ""},
		{"shared endpoint: the owner's account in the ARN", shared,
			"VPCE-1", false, "Interface VPC endpoint vpce-shared for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1b), so it stays reachable if one zone fails.", "222222222222"},
		{"no owner: the scanned account in the ARN", noOwner,
			"VPCE-1", true, "Interface VPC endpoint vpce-noowner for com.amazonaws.us-gov-east-1.sqs has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", ""},
		{"no service name", noService,
			"VPCE-1", false, "Interface VPC endpoint vpce-nosvc has network interfaces in 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1c), so it stays reachable if one zone fails.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeVPCE(c.ep, resolver, vpceTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			owner := c.owner
			if owner == "" {
				owner = "111111111111"
			}
			id := aws.ToString(c.ep.VpcEndpointId)
			if f.ResourceARN != "arn:aws-us-gov:ec2:us-gov-east-1:"+owner+":vpc-endpoint/"+id || f.ResourceName != nameTag(c.ep.Tags) ||
				f.ResourceID != id || f.Engine != "" {
				t.Errorf("resource columns: %+v", f)
			}
			wantSev := SeverityHigh
			if c.check == "VPCE-3" {
				wantSev = SeverityInfo
			}
			if f.Severity != wantSev {
				t.Errorf("severity %s, want %s", f.Severity, wantSev)
			}
		})
	}
}

func TestVPCEGoneStates(t *testing.T) {
	for _, s := range []ec2types.State{"deleting", "deleted", "rejected", "failed", "expired", ec2types.StateDeleted, ec2types.StateExpired} {
		if !vpceGone(s) {
			t.Errorf("%s should be skipped", s)
		}
	}
	for _, s := range []ec2types.State{"available", "pending", "pendingAcceptance", "partial", ec2types.StateAvailable, ""} {
		if vpceGone(s) {
			t.Errorf("%s should be judged", s)
		}
	}
}

// fakeVPCE serves DescribeVpcEndpoints in pages and DescribeSubnets through
// fakeSubnets.
type fakeVPCE struct {
	fakeSubnets
	pages [][]ec2types.VpcEndpoint
	err   error
}

func (f *fakeVPCE) DescribeVpcEndpoints(_ context.Context, in *ec2.DescribeVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.NextToken != nil {
		i = int((*in.NextToken)[0] - '0')
	}
	out := &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(string(rune('0' + i + 1)))
	}
	return out, nil
}

func TestAnalyseVPCEReadsEveryPage(t *testing.T) {
	var gone []ec2types.VpcEndpoint
	for _, s := range []ec2types.State{"deleting", "deleted", "rejected", "failed", "expired"} {
		ep := vpceEndpoint("vpce-"+string(s), ec2types.VpcEndpointTypeInterface, "svc", "subnet-a")
		ep.State = s
		gone = append(gone, ep)
	}
	api := &fakeVPCE{fakeSubnets: fakeSubnets{az: vpceTestSubnetAZs}, pages: [][]ec2types.VpcEndpoint{
		append([]ec2types.VpcEndpoint{vpceEndpoint("vpce-p1", ec2types.VpcEndpointTypeInterface, "svc", "subnet-a")}, gone...),
		{vpceEndpoint("vpce-p2-multi", ec2types.VpcEndpointTypeInterface, "svc", "subnet-b", "subnet-c"),
			vpceEndpoint("vpce-p2-gwlb", ec2types.VpcEndpointTypeGatewayLoadBalancer, "svc", "subnet-c"),
			vpceEndpoint("vpce-p2-s3", ec2types.VpcEndpointTypeGateway, "s3")},
	}}
	var got []Finding
	if err := analyseVPCE(context.Background(), api, vpceTestTarget, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, check string
		risk      bool
	}{{"vpce-p1", "VPCE-1", true}, {"vpce-p2-multi", "VPCE-1", false}, {"vpce-p2-gwlb", "VPCE-2", true}, {"vpce-p2-s3", "VPCE-3", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceID != w.id || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceID, got[i].CheckID, got[i].Risk, w.id, w.check, w.risk)
		}
	}
}

func TestAnalyseVPCEAccessDenied(t *testing.T) {
	var got []Finding
	err := analyseVPCE(context.Background(), &fakeVPCE{err: accessDenied("UnauthorizedOperation")}, vpceTestTarget, collect(&got))
	requireCode(t, err, "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet lookup fails the task before the page is judged.
	api := &fakeVPCE{fakeSubnets: fakeSubnets{err: accessDenied("UnauthorizedOperation")},
		pages: [][]ec2types.VpcEndpoint{{vpceEndpoint("vpce-1", ec2types.VpcEndpointTypeInterface, "svc", "subnet-a")}}}
	err = analyseVPCE(context.Background(), api, vpceTestTarget, collect(&got))
	requireCode(t, err, "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet lookup: %+v", got)
	}
}
