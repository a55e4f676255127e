package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/analysers"
)

// netSeed creates VPCs, subnets and route tables in one account and region
// for the routing analysers' seeders, and remembers each zone's ID.
type netSeed struct {
	t      *testing.T
	ctx    context.Context
	api    *ec2.Client
	zoneID map[string]string
}

func newNetSeed(t *testing.T, ctx context.Context, cfg aws.Config) *netSeed {
	return &netSeed{t: t, ctx: ctx, api: ec2.NewFromConfig(cfg), zoneID: map[string]string{}}
}

func (n *netSeed) vpc(cidr string) string {
	n.t.Helper()
	out, err := n.api.CreateVpc(n.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	if err != nil {
		n.t.Fatal(err)
	}
	return aws.ToString(out.Vpc.VpcId)
}

func (n *netSeed) subnet(vpc, cidr, az string) string {
	n.t.Helper()
	out, err := n.api.CreateSubnet(n.ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})
	if err != nil {
		n.t.Fatal(err)
	}
	if out.Subnet.AvailabilityZoneId == nil {
		n.t.Fatalf("moto gave subnet %s no zone ID", aws.ToString(out.Subnet.SubnetId))
	}
	n.zoneID[az] = aws.ToString(out.Subnet.AvailabilityZoneId)
	return aws.ToString(out.Subnet.SubnetId)
}

// at is "subnet-1 in eu-west-2a (euw2-az2)", as the messages name subnets.
func (n *netSeed) at(subnet, az string) string { return subnet + " in " + n.zone(az) }

// zone is "eu-west-2a (euw2-az2)".
func (n *netSeed) zone(az string) string { return az + " (" + n.zoneID[az] + ")" }

// table creates a route table with routes, associated with subnets.
func (n *netSeed) table(vpc string, subnets []string, routes ...ec2.CreateRouteInput) string {
	n.t.Helper()
	out, err := n.api.CreateRouteTable(n.ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})
	if err != nil {
		n.t.Fatal(err)
	}
	id := out.RouteTable.RouteTableId
	n.routes(aws.ToString(id), routes...)
	for _, s := range subnets {
		if _, err := n.api.AssociateRouteTable(n.ctx, &ec2.AssociateRouteTableInput{RouteTableId: id, SubnetId: aws.String(s)}); err != nil {
			n.t.Fatal(err)
		}
	}
	return aws.ToString(id)
}

func (n *netSeed) routes(table string, routes ...ec2.CreateRouteInput) {
	n.t.Helper()
	for _, r := range routes {
		r.RouteTableId = aws.String(table)
		if _, err := n.api.CreateRoute(n.ctx, &r); err != nil {
			n.t.Fatalf("route %+v: %v", r, err)
		}
	}
}

// mainTable is the VPC's main route table.
func (n *netSeed) mainTable(vpc string) string {
	n.t.Helper()
	out, err := n.api.DescribeRouteTables(n.ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("association.main"), Values: []string{"true"}}}})
	if err != nil || len(out.RouteTables) != 1 {
		n.t.Fatalf("main table of %s: %v %+v", vpc, err, out)
	}
	return aws.ToString(out.RouteTables[0].RouteTableId)
}

// internetGateway attaches a new internet gateway to vpc and sends the
// main table's 0.0.0.0/0 to it (the public subnets).
func (n *netSeed) internetGateway(vpc string) string {
	n.t.Helper()
	out, err := n.api.CreateInternetGateway(n.ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		n.t.Fatal(err)
	}
	igw := out.InternetGateway.InternetGatewayId
	if _, err := n.api.AttachInternetGateway(n.ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw, VpcId: aws.String(vpc)}); err != nil {
		n.t.Fatal(err)
	}
	n.routes(n.mainTable(vpc), ec2.CreateRouteInput{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw})
	return aws.ToString(igw)
}

func (n *netSeed) natGateway(name, subnet string) string {
	n.t.Helper()
	eip, err := n.api.AllocateAddress(n.ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		n.t.Fatal(err)
	}
	out, err := n.api.CreateNatGateway(n.ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnet), AllocationId: eip.AllocationId,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeNatgateway,
			Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}})
	if err != nil {
		n.t.Fatal(err)
	}
	return aws.ToString(out.NatGateway.NatGatewayId)
}

func toNATRoute(cidr, nat string) ec2.CreateRouteInput {
	return ec2.CreateRouteInput{DestinationCidrBlock: aws.String(cidr), NatGatewayId: aws.String(nat)}
}

// seedNATGW creates, beside the default VPC (public only: no row):
//   - vpc-shared: a public subnet in zone a with NAT gateway nat-shared,
//     which is the egress of private subnets in zones a and b (NATGW-1 risk;
//     the VPC NATGW-2 risk), and an idle NAT gateway no subnet uses;
//   - vpc-zonal: a NAT gateway per zone, each the egress of its own zone's
//     private subnet (healthy); zone a's table also sends ::/0 to an
//     egress-only internet gateway (no NAT dependency); a third private
//     subnet routes to a NAT gateway that is then deleted (moto keeps it,
//     "deleted": not judged, and its subnet is no private subnet).
//
// Covered by fakes only: regional NAT gateways (moto 5.2.1 ignores
// AvailabilityMode and reports no address zones), failed and deleting
// gateways, NAT gateways whose subnet is gone, blackhole and propagated
// default routes, NAT64 routes, and a NAT gateway listing that fails
// part-way. moto ignores MaxResults, so the two-page read is proven by the
// inventory's unit test.
func seedNATGW(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	n := newNetSeed(t, ctx, cfg)
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"
	account := accountOf(t, ctx, cfg)
	arn := func(kind, id string) string { return "arn:aws:ec2:" + r + ":" + account + ":" + kind + "/" + id }

	shared := n.vpc("10.31.0.0/16")
	n.internetGateway(shared)
	pubA := n.subnet(shared, "10.31.0.0/24", a)
	privA := n.subnet(shared, "10.31.1.0/24", a)
	privB := n.subnet(shared, "10.31.2.0/24", b)
	natShared := n.natGateway("nat-shared", pubA)
	natIdle := n.natGateway("nat-idle", pubA)
	n.table(shared, []string{privA, privB}, toNATRoute("0.0.0.0/0", natShared))

	zonal := n.vpc("10.32.0.0/16")
	n.internetGateway(zonal)
	pub2A := n.subnet(zonal, "10.32.0.0/24", a)
	pub2B := n.subnet(zonal, "10.32.1.0/24", b)
	priv2A := n.subnet(zonal, "10.32.2.0/24", a)
	priv2B := n.subnet(zonal, "10.32.3.0/24", b)
	priv2C := n.subnet(zonal, "10.32.4.0/24", c)
	nat2A := n.natGateway("nat-zone-a", pub2A)
	nat2B := n.natGateway("nat-zone-b", pub2B)
	natGone := n.natGateway("nat-gone", pub2A)
	eigw, err := n.api.CreateEgressOnlyInternetGateway(ctx, &ec2.CreateEgressOnlyInternetGatewayInput{VpcId: aws.String(zonal)})
	if err != nil {
		t.Fatal(err)
	}
	n.table(zonal, []string{priv2A}, toNATRoute("0.0.0.0/0", nat2A),
		ec2.CreateRouteInput{DestinationIpv6CidrBlock: aws.String("::/0"), EgressOnlyInternetGatewayId: eigw.EgressOnlyInternetGateway.EgressOnlyInternetGatewayId})
	n.table(zonal, []string{priv2B}, toNATRoute("0.0.0.0/0", nat2B))
	n.table(zonal, []string{priv2C}, toNATRoute("0.0.0.0/0", natGone))
	if _, err := n.api.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(natGone)}); err != nil {
		t.Fatal(err)
	}
	// The premise of the skip: moto still lists the gateway, as "deleted".
	out, err := n.api.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{natGone}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.NatGateways) != 1 || out.NatGateways[0].State != ec2types.NatGatewayStateDeleted {
		t.Fatalf("moto no longer lists deleted NAT gateways as such: %+v", out.NatGateways)
	}

	nat := func(id, name, risk, msg string) row {
		return row{"natgw", r, arn("natgateway", id), name, id, risk, "", msg, "NATGW-1", "HIGH"}
	}
	vpc := func(id, risk, msg string) row {
		return row{"natgw", r, arn("vpc", id), "", id, risk, "", msg, "NATGW-2", "HIGH"}
	}
	return []row{
		nat(natShared, "nat-shared", "True", "NAT gateway "+natShared+" (nat-shared) in "+n.zone(a)+" is the egress route of 1 subnet in other Availability Zones, which lose their egress if "+a+" fails: "+
			n.at(privB, b)+". It is also the egress route of 1 subnet in its own zone ("+privA+")."),
		nat(natIdle, "nat-idle", "False", "NAT gateway "+natIdle+" (nat-idle) in "+n.zone(a)+" is the egress route of no subnet: no route table sends 0.0.0.0/0, ::/0 or 64:ff9b::/96 to it."),
		nat(nat2A, "nat-zone-a", "False", "NAT gateway "+nat2A+" (nat-zone-a) in "+n.zone(a)+" is the egress route of 1 subnet, all in its own Availability Zone ("+priv2A+")."),
		nat(nat2B, "nat-zone-b", "False", "NAT gateway "+nat2B+" (nat-zone-b) in "+n.zone(b)+" is the egress route of 1 subnet, all in its own Availability Zone ("+priv2B+")."),
		vpc(shared, "True", "VPC "+shared+" has 2 private subnets in 2 Availability Zones ("+a+", "+b+") whose egress all goes through one zonal NAT gateway, "+natShared+" in "+n.zone(a)+": if that zone fails, every zone of the VPC loses its egress."),
		vpc(zonal, "False", "VPC "+zonal+" has 2 private subnets in 2 Availability Zones ("+a+", "+b+") whose egress goes through 2 NAT gateways ("+
			sortedPair(nat2A+" in "+n.zone(a), nat2B+" in "+n.zone(b))+"), not through one zonal NAT gateway."),
	}
}

// sortedPair joins two texts in sorted order, as the messages list them.
func sortedPair(x, y string) string {
	if y < x {
		x, y = y, x
	}
	return x + ", " + y
}

func TestMotoNATGW(t *testing.T) {
	checkAnalyser(t, analysers.NATGW, seedNATGW, "100000000731", "eu-west-2")
}
