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

func tgwAttachment(id, vpc string, subnets ...string) inventory.TGWAttachment {
	return inventory.TGWAttachment{ID: id, TGWID: "tgw-1", VPCID: vpc, State: "available", Subnets: subnets}
}

func subnetsOf(ids ...string) []*inventory.Subnet {
	idx := netTestIndex()
	out := make([]*inventory.Subnet, len(ids))
	for i, id := range ids {
		out[i] = idx[id]
	}
	return out
}

func TestJudgeTGWAttachment(t *testing.T) {
	const att1 = "Transit gateway attachment tgw-attach-1 of VPC vpc-1 to tgw-1"
	cases := []struct {
		name      string
		a         inventory.TGWAttachment
		routing   []*inventory.Subnet
		check     string
		risk      bool
		message   string
		azs, azID []string
	}{
		{"one zone, other zones route to it", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-a"), subnetsOf("subnet-priv-a", "subnet-priv-b", "subnet-priv-c"),
			"TGW-1", true, att1 + " has subnets in 1 Availability Zone (us-east-1a); traffic to tgw-1 from 2 subnets in 2 Availability Zones without an attachment subnet (us-east-1b, us-east-1c) is dropped: subnet-priv-b in us-east-1b (use1-az2), subnet-priv-c in us-east-1c (use1-az3). All its subnets are in one Availability Zone, so the VPC's transit gateway traffic also stops if us-east-1a fails.",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"two zones, a third routes to it", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-a", "subnet-priv-b"), subnetsOf("subnet-priv-a", "subnet-priv-c"),
			"TGW-1", true, att1 + " has subnets in 2 Availability Zones (us-east-1a, us-east-1b); traffic to tgw-1 from 1 subnet in 1 Availability Zone without an attachment subnet (us-east-1c) is dropped: subnet-priv-c in us-east-1c (use1-az3).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"a subnet not found, another zone routes to it", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-a", "subnet-gone"), subnetsOf("subnet-priv-b"),
			"TGW-1", true, att1 + " has 2 subnets; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-gone); traffic to tgw-1 from 1 subnet in 1 Availability Zone without an attachment subnet (us-east-1b) is dropped: subnet-priv-b in us-east-1b (use1-az2).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"no subnets", tgwAttachment("tgw-attach-1", "vpc-1"), nil,
			"TGW-2", true, att1 + " has no subnets, so it has no network interface in any Availability Zone.", nil, nil},
		{"two subnets in one zone, routed from it", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-pub-a", "subnet-priv-a"), subnetsOf("subnet-priv-a", "subnet-pub-a"),
			"TGW-2", true, att1 + " has 2 subnets, all in one Availability Zone (us-east-1a), so the VPC's traffic through the transit gateway stops if that zone fails (2 subnets of the VPC routing to tgw-1, all in that zone).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"one subnet, no route to it", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-b"), nil,
			"TGW-2", true, att1 + " has 1 subnet, all in one Availability Zone (us-east-1b), so the VPC's traffic through the transit gateway stops if that zone fails (no subnet of the VPC routes to tgw-1).",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
		{"one zone placed and a subnet not found", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-b", "subnet-gone"), subnetsOf("subnet-priv-b"),
			"TGW-2", true, att1 + " has 2 subnets; only 1 Availability Zone could be placed (us-east-1b) and 1 subnet could not be found (subnet-gone), so the VPC's traffic through the transit gateway stops if that zone fails (1 subnet of the VPC routing to tgw-1, all in that zone).",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
		{"every routed zone covered (healthy)", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-a", "subnet-priv-b", "subnet-priv-c"), subnetsOf("subnet-priv-a", "subnet-pub-a", "subnet-priv-b"),
			"TGW-1", false, att1 + " has subnets in 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c), covering every zone whose subnets route to tgw-1 (3 subnets in 2 Availability Zones: us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"two zones, nothing routes to it", tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-a", "subnet-priv-b"), nil,
			"TGW-1", false, att1 + " has subnets in 2 Availability Zones (us-east-1a, us-east-1b); no subnet of the VPC routes to tgw-1.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"zone ID not known", tgwAttachment("tgw-attach-1", "vpc-3", "subnet-x1"), nil,
			"TGW-2", true, "Transit gateway attachment tgw-attach-1 of VPC vpc-3 to tgw-1 has 1 subnet, all in one Availability Zone (us-east-1d), so the VPC's traffic through the transit gateway stops if that zone fails (no subnet of the VPC routes to tgw-1).",
			[]string{"us-east-1d"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeTGWAttachment(c.a, c.routing, netTestIndex(), netTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			if f.ResourceARN != "arn:aws:ec2:us-east-1:111111111111:transit-gateway-attachment/"+c.a.ID || f.ResourceID != c.a.ID ||
				f.ResourceType != "AWS::EC2::TransitGatewayAttachment" || f.Severity != SeverityHigh {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azID) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azID)
			}
		})
	}
}

func toTGW(cidr, tgw string) ec2types.Route {
	return ec2types.Route{DestinationCidrBlock: aws.String(cidr), TransitGatewayId: aws.String(tgw), State: ec2types.RouteStateActive}
}

// tgwTestTables: every private subnet of vpc-1 routes 10.0.0.0/8 to tgw-1;
// vpc-2's subnets in zone a route to it, and the main table (zone b's
// subnets) to another transit gateway; zone c's only through a blackhole.
var tgwTestTables = []ec2types.RouteTable{
	rtb("rtb-1main", "vpc-1", nil, local("10.1.0.0/16")),
	rtb("rtb-1priv", "vpc-1", []string{"subnet-priv-a", "subnet-priv-b", "subnet-priv-c"}, local("10.1.0.0/16"), toTGW("10.0.0.0/8", "tgw-1")),
	rtb("rtb-2main", "vpc-2", nil, local("10.2.0.0/16"), toTGW("10.0.0.0/8", "tgw-2")),
	rtb("rtb-2a", "vpc-2", []string{"subnet-2priv-a", "subnet-2pub-a"}, local("10.2.0.0/16"), toTGW("10.0.0.0/8", "tgw-1")),
	rtb("rtb-2c", "vpc-2", []string{"subnet-2priv-c"}, local("10.2.0.0/16"),
		ec2types.Route{DestinationCidrBlock: aws.String("10.0.0.0/8"), TransitGatewayId: aws.String("tgw-1"), State: ec2types.RouteStateBlackhole}),
}

func tgwTestAttachments() []inventory.TGWAttachment {
	deleted := tgwAttachment("tgw-attach-deleted", "vpc-1", "subnet-priv-a")
	deleted.State = "deleted"
	pending := tgwAttachment("tgw-attach-pending", "vpc-1", "subnet-priv-a")
	pending.State = "pending"
	return []inventory.TGWAttachment{
		tgwAttachment("tgw-attach-1", "vpc-1", "subnet-priv-a"),
		tgwAttachment("tgw-attach-2", "vpc-2", "subnet-2priv-a", "subnet-2priv-b"),
		deleted, pending,
		// Another account's VPC attached to this account's transit gateway.
		tgwAttachment("tgw-attach-shared", "vpc-other", "subnet-other"),
	}
}

func TestAnalyseTGW(t *testing.T) {
	s := testScope()
	inventory.Put(s, tgwAttachments, tgwTestAttachments(), nil)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, tgwTestTables, nil)
	var got []Finding
	if err := analyseTGW(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d findings, want 2: %+v", len(got), got)
	}
	if f := got[0]; f.ResourceID != "tgw-attach-1" || f.CheckID != "TGW-1" || !f.Risk ||
		f.Message != "Transit gateway attachment tgw-attach-1 of VPC vpc-1 to tgw-1 has subnets in 1 Availability Zone (us-east-1a); traffic to tgw-1 from 2 subnets in 2 Availability Zones without an attachment subnet (us-east-1b, us-east-1c) is dropped: subnet-priv-b in us-east-1b (use1-az2), subnet-priv-c in us-east-1c (use1-az3). All its subnets are in one Availability Zone, so the VPC's transit gateway traffic also stops if us-east-1a fails." {
		t.Errorf("tgw-attach-1: %+v", f)
	}
	// Zone b routes to another transit gateway, zone c's route is a
	// blackhole: only zone a routes to tgw-1, and the attachment covers it.
	if f := got[1]; f.ResourceID != "tgw-attach-2" || f.CheckID != "TGW-1" || f.Risk ||
		f.Message != "Transit gateway attachment tgw-attach-2 of VPC vpc-2 to tgw-1 has subnets in 2 Availability Zones (us-east-1a, us-east-1b), covering every zone whose subnets route to tgw-1 (2 subnets in 1 Availability Zone: us-east-1a)." {
		t.Errorf("tgw-attach-2: %+v", f)
	}
}

func TestAnalyseTGWReadsNoRoutesWithoutAnAvailableAttachment(t *testing.T) {
	s := testScope()
	inventory.Put(s, tgwAttachments, tgwTestAttachments()[2:4], nil)
	var got []Finding
	if err := analyseTGW(context.Background(), s, collect(&got)); err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseTGWAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, tgwAttachments, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	requireCode(t, analyseTGW(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	s = testScope()
	inventory.Put(s, tgwAttachments, tgwTestAttachments(), nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseTGW(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
}

// The attachment listing joins two calls: when the second fails, the
// attachments come with the error, and each is still judged.
func TestAnalyseTGWKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, tgwAttachments, tgwTestAttachments()[:1], throttled)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, tgwTestTables, nil)
	var got []Finding
	if err := analyseTGW(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceID != "tgw-attach-1" {
		t.Fatalf("findings: %+v", got)
	}
}

func TestTGWActions(t *testing.T) {
	want := []string{"ec2:DescribeRouteTables", "ec2:DescribeSubnets", "ec2:DescribeTransitGatewayAttachments", "ec2:DescribeTransitGatewayVpcAttachments"}
	if got := TGW.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
