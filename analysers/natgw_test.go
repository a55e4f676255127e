package analysers

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

// netTestSubnets are a region's subnets: vpc-1 has a public subnet and
// private subnets in three zones; vpc-2 one public and one private subnet in
// each of two zones, and a private subnet in a third; subnet-x1's zone ID is
// not known.
var netTestSubnets = []inventory.Subnet{
	{ID: "subnet-pub-a", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1"},
	{ID: "subnet-priv-a", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1"},
	{ID: "subnet-priv-b", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2"},
	{ID: "subnet-priv-c", VPCID: "vpc-1", AZ: "us-east-1c", AZID: "use1-az3"},
	{ID: "subnet-2pub-a", VPCID: "vpc-2", AZ: "us-east-1a", AZID: "use1-az1"},
	{ID: "subnet-2pub-b", VPCID: "vpc-2", AZ: "us-east-1b", AZID: "use1-az2"},
	{ID: "subnet-2priv-a", VPCID: "vpc-2", AZ: "us-east-1a", AZID: "use1-az1"},
	{ID: "subnet-2priv-b", VPCID: "vpc-2", AZ: "us-east-1b", AZID: "use1-az2"},
	{ID: "subnet-2priv-c", VPCID: "vpc-2", AZ: "us-east-1c", AZID: "use1-az3"},
	{ID: "subnet-x1", VPCID: "vpc-3", AZ: "us-east-1d"},
}

// netTestIndex is netTestSubnets as the Network holds them.
func netTestIndex() map[string]*inventory.Subnet {
	m := map[string]*inventory.Subnet{}
	for _, s := range netTestSubnets {
		sn := s
		m[s.ID] = &sn
	}
	return m
}

var netTestTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

func zonalNAT(id, subnet string) ec2types.NatGateway {
	return ec2types.NatGateway{NatGatewayId: aws.String(id), SubnetId: aws.String(subnet), VpcId: aws.String("vpc-1"),
		State: ec2types.NatGatewayStateAvailable, ConnectivityType: ec2types.ConnectivityTypePublic, AvailabilityMode: ec2types.AvailabilityModeZonal}
}

func regionalNAT(id string, auto ec2types.AutoProvisionZonesState, zones ...string) ec2types.NatGateway {
	g := ec2types.NatGateway{NatGatewayId: aws.String(id), VpcId: aws.String("vpc-1"), State: ec2types.NatGatewayStateAvailable,
		AvailabilityMode: ec2types.AvailabilityModeRegional, AutoProvisionZones: auto}
	for _, z := range zones {
		g.NatGatewayAddresses = append(g.NatGatewayAddresses, ec2types.NatGatewayAddress{AvailabilityZone: aws.String(z),
			AvailabilityZoneId: aws.String("use1-az" + z[len(z)-1:]), Status: ec2types.NatGatewayAddressStatusSucceeded})
	}
	return g
}

func usesOf(nat string, subnets ...string) []natUse {
	idx := netTestIndex()
	var out []natUse
	for _, s := range subnets {
		out = append(out, natUse{Subnet: idx[s], NAT: nat})
	}
	return out
}

func TestJudgeNATGateway(t *testing.T) {
	named := zonalNAT("nat-n", "subnet-pub-a")
	named.Tags = []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("egress-a")}}
	private := zonalNAT("nat-p", "subnet-pub-a")
	private.ConnectivityType = ec2types.ConnectivityTypePrivate
	byAddress := zonalNAT("nat-addr", "subnet-gone")
	byAddress.NatGatewayAddresses = []ec2types.NatGatewayAddress{{AvailabilityZone: aws.String("us-east-1b"), AvailabilityZoneId: aws.String("use1-az2")}}
	noMode := zonalNAT("nat-old", "subnet-pub-a")
	noMode.AvailabilityMode = ""
	failedAddr := regionalNAT("nat-r5", ec2types.AutoProvisionZonesStateDisabled, "us-east-1a", "us-east-1b")
	failedAddr.NatGatewayAddresses[1].Status = ec2types.NatGatewayAddressStatusFailed
	cases := []struct {
		name      string
		g         ec2types.NatGateway
		uses      []natUse
		check     string
		risk      bool
		message   string
		azs, azID []string
	}{
		{"zonal, used by other zones and its own", named, usesOf("nat-n", "subnet-priv-a", "subnet-priv-b", "subnet-priv-c"),
			"NATGW-1", true, "NAT gateway nat-n (egress-a) in us-east-1a (use1-az1) is the egress route of 2 subnets in other Availability Zones, which lose their egress if us-east-1a fails: subnet-priv-b in us-east-1b (use1-az2), subnet-priv-c in us-east-1c (use1-az3). It is also the egress route of 1 subnet in its own zone (subnet-priv-a).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"zonal, used by another zone only", zonalNAT("nat-1", "subnet-pub-a"), usesOf("nat-1", "subnet-priv-b"),
			"NATGW-1", true, "NAT gateway nat-1 in us-east-1a (use1-az1) is the egress route of 1 subnet in other Availability Zones, which lose their egress if us-east-1a fails: subnet-priv-b in us-east-1b (use1-az2).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"zonal, used by a subnet whose zone ID is unknown", zonalNAT("nat-1", "subnet-pub-a"), usesOf("nat-1", "subnet-x1"),
			"NATGW-1", true, "NAT gateway nat-1 in us-east-1a (use1-az1) is the egress route of 1 subnet in other Availability Zones, which lose their egress if us-east-1a fails: subnet-x1 in us-east-1d.",
			[]string{"us-east-1a", "us-east-1d"}, nil},
		{"zonal, own zone only (healthy)", zonalNAT("nat-1", "subnet-pub-a"), usesOf("nat-1", "subnet-priv-a", "subnet-2priv-a"),
			"NATGW-1", false, "NAT gateway nat-1 in us-east-1a (use1-az1) is the egress route of 2 subnets, all in its own Availability Zone (subnet-priv-a, subnet-2priv-a).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"zonal without an availability mode (older API)", noMode, usesOf("nat-old", "subnet-priv-a"),
			"NATGW-1", false, "NAT gateway nat-old in us-east-1a (use1-az1) is the egress route of 1 subnet, all in its own Availability Zone (subnet-priv-a).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"zonal, unused", zonalNAT("nat-1", "subnet-pub-a"), nil,
			"NATGW-1", false, "NAT gateway nat-1 in us-east-1a (use1-az1) is the egress route of no subnet: no route table sends 0.0.0.0/0, ::/0 or 64:ff9b::/96 to it.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"private NAT gateway", private, usesOf("nat-p", "subnet-priv-b"),
			"NATGW-1", true, "private NAT gateway nat-p in us-east-1a (use1-az1) is the egress route of 1 subnet in other Availability Zones, which lose their egress if us-east-1a fails: subnet-priv-b in us-east-1b (use1-az2).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"zonal, subnet gone, zone from its address", byAddress, usesOf("nat-addr", "subnet-priv-b"),
			"NATGW-1", false, "NAT gateway nat-addr in us-east-1b (use1-az2) is the egress route of 1 subnet, all in its own Availability Zone (subnet-priv-b).",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
		{"zonal, zone unknown, used", zonalNAT("nat-1", "subnet-gone"), usesOf("nat-1", "subnet-priv-a", "subnet-priv-b"),
			"NATGW-1", true, "NAT gateway nat-1 is in subnet subnet-gone, which could not be found, so its Availability Zone is unknown; it is the egress route of 2 subnets in 2 Availability Zones (us-east-1a, us-east-1b), which cannot be shown to use a NAT gateway of their own zone: subnet-priv-a in us-east-1a (use1-az1), subnet-priv-b in us-east-1b (use1-az2).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"zonal, zone unknown, unused", zonalNAT("nat-1", "subnet-gone"), nil,
			"NATGW-1", false, "NAT gateway nat-1 is in subnet subnet-gone, which could not be found, and is the egress route of no subnet: no route table sends 0.0.0.0/0, ::/0 or 64:ff9b::/96 to it.",
			nil, nil},
		{"regional, a zone it does not serve, manual", regionalNAT("nat-r1", ec2types.AutoProvisionZonesStateDisabled, "us-east-1a", "us-east-1b"), usesOf("nat-r1", "subnet-priv-a", "subnet-priv-c"),
			"NATGW-3", true, "regional NAT gateway nat-r1 serves 2 Availability Zones (us-east-1a, us-east-1b) and is the egress route of 1 subnet in zones it does not serve: subnet-priv-c in us-east-1c (use1-az3); automatic zone provisioning is disabled, so they have no egress through it until their zones are added.",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"regional, a zone it does not serve, automatic", regionalNAT("nat-r2", ec2types.AutoProvisionZonesStateEnabled, "us-east-1a"), usesOf("nat-r2", "subnet-priv-b", "subnet-priv-c"),
			"NATGW-3", true, "regional NAT gateway nat-r2 serves 1 Availability Zone (us-east-1a) and is the egress route of 2 subnets in zones it does not serve: subnet-priv-b in us-east-1b (use1-az2), subnet-priv-c in us-east-1c (use1-az3); it provisions zones automatically but does not serve those zones now, so until it expands there their egress depends on the zones it serves.",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"regional, every zone served", regionalNAT("nat-r3", ec2types.AutoProvisionZonesStateEnabled, "us-east-1a", "us-east-1b", "us-east-1c"), usesOf("nat-r3", "subnet-priv-a", "subnet-priv-b"),
			"NATGW-3", false, "regional NAT gateway nat-r3 serves 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c), every zone of the 2 subnets whose egress route it is.",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"regional, unused", regionalNAT("nat-r4", ec2types.AutoProvisionZonesStateEnabled), nil,
			"NATGW-3", false, "regional NAT gateway nat-r4 serves 0 Availability Zones (none) and is the egress route of no subnet: no route table sends 0.0.0.0/0, ::/0 or 64:ff9b::/96 to it.",
			nil, nil},
		{"regional, a failed address serves nothing", failedAddr, usesOf("nat-r5", "subnet-priv-b"),
			"NATGW-3", true, "regional NAT gateway nat-r5 serves 1 Availability Zone (us-east-1a) and is the egress route of 1 subnet in zones it does not serve: subnet-priv-b in us-east-1b (use1-az2); automatic zone provisioning is disabled, so they have no egress through it until their zones are added.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeNATGateway(c.g, c.uses, netTestIndex(), netTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			id := aws.ToString(c.g.NatGatewayId)
			if f.ResourceARN != "arn:aws:ec2:us-east-1:111111111111:natgateway/"+id || f.ResourceID != id ||
				f.ResourceName != nameTag(c.g.Tags) || f.ResourceType != "AWS::EC2::NatGateway" || f.Severity != SeverityHigh {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azID) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azID)
			}
		})
	}
}

func TestJudgeNATVPC(t *testing.T) {
	nats := map[string]ec2types.NatGateway{
		"nat-a":  zonalNAT("nat-a", "subnet-pub-a"),
		"nat-b":  zonalNAT("nat-b", "subnet-2pub-b"),
		"nat-x":  zonalNAT("nat-x", "subnet-gone"),
		"nat-r":  regionalNAT("nat-r", ec2types.AutoProvisionZonesStateEnabled, "us-east-1a", "us-east-1b"),
		"nat-2a": zonalNAT("nat-2a", "subnet-2pub-a"),
	}
	cases := []struct {
		name      string
		vpc       string
		uses      []natUse
		risk      bool
		message   string
		azs, azID []string
	}{
		{"several zones, one zonal gateway", "vpc-1", usesOf("nat-a", "subnet-priv-a", "subnet-priv-b", "subnet-priv-c"),
			true, "VPC vpc-1 has 3 private subnets in 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c) whose egress all goes through one zonal NAT gateway, nat-a in us-east-1a (use1-az1): if that zone fails, every zone of the VPC loses its egress.",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"several zones, one gateway whose zone is unknown", "vpc-1", usesOf("nat-x", "subnet-priv-a", "subnet-priv-b"),
			true, "VPC vpc-1 has 2 private subnets in 2 Availability Zones (us-east-1a, us-east-1b) whose egress all goes through one zonal NAT gateway, nat-x (zone unknown): if that zone fails, every zone of the VPC loses its egress.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"a gateway per zone", "vpc-2", append(usesOf("nat-2a", "subnet-2priv-a"), usesOf("nat-b", "subnet-2priv-b")...),
			false, "VPC vpc-2 has 2 private subnets in 2 Availability Zones (us-east-1a, us-east-1b) whose egress goes through 2 NAT gateways (nat-2a in us-east-1a (use1-az1), nat-b in us-east-1b (use1-az2)), not through one zonal NAT gateway.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"one regional gateway", "vpc-1", usesOf("nat-r", "subnet-priv-a", "subnet-priv-b"),
			false, "VPC vpc-1 has 2 private subnets in 2 Availability Zones (us-east-1a, us-east-1b) whose egress goes through 1 NAT gateway (nat-r (regional)), not through one zonal NAT gateway.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"one zone", "vpc-2", usesOf("nat-b", "subnet-2priv-a"),
			false, "VPC vpc-2 has 1 private subnet, all in one Availability Zone (us-east-1a), whose egress goes through 1 NAT gateway (nat-b in us-east-1b (use1-az2)): no NAT gateway carries the egress of several zones of it.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeNATVPC(c.vpc, c.uses, nats, netTestIndex(), netTestTarget)
			if f.CheckID != "NATGW-2" || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant NATGW-2 %v %q", f.CheckID, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != "arn:aws:ec2:us-east-1:111111111111:vpc/"+c.vpc || f.ResourceID != c.vpc || f.ResourceType != "AWS::EC2::VPC" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azID) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azID)
			}
		})
	}
}

// rtb is a route table associated with subnets (none: its VPC's main table).
func rtb(id, vpc string, subnets []string, routes ...ec2types.Route) ec2types.RouteTable {
	t := ec2types.RouteTable{RouteTableId: aws.String(id), VpcId: aws.String(vpc), Routes: routes}
	if len(subnets) == 0 {
		t.Associations = []ec2types.RouteTableAssociation{{Main: aws.Bool(true)}}
	}
	for _, s := range subnets {
		t.Associations = append(t.Associations, ec2types.RouteTableAssociation{SubnetId: aws.String(s)})
	}
	return t
}

func local(cidr string) ec2types.Route {
	return ec2types.Route{DestinationCidrBlock: aws.String(cidr), GatewayId: aws.String("local"), State: ec2types.RouteStateActive}
}

func toNAT(cidr, nat string) ec2types.Route {
	return ec2types.Route{DestinationCidrBlock: aws.String(cidr), NatGatewayId: aws.String(nat), State: ec2types.RouteStateActive}
}

func toGateway(cidr, gw string) ec2types.Route {
	return ec2types.Route{DestinationCidrBlock: aws.String(cidr), GatewayId: aws.String(gw), State: ec2types.RouteStateActive}
}

// natTestTables: vpc-1's main table sends 0.0.0.0/0 to the internet
// gateway, its private subnets all to nat-a; vpc-2's private subnets each
// to the gateway of their zone (a's also ::/0 to an egress-only internet
// gateway and NAT64 to its gateway, b's behind a propagated default route
// that the static one beats), and c's to a deleted gateway.
var natTestTables = []ec2types.RouteTable{
	rtb("rtb-1main", "vpc-1", nil, local("10.1.0.0/16"), toGateway("0.0.0.0/0", "igw-1")),
	rtb("rtb-1priv", "vpc-1", []string{"subnet-priv-a", "subnet-priv-b", "subnet-priv-c"}, local("10.1.0.0/16"), toNAT("0.0.0.0/0", "nat-a")),
	rtb("rtb-2main", "vpc-2", nil, local("10.2.0.0/16"), toGateway("0.0.0.0/0", "igw-2")),
	rtb("rtb-2a", "vpc-2", []string{"subnet-2priv-a"}, local("10.2.0.0/16"), toNAT("0.0.0.0/0", "nat-2a"),
		ec2types.Route{DestinationIpv6CidrBlock: aws.String("::/0"), EgressOnlyInternetGatewayId: aws.String("eigw-2")},
		ec2types.Route{DestinationIpv6CidrBlock: aws.String("64:ff9b::/96"), NatGatewayId: aws.String("nat-2a")}),
	rtb("rtb-2b", "vpc-2", []string{"subnet-2priv-b"}, local("10.2.0.0/16"),
		ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String("vgw-2"), Origin: ec2types.RouteOriginEnableVgwRoutePropagation},
		toNAT("0.0.0.0/0", "nat-2b")),
	rtb("rtb-2c", "vpc-2", []string{"subnet-2priv-c"}, local("10.2.0.0/16"), toNAT("0.0.0.0/0", "nat-gone")),
}

func natTestGateways() []ec2types.NatGateway {
	gone := zonalNAT("nat-gone", "subnet-2pub-a")
	gone.State = ec2types.NatGatewayStateDeleted
	return []ec2types.NatGateway{zonalNAT("nat-a", "subnet-pub-a"), zonalNAT("nat-2a", "subnet-2pub-a"), zonalNAT("nat-2b", "subnet-2pub-b"), gone}
}

func TestAnalyseNATGW(t *testing.T) {
	s := testScope()
	inventory.Put(s, natGateways, natTestGateways(), nil)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, natTestTables, nil)
	var got []Finding
	if err := analyseNATGW(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, check string
		risk      bool
	}{{"nat-a", "NATGW-1", true}, {"nat-2a", "NATGW-1", false}, {"nat-2b", "NATGW-1", false}, {"vpc-1", "NATGW-2", true}, {"vpc-2", "NATGW-2", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceID != w.id || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceID, got[i].CheckID, got[i].Risk, w.id, w.check, w.risk)
		}
	}
	if m := got[0].Message; m != "NAT gateway nat-a in us-east-1a (use1-az1) is the egress route of 2 subnets in other Availability Zones, which lose their egress if us-east-1a fails: subnet-priv-b in us-east-1b (use1-az2), subnet-priv-c in us-east-1c (use1-az3). It is also the egress route of 1 subnet in its own zone (subnet-priv-a)." {
		t.Errorf("nat-a: %s", m)
	}
	// The NAT64 route adds no second use; the deleted gateway's subnet is no
	// private subnet of vpc-2.
	if m := got[4].Message; m != "VPC vpc-2 has 2 private subnets in 2 Availability Zones (us-east-1a, us-east-1b) whose egress goes through 2 NAT gateways (nat-2a in us-east-1a (use1-az1), nat-2b in us-east-1b (use1-az2)), not through one zonal NAT gateway." {
		t.Errorf("vpc-2: %s", m)
	}
}

// The egress routes: a default route to a NAT gateway, whatever comes
// first in the table; ::/0 to an egress-only internet gateway is none; a
// blackhole is none; NAT64 counts.
func TestNATUses(t *testing.T) {
	s := testScope()
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, []ec2types.RouteTable{
		rtb("rtb-a", "vpc-1", []string{"subnet-priv-a"}, local("10.1.0.0/16"), toNAT("10.9.0.0/16", "nat-a"),
			ec2types.Route{DestinationIpv6CidrBlock: aws.String("::/0"), EgressOnlyInternetGatewayId: aws.String("eigw-1")}),
		rtb("rtb-b", "vpc-1", []string{"subnet-priv-b"}, ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String("nat-a"), State: ec2types.RouteStateBlackhole}),
		rtb("rtb-c", "vpc-1", []string{"subnet-priv-c"}, ec2types.Route{DestinationIpv6CidrBlock: aws.String("64:ff9b::/96"), NatGatewayId: aws.String("nat-a")}),
	}, nil)
	n, err := inventory.RoutingOf(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	uses := natUses(n, []ec2types.NatGateway{zonalNAT("nat-a", "subnet-pub-a")})
	if len(uses) != 1 || uses[0].Subnet.ID != "subnet-priv-c" || uses[0].NAT != "nat-a" {
		t.Fatalf("uses %+v", uses)
	}
}

// netLiveRoutes keeps the route each destination uses: a static route
// beats a propagated one, a blackhole carries nothing, a prefix-list route
// is kept, a subnet without an explicit table uses its VPC's main one, and a
// subnet of a VPC whose tables are not visible has none.
func TestNetLiveRoutes(t *testing.T) {
	s := testScope()
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, []ec2types.RouteTable{
		rtb("rtb-main", "vpc-1", nil, local("10.1.0.0/16"), toGateway("0.0.0.0/0", "igw-1")),
		rtb("rtb-a", "vpc-1", []string{"subnet-priv-a"}, local("10.1.0.0/16"),
			ec2types.Route{DestinationCidrBlock: aws.String("10.8.0.0/16"), GatewayId: aws.String("vgw-1"), Origin: ec2types.RouteOriginEnableVgwRoutePropagation},
			ec2types.Route{DestinationCidrBlock: aws.String("10.8.0.0/16"), TransitGatewayId: aws.String("tgw-1")},
			ec2types.Route{DestinationCidrBlock: aws.String("10.7.0.0/16"), TransitGatewayId: aws.String("tgw-old"), State: ec2types.RouteStateBlackhole},
			ec2types.Route{DestinationPrefixListId: aws.String("pl-1"), GatewayId: aws.String("vpce-s3")}),
	}, nil)
	n, err := inventory.RoutingOf(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range netLiveRoutes(n, n.Subnets["subnet-priv-a"]) {
		got = append(got, r.Destination.String()+r.PrefixListID+">"+r.Target)
	}
	if want := []string{"10.1.0.0/16>local", "10.8.0.0/16>tgw-1", "invalid Prefixpl-1>vpce-s3"}; !slices.Equal(got, want) {
		t.Errorf("live routes %v, want %v", got, want)
	}
	if r := netLiveRoutes(n, n.Subnets["subnet-priv-b"]); len(r) != 2 || r[1].Target != "igw-1" || r[1].Destination != netip.MustParsePrefix("0.0.0.0/0") {
		t.Errorf("main table routes %+v", r)
	}
	if r := netLiveRoutes(n, n.Subnets["subnet-x1"]); r != nil {
		t.Errorf("routes of a subnet without a table: %+v", r)
	}
}

func TestAnalyseNATGWReadsNoRoutesWithoutALiveGateway(t *testing.T) {
	// Subnets and route tables are not in the scope: reading them would fail.
	s := testScope()
	gone := zonalNAT("nat-gone", "subnet-pub-a")
	gone.State = "deleting"
	failed := zonalNAT("nat-failed", "subnet-pub-a")
	failed.State = ec2types.NatGatewayStateFailed
	inventory.Put(s, natGateways, []ec2types.NatGateway{gone, failed}, nil)
	var got []Finding
	if err := analyseNATGW(context.Background(), s, collect(&got)); err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseNATGWAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, natGateways, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	requireCode(t, analyseNATGW(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied route table read fails the task before anything is judged:
	// every subnet would fall back to its VPC's main table.
	s = testScope()
	inventory.Put(s, natGateways, natTestGateways(), nil)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, natTestTables[:1], accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseNATGW(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied route table read: %+v", got)
	}
}

// A gateway listing that fails part-way: the gateways read are judged, the
// VPCs are not (a subnet routing to a gateway not read would be missing).
func TestAnalyseNATGWKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, natGateways, natTestGateways()[:1], throttled)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, natTestTables, nil)
	var got []Finding
	if err := analyseNATGW(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceID != "nat-a" || !got[0].Risk {
		t.Fatalf("findings: %+v", got)
	}
}

func TestNATGWActions(t *testing.T) {
	want := []string{"ec2:DescribeNatGateways", "ec2:DescribeRouteTables", "ec2:DescribeSubnets"}
	if got := NATGW.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
