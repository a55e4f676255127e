package analysers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

var vpceTestTarget = Target{AccountID: "111111111111", Partition: "aws-us-gov", Region: "us-gov-east-1"}

// vpceTestSubnets are the region's subnets: subnet-c's zone ID is not
// known, so a placement that includes it leaves the zone IDs to the engine.
var vpceTestSubnets = []inventory.Subnet{
	{ID: "subnet-a", VPCID: "vpc-1", AZ: "us-gov-east-1a", AZID: "usge1-az1"},
	{ID: "subnet-b", VPCID: "vpc-1", AZ: "us-gov-east-1b", AZID: "usge1-az2"},
	{ID: "subnet-c", VPCID: "vpc-1", AZ: "us-gov-east-1c"},
	{ID: "subnet-a2", VPCID: "vpc-1", AZ: "us-gov-east-1a", AZID: "usge1-az1"},
}

func vpceTestSubnetIndex() map[string]inventory.Subnet {
	m := map[string]inventory.Subnet{}
	for _, s := range vpceTestSubnets {
		m[s.ID] = s
	}
	return m
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
		azs     []string
		azIDs   []string
	}{
		{"Interface, one subnet", vpceNamed(vpceEndpoint("vpce-1", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a"), "queue"),
			"VPCE-1", true, "Interface VPC endpoint vpce-1 (queue) for com.amazonaws.us-gov-east-1.sqs has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", "",
			[]string{"us-gov-east-1a"}, []string{"usge1-az1"}},
		{"Interface, two subnets in one AZ", vpceEndpoint("vpce-2", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a", "subnet-a2"),
			"VPCE-1", true, "Interface VPC endpoint vpce-2 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", "",
			[]string{"us-gov-east-1a"}, []string{"usge1-az1"}},
		{"Interface, two AZs", vpceEndpoint("vpce-3", ec2types.VpcEndpointTypeInterface, sqs, "subnet-b", "subnet-a"),
			"VPCE-1", false, "Interface VPC endpoint vpce-3 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1b), so it stays reachable if one zone fails.", "",
			[]string{"us-gov-east-1a", "us-gov-east-1b"}, []string{"usge1-az1", "usge1-az2"}},
		{"Interface, no subnets", vpceEndpoint("vpce-4", ec2types.VpcEndpointTypeInterface, sqs),
			"VPCE-1", true, "Interface VPC endpoint vpce-4 for com.amazonaws.us-gov-east-1.sqs has no subnets, so it has no network interface in any Availability Zone.", "",
			nil, nil},
		{"Interface, a subnet not found", vpceEndpoint("vpce-5", ec2types.VpcEndpointTypeInterface, sqs, "subnet-a", "subnet-gone"),
			"VPCE-1", true, "Interface VPC endpoint vpce-5 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets; only 1 Availability Zone could be placed (us-gov-east-1a) and 1 subnet could not be found (subnet-gone).", "",
			[]string{"us-gov-east-1a"}, []string{"usge1-az1"}},
		{"Resource endpoint, one AZ", vpceEndpoint("vpce-6", ec2types.VpcEndpointTypeResource, "", "subnet-c"),
			"VPCE-1", true, "Resource VPC endpoint vpce-6 has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1c), so an outage of that zone cuts off every client of the endpoint.", "",
			[]string{"us-gov-east-1c"}, nil},
		{"Service network endpoint, three AZs", vpceEndpoint("vpce-7", ec2types.VpcEndpointTypeServiceNetwork, "", "subnet-a", "subnet-b", "subnet-c"),
			"VPCE-1", false, "Service network VPC endpoint vpce-7 has network interfaces in 3 subnets across 3 Availability Zones (us-gov-east-1a, us-gov-east-1b, us-gov-east-1c), so it stays reachable if one zone fails.", "",
			[]string{"us-gov-east-1a", "us-gov-east-1b", "us-gov-east-1c"}, nil},
		{"endpoint without a type", vpceEndpoint("vpce-8", "", sqs, "subnet-a"),
			"VPCE-1", true, "VPC endpoint vpce-8 for com.amazonaws.us-gov-east-1.sqs has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", "",
			[]string{"us-gov-east-1a"}, []string{"usge1-az1"}},
		{"GWLB, one subnet (by design)", vpceNamed(vpceEndpoint("vpce-g1", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-a"), "inspect-a"),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g1 (inspect-a) for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 is in one Availability Zone (us-gov-east-1a); a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.", "",
			[]string{"us-gov-east-1a"}, []string{"usge1-az1"}},
		{"GWLB, subnet not found", vpceEndpoint("vpce-g2", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-gone"),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g2 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 is in an unknown Availability Zone (1 subnet not found: subnet-gone); a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.", "",
			nil, nil},
		{"GWLB, one AZ and a subnet not found", vpceEndpoint("vpce-g3", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-b", "subnet-gone"),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g3 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 is in one Availability Zone (us-gov-east-1b; 1 subnet not found: subnet-gone); a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.", "",
			[]string{"us-gov-east-1b"}, []string{"usge1-az2"}},
		{"GWLB, no subnets", vpceEndpoint("vpce-g4", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc),
			"VPCE-2", true, "Gateway Load Balancer VPC endpoint vpce-g4 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 has no subnets, so it has no network interface in any Availability Zone.", "",
			nil, nil},
		{"GWLB over two AZs (not possible today)", vpceEndpoint("vpce-g5", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlbSvc, "subnet-a", "subnet-b"),
			"VPCE-2", false, "Gateway Load Balancer VPC endpoint vpce-g5 for com.amazonaws.vpce.us-gov-east-1.vpce-svc-0123456789abcdef0 has 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1b), so it does not depend on one zone.", "",
			[]string{"us-gov-east-1a", "us-gov-east-1b"}, []string{"usge1-az1", "usge1-az2"}},
		{"Gateway endpoint", vpceNamed(vpceEndpoint("vpce-s3", ec2types.VpcEndpointTypeGateway, "com.amazonaws.us-gov-east-1.s3"), "s3"),
			"VPCE-3", false, "Gateway VPC endpoint vpce-s3 (s3) for com.amazonaws.us-gov-east-1.s3 is a regional route-table target with no network interfaces, so it does not depend on any Availability Zone.", "",
			nil, nil},
		{"shared endpoint: the owner's account in the ARN", shared,
			"VPCE-1", false, "Interface VPC endpoint vpce-shared for com.amazonaws.us-gov-east-1.sqs has network interfaces in 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1b), so it stays reachable if one zone fails.", "222222222222",
			[]string{"us-gov-east-1a", "us-gov-east-1b"}, []string{"usge1-az1", "usge1-az2"}},
		{"no owner: the scanned account in the ARN", noOwner,
			"VPCE-1", true, "Interface VPC endpoint vpce-noowner for com.amazonaws.us-gov-east-1.sqs has network interfaces in 1 subnet, all in one Availability Zone (us-gov-east-1a), so an outage of that zone cuts off every client of the endpoint.", "",
			[]string{"us-gov-east-1a"}, []string{"usge1-az1"}},
		{"no service name", noService,
			"VPCE-1", false, "Interface VPC endpoint vpce-nosvc has network interfaces in 2 subnets across 2 Availability Zones (us-gov-east-1a, us-gov-east-1c), so it stays reachable if one zone fails.", "",
			[]string{"us-gov-east-1a", "us-gov-east-1c"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeVPCE(c.ep, vpceTestSubnetIndex(), vpceTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			owner := c.owner
			if owner == "" {
				owner = "111111111111"
			}
			id := aws.ToString(c.ep.VpcEndpointId)
			if f.ResourceARN != "arn:aws-us-gov:ec2:us-gov-east-1:"+owner+":vpc-endpoint/"+id || f.ResourceName != nameTag(c.ep.Tags) ||
				f.ResourceID != id || f.Engine != "" || f.ResourceType != "AWS::EC2::VPCEndpoint" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
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

func TestAnalyseVPCE(t *testing.T) {
	var eps []ec2types.VpcEndpoint
	for _, s := range []ec2types.State{"deleting", "deleted", "rejected", "failed", "expired"} {
		ep := vpceEndpoint("vpce-"+string(s), ec2types.VpcEndpointTypeInterface, "svc", "subnet-a")
		ep.State = s
		eps = append(eps, ep)
	}
	eps = append(eps,
		vpceEndpoint("vpce-one", ec2types.VpcEndpointTypeInterface, "svc", "subnet-a"),
		vpceEndpoint("vpce-multi", ec2types.VpcEndpointTypeInterface, "svc", "subnet-b", "subnet-c"),
		vpceEndpoint("vpce-gwlb", ec2types.VpcEndpointTypeGatewayLoadBalancer, "svc", "subnet-c"),
		vpceEndpoint("vpce-s3", ec2types.VpcEndpointTypeGateway, "s3"))
	s := testScope()
	inventory.Put(s, vpceEndpoints, eps, nil)
	inventory.Put(s, inventory.Subnets, vpceTestSubnets, nil)
	var got []Finding
	if err := analyseVPCE(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, check string
		risk      bool
	}{{"vpce-one", "VPCE-1", true}, {"vpce-multi", "VPCE-1", false}, {"vpce-gwlb", "VPCE-2", true}, {"vpce-s3", "VPCE-3", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceID != w.id || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceID, got[i].CheckID, got[i].Risk, w.id, w.check, w.risk)
		}
	}
	// The ARN is built in the scope's partition and region.
	if got[0].ResourceARN != "arn:aws:ec2:us-east-1:111111111111:vpc-endpoint/vpce-one" {
		t.Errorf("ARN %s", got[0].ResourceARN)
	}
}

func TestAnalyseVPCEAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, vpceEndpoints, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	requireCode(t, analyseVPCE(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, vpceEndpoints, []ec2types.VpcEndpoint{vpceEndpoint("vpce-1", ec2types.VpcEndpointTypeInterface, "svc", "subnet-a")}, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseVPCE(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// Gateway endpoints, endpoints without subnets and endpoints on their
	// way out need no subnet read: with subnets unreadable they are still
	// judged (or skipped).
	s = testScope()
	gone := vpceEndpoint("vpce-gone", ec2types.VpcEndpointTypeInterface, "svc", "subnet-a")
	gone.State = "deleted"
	inventory.Put(s, vpceEndpoints, []ec2types.VpcEndpoint{
		vpceEndpoint("vpce-s3", ec2types.VpcEndpointTypeGateway, "s3"), vpceEndpoint("vpce-bare", ec2types.VpcEndpointTypeInterface, "svc"), gone}, nil)
	if err := analyseVPCE(context.Background(), s, collect(&got)); err != nil || len(got) != 2 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseVPCEKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, vpceEndpoints, []ec2types.VpcEndpoint{vpceEndpoint("vpce-page1", ec2types.VpcEndpointTypeInterface, "svc", "subnet-b")}, throttled)
	inventory.Put(s, inventory.Subnets, vpceTestSubnets, nil)
	var got []Finding
	if err := analyseVPCE(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceID != "vpce-page1" {
		t.Fatalf("findings: %+v", got)
	}
}

// The analyser's actions are its kind's and the zone lookups'.
func TestVPCEActions(t *testing.T) {
	want := []string{"ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints"}
	if got := VPCE.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
