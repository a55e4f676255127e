package inventory

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/internal/readonly"
)

var denied = &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}

// page serves items one per page: the token is the index of the next one.
func page[T any](items []T, token *string) ([]T, *string) {
	i := 0
	if token != nil {
		for i < len(items) && aws.ToString(token) != string(rune('0'+i)) {
			i++
		}
	}
	if i >= len(items) {
		return nil, nil
	}
	var next *string
	if i+1 < len(items) {
		next = aws.String(string(rune('0' + i + 1)))
	}
	return items[i : i+1], next
}

// fakeEC2 serves two items of every listing, one per page (so every loader
// must paginate), counting calls; denied refuses every call.
type fakeEC2 struct {
	denied bool
	calls  map[string]int
}

func (f *fakeEC2) call(op string) error {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	if f.denied {
		return denied
	}
	return nil
}

func two[T any](mk func(i int) T) []T { return []T{mk(1), mk(2)} }

func id(prefix string, i int) *string { return aws.String(prefix + string(rune('0'+i))) }

func (f *fakeEC2) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	if err := f.call("DescribeVpcs"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.Vpc { return ec2types.Vpc{VpcId: id("vpc-", i)} }), in.NextToken)
	return &ec2.DescribeVpcsOutput{Vpcs: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	if err := f.call("DescribeNetworkInterfaces"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.NetworkInterface {
		return ec2types.NetworkInterface{NetworkInterfaceId: id("eni-", i)}
	}), in.NextToken)
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	if err := f.call("DescribeSecurityGroups"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.SecurityGroup { return ec2types.SecurityGroup{GroupId: id("sg-", i)} }), in.NextToken)
	return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeSecurityGroupRules(_ context.Context, in *ec2.DescribeSecurityGroupRulesInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error) {
	if err := f.call("DescribeSecurityGroupRules"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.SecurityGroupRule {
		return ec2types.SecurityGroupRule{SecurityGroupRuleId: id("sgr-", i)}
	}), in.NextToken)
	return &ec2.DescribeSecurityGroupRulesOutput{SecurityGroupRules: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeNetworkAcls(_ context.Context, in *ec2.DescribeNetworkAclsInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkAclsOutput, error) {
	if err := f.call("DescribeNetworkAcls"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.NetworkAcl { return ec2types.NetworkAcl{NetworkAclId: id("acl-", i)} }), in.NextToken)
	return &ec2.DescribeNetworkAclsOutput{NetworkAcls: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeRouteTables(_ context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	if err := f.call("DescribeRouteTables"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.RouteTable { return ec2types.RouteTable{RouteTableId: id("rtb-", i)} }), in.NextToken)
	return &ec2.DescribeRouteTablesOutput{RouteTables: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeManagedPrefixLists(_ context.Context, in *ec2.DescribeManagedPrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	if err := f.call("DescribeManagedPrefixLists"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.ManagedPrefixList {
		return ec2types.ManagedPrefixList{PrefixListId: id("pl-", i)}
	}), in.NextToken)
	return &ec2.DescribeManagedPrefixListsOutput{PrefixLists: items, NextToken: next}, nil
}

// GetManagedPrefixListEntries gives pl-1 two pages of entries and refuses
// pl-2's.
func (f *fakeEC2) GetManagedPrefixListEntries(_ context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	if err := f.call("GetManagedPrefixListEntries"); err != nil {
		return nil, err
	}
	if aws.ToString(in.PrefixListId) == "pl-2" {
		return nil, denied
	}
	items, next := page([]ec2types.PrefixListEntry{{Cidr: aws.String("192.168.0.0/16")}, {Cidr: aws.String("10.9.0.0/16")}}, in.NextToken)
	return &ec2.GetManagedPrefixListEntriesOutput{Entries: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeVpcPeeringConnections(_ context.Context, in *ec2.DescribeVpcPeeringConnectionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcPeeringConnectionsOutput, error) {
	if err := f.call("DescribeVpcPeeringConnections"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.VpcPeeringConnection {
		return ec2types.VpcPeeringConnection{VpcPeeringConnectionId: id("pcx-", i)}
	}), in.NextToken)
	return &ec2.DescribeVpcPeeringConnectionsOutput{VpcPeeringConnections: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeTransitGatewayVpcAttachments(_ context.Context, in *ec2.DescribeTransitGatewayVpcAttachmentsInput, _ ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayVpcAttachmentsOutput, error) {
	if err := f.call("DescribeTransitGatewayVpcAttachments"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.TransitGatewayVpcAttachment {
		return ec2types.TransitGatewayVpcAttachment{TransitGatewayAttachmentId: id("tgw-attach-", i), TransitGatewayId: aws.String("tgw-1")}
	}), in.NextToken)
	return &ec2.DescribeTransitGatewayVpcAttachmentsOutput{TransitGatewayVpcAttachments: items, NextToken: next}, nil
}

// DescribeTransitGatewayAttachments associates tgw-attach-2 only.
func (f *fakeEC2) DescribeTransitGatewayAttachments(_ context.Context, in *ec2.DescribeTransitGatewayAttachmentsInput, _ ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayAttachmentsOutput, error) {
	if err := f.call("DescribeTransitGatewayAttachments"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.TransitGatewayAttachment {
		a := ec2types.TransitGatewayAttachment{TransitGatewayAttachmentId: id("tgw-attach-", i)}
		if i == 2 {
			a.Association = &ec2types.TransitGatewayAttachmentAssociation{State: ec2types.TransitGatewayAssociationStateAssociated,
				TransitGatewayRouteTableId: aws.String("tgw-rtb-2")}
		}
		return a
	}), in.NextToken)
	return &ec2.DescribeTransitGatewayAttachmentsOutput{TransitGatewayAttachments: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeTransitGatewayRouteTables(_ context.Context, in *ec2.DescribeTransitGatewayRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayRouteTablesOutput, error) {
	if err := f.call("DescribeTransitGatewayRouteTables"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.TransitGatewayRouteTable {
		return ec2types.TransitGatewayRouteTable{TransitGatewayRouteTableId: id("tgw-rtb-", i)}
	}), in.NextToken)
	return &ec2.DescribeTransitGatewayRouteTablesOutput{TransitGatewayRouteTables: items, NextToken: next}, nil
}

// SearchTransitGatewayRoutes gives tgw-rtb-1 one route and says tgw-rtb-2
// has more than it returned.
func (f *fakeEC2) SearchTransitGatewayRoutes(_ context.Context, in *ec2.SearchTransitGatewayRoutesInput, _ ...func(*ec2.Options)) (*ec2.SearchTransitGatewayRoutesOutput, error) {
	if err := f.call("SearchTransitGatewayRoutes"); err != nil {
		return nil, err
	}
	if aws.ToString(in.TransitGatewayRouteTableId) == "tgw-rtb-2" {
		return &ec2.SearchTransitGatewayRoutesOutput{AdditionalRoutesAvailable: aws.Bool(true)}, nil
	}
	return &ec2.SearchTransitGatewayRoutesOutput{Routes: []ec2types.TransitGatewayRoute{{DestinationCidrBlock: aws.String("10.50.0.0/16"),
		State: ec2types.TransitGatewayRouteStateActive, TransitGatewayAttachments: []ec2types.TransitGatewayRouteAttachment{{TransitGatewayAttachmentId: aws.String("tgw-attach-1")}}}}}, nil
}

func (f *fakeEC2) DescribeVpcEndpoints(_ context.Context, in *ec2.DescribeVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error) {
	if err := f.call("DescribeVpcEndpoints"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.VpcEndpoint { return ec2types.VpcEndpoint{VpcEndpointId: id("vpce-", i)} }), in.NextToken)
	return &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeNatGateways(_ context.Context, in *ec2.DescribeNatGatewaysInput, _ ...func(*ec2.Options)) (*ec2.DescribeNatGatewaysOutput, error) {
	if err := f.call("DescribeNatGateways"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.NatGateway { return ec2types.NatGateway{NatGatewayId: id("nat-", i)} }), in.NextToken)
	return &ec2.DescribeNatGatewaysOutput{NatGateways: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	if err := f.call("DescribeSubnets"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.Subnet { return ec2types.Subnet{SubnetId: id("subnet-", i)} }), in.NextToken)
	return &ec2.DescribeSubnetsOutput{Subnets: items, NextToken: next}, nil
}

// collect runs a loader into a slice.
func collect[T any](load func(func(T)) error) ([]T, error) {
	var out []T
	err := load(func(t T) { out = append(out, t) })
	return out, err
}

// count is how many items a loader handed over.
func count[T any](load func(func(T)) error) (int, error) {
	items, err := collect(load)
	return len(items), err
}

// networkLoaders runs each network kind's loader on api, by kind name,
// returning how many items it handed over.
func networkLoaders(ctx context.Context, api *fakeEC2) map[string]func() (int, error) {
	return map[string]func() (int, error){
		VPCs.Name: func() (int, error) { return count(func(a func(ec2types.Vpc)) error { return loadVPCs(ctx, api, a) }) },
		Subnets.Name: func() (int, error) {
			return count(func(a func(Subnet)) error { return loadSubnets(ctx, api, a) })
		},
		NetworkInterfaces.Name: func() (int, error) {
			return count(func(a func(ec2types.NetworkInterface)) error { return loadNetworkInterfaces(ctx, api, a) })
		},
		SecurityGroups.Name: func() (int, error) {
			return count(func(a func(ec2types.SecurityGroup)) error { return loadSecurityGroups(ctx, api, a) })
		},
		SecurityGroupRules.Name: func() (int, error) {
			return count(func(a func(ec2types.SecurityGroupRule)) error { return loadSecurityGroupRules(ctx, api, a) })
		},
		NetworkACLs.Name: func() (int, error) {
			return count(func(a func(ec2types.NetworkAcl)) error { return loadNetworkACLs(ctx, api, a) })
		},
		RouteTables.Name: func() (int, error) {
			return count(func(a func(ec2types.RouteTable)) error { return loadRouteTables(ctx, api, a) })
		},
		PrefixLists.Name: func() (int, error) {
			return count(func(a func(PrefixList)) error { return loadPrefixLists(ctx, api, a) })
		},
		VPCPeerings.Name: func() (int, error) {
			return count(func(a func(ec2types.VpcPeeringConnection)) error { return loadVPCPeerings(ctx, api, a) })
		},
		TGWAttachments.Name: func() (int, error) {
			return count(func(a func(TGWAttachment)) error { return loadTGWAttachments(ctx, api, a) })
		},
		TGWRouteTables.Name: func() (int, error) {
			return count(func(a func(TGWRouteTable)) error { return loadTGWRouteTables(ctx, api, a) })
		},
		VPCEndpoints.Name: func() (int, error) {
			return count(func(a func(ec2types.VpcEndpoint)) error { return loadVPCEndpoints(ctx, api, a) })
		},
		NATGateways.Name: func() (int, error) {
			return count(func(a func(ec2types.NatGateway)) error { return loadNATGateways(ctx, api, a) })
		},
	}
}

// Every network kind's loader reads both pages of its listing, and hands
// a refusal back as it came (NetworkOf judges it).
func TestNetworkLoadersPaginateAndReturnRefusals(t *testing.T) {
	ctx := context.Background()
	api := &fakeEC2{}
	loaders := networkLoaders(ctx, api)
	if len(loaders) != len(NetworkKinds) {
		t.Fatalf("%d loaders tested, %d network kinds", len(loaders), len(NetworkKinds))
	}
	for name, load := range loaders {
		if n, err := load(); err != nil || n != 2 {
			t.Errorf("%s: %d items, %v; want 2", name, n, err)
		}
	}
	for _, op := range []string{"DescribeVpcs", "DescribeSubnets", "DescribeNetworkInterfaces", "DescribeSecurityGroups", "DescribeSecurityGroupRules",
		"DescribeNetworkAcls", "DescribeRouteTables", "DescribeManagedPrefixLists", "DescribeVpcPeeringConnections",
		"DescribeTransitGatewayVpcAttachments", "DescribeTransitGatewayAttachments", "DescribeTransitGatewayRouteTables",
		"DescribeVpcEndpoints", "DescribeNatGateways"} {
		if api.calls[op] != 2 {
			t.Errorf("%s called %d times, want 2 (one per page)", op, api.calls[op])
		}
	}
	// pl-1's entries over two pages, pl-2's refused: the list is kept with
	// the reason; one search per TGW route table.
	if api.calls["GetManagedPrefixListEntries"] != 3 || api.calls["SearchTransitGatewayRoutes"] != 2 {
		t.Errorf("calls %v", api.calls)
	}
	lists, _ := collect(func(a func(PrefixList)) error { return loadPrefixLists(ctx, api, a) })
	if len(lists[0].CIDRs) != 2 || lists[0].Err != "" || lists[1].Err != "ec2:GetManagedPrefixListEntries: UnauthorizedOperation" || lists[1].CIDRs != nil {
		t.Errorf("prefix lists %+v", lists)
	}
	atts, _ := collect(func(a func(TGWAttachment)) error { return loadTGWAttachments(ctx, api, a) })
	if atts[0].RouteTableID != "" || atts[1].RouteTableID != "tgw-rtb-2" || atts[0].TGWID != "tgw-1" {
		t.Errorf("attachments %+v", atts)
	}
	tables, _ := collect(func(a func(TGWRouteTable)) error { return loadTGWRouteTables(ctx, api, a) })
	if len(tables[0].Routes) != 1 || tables[0].Routes[0].Attachments[0] != "tgw-attach-1" || tables[0].Err != "" ||
		tables[1].Err != "ec2:SearchTransitGatewayRoutes returned only part of the routes" {
		t.Errorf("TGW route tables %+v", tables)
	}

	for name, load := range networkLoaders(ctx, &fakeEC2{denied: true}) {
		if _, err := load(); !IsAccessDenied(err) {
			t.Errorf("%s refused: %v", name, err)
		}
	}
}

// Every network kind has a name, IAM actions and read-only clients.
func TestNetworkKindsDeclared(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range NetworkKinds {
		if k.KindName() == "" || seen[k.KindName()] || len(k.IAMActions()) == 0 || len(k.ClientAPIs()) == 0 {
			t.Errorf("kind %q: actions %v, APIs %v (or named twice)", k.KindName(), k.IAMActions(), k.ClientAPIs())
		}
		seen[k.KindName()] = true
		for _, api := range k.ClientAPIs() {
			for _, v := range readonly.Violations(api) {
				t.Errorf("%s: %s is not a read call", k.KindName(), v)
			}
		}
	}
	if got := len(ActionsOf(NetworkKinds...)); got != 16 {
		t.Errorf("network actions %v", ActionsOf(NetworkKinds...))
	}
}

// networkFixture is a region's network as the kinds hold it: subnets and
// interfaces, a rule for a group the listing lacks, a refused NACL listing,
// prefix lists, a deleted NAT gateway and a peering without regions.
func networkFixture(set *Set) *Scope {
	s := set.Scope(Account{ID: "111111111111", Partition: "aws"}, "us-east-1")
	Put(s, VPCs, []ec2types.Vpc{{VpcId: aws.String("vpc-1"), CidrBlock: aws.String("10.0.0.0/16")}}, nil)
	Put(s, Subnets, []Subnet{
		{ID: "subnet-1", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1", CIDR: netip.MustParsePrefix("10.0.1.0/24")},
		{ID: "subnet-2", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2", CIDR: netip.MustParsePrefix("10.0.2.0/24")}}, nil)
	Put(s, NetworkInterfaces, []ec2types.NetworkInterface{
		{NetworkInterfaceId: aws.String("eni-1"), SubnetId: aws.String("subnet-1"), PrivateIpAddress: aws.String("10.0.1.5"), Groups: []ec2types.GroupIdentifier{{GroupId: aws.String("sg-1")}}},
		{NetworkInterfaceId: aws.String("eni-2"), SubnetId: aws.String("subnet-2"), PrivateIpAddress: aws.String("10.0.2.5"),
			PrivateIpAddresses: []ec2types.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: aws.String("10.0.2.6")}},
			TagSet:             []ec2types.Tag{{Key: aws.String("app"), Value: aws.String("web")}}}}, nil)
	Put(s, SecurityGroups, []ec2types.SecurityGroup{{GroupId: aws.String("sg-1"), GroupName: aws.String("default"), VpcId: aws.String("vpc-1")}}, nil)
	Put(s, SecurityGroupRules, []ec2types.SecurityGroupRule{
		{SecurityGroupRuleId: aws.String("sgr-1"), GroupId: aws.String("sg-1"), IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), CidrIpv4: aws.String("10.0.0.0/8")},
		{SecurityGroupRuleId: aws.String("sgr-2"), GroupId: aws.String("sg-9"), IsEgress: aws.Bool(true), IpProtocol: aws.String("-1"), CidrIpv4: aws.String("0.0.0.0/0")}}, nil)
	Put(s, NetworkACLs, nil, denied)
	Put(s, RouteTables, []ec2types.RouteTable{{RouteTableId: aws.String("rtb-1"), VpcId: aws.String("vpc-1"),
		Associations: []ec2types.RouteTableAssociation{{Main: aws.Bool(true)}},
		Routes: []ec2types.Route{{DestinationCidrBlock: aws.String("10.0.0.0/16"), GatewayId: aws.String("local")},
			{DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String("nat-1"), State: ec2types.RouteStateBlackhole}}}}, nil)
	Put(s, PrefixLists, []PrefixList{{ID: "pl-ok", CIDRs: []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}},
		{ID: "pl-denied", Err: "ec2:GetManagedPrefixListEntries: UnauthorizedOperation"}}, nil)
	Put(s, VPCPeerings, []ec2types.VpcPeeringConnection{{VpcPeeringConnectionId: aws.String("pcx-1"),
		Status:           &ec2types.VpcPeeringConnectionStateReason{Code: ec2types.VpcPeeringConnectionStateReasonCodeActive},
		RequesterVpcInfo: &ec2types.VpcPeeringConnectionVpcInfo{VpcId: aws.String("vpc-1")},
		AccepterVpcInfo:  &ec2types.VpcPeeringConnectionVpcInfo{VpcId: aws.String("vpc-2"), Region: aws.String("eu-west-1")}}}, nil)
	Put(s, TGWAttachments, []TGWAttachment{{ID: "tgw-attach-1", TGWID: "tgw-1", VPCID: "vpc-1", Subnets: []string{"subnet-1"}, RouteTableID: "tgw-rtb-1"}}, nil)
	Put(s, TGWRouteTables, []TGWRouteTable{{ID: "tgw-rtb-1", TGWID: "tgw-1", Routes: []TGWRoute{{Destination: netip.MustParsePrefix("10.50.0.0/16"), Attachments: []string{"tgw-attach-1"}}}}}, nil)
	Put(s, VPCEndpoints, []ec2types.VpcEndpoint{{VpcEndpointId: aws.String("vpce-1"), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
		NetworkInterfaceIds: []string{"eni-2"}, ServiceName: aws.String("com.amazonaws.us-east-1.sqs")}}, nil)
	Put(s, NATGateways, []ec2types.NatGateway{
		{NatGatewayId: aws.String("nat-1"), SubnetId: aws.String("subnet-1"), State: ec2types.NatGatewayStateAvailable,
			NatGatewayAddresses: []ec2types.NatGatewayAddress{{NetworkInterfaceId: aws.String("eni-nat")}}},
		{NatGatewayId: aws.String("nat-gone"), State: ec2types.NatGatewayStateDeleted}}, nil)
	return s
}

func TestNetworkOfAssemblesTheKinds(t *testing.T) {
	n, err := NetworkOf(context.Background(), networkFixture(NewFixture()))
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Subnets) != 2 || n.Subnets["subnet-2"].AZID != "use1-az2" {
		t.Errorf("subnets %+v", n.Subnets)
	}
	if e, ok := n.ENIByIP(netip.MustParseAddr("10.0.2.6")); !ok || e.ID != "eni-2" || e.Tags["app"] != "web" {
		t.Errorf("secondary address not indexed: %v %v", e, ok)
	}
	if got := n.Unreadable[KindNACLs]; got != "ec2:DescribeNetworkAcls: UnauthorizedOperation" || len(n.Unreadable) != 1 {
		t.Errorf("unreadable = %v", n.Unreadable)
	}
	if n.PrefixLists["pl-denied"].Err == "" || len(n.PrefixLists["pl-ok"].CIDRs) != 1 {
		t.Errorf("prefix lists %+v %+v", n.PrefixLists["pl-denied"], n.PrefixLists["pl-ok"])
	}
	if r := n.SecurityGroups["sg-1"].Ingress; len(r) != 1 || r[0].Protocol != "6" || r[0].ID != "sgr-1" || !n.SecurityGroups["sg-1"].IsDefault() {
		t.Errorf("rules %+v", r)
	}
	if g := n.SecurityGroups["sg-9"]; g == nil || len(g.Egress) != 1 || g.Egress[0].Protocol != "-1" {
		t.Errorf("rule of an unlisted group: %+v", g)
	}
	if rt := n.RouteTables["rtb-1"]; !rt.Main || len(rt.Routes) != 2 || rt.Routes[0].Target != "local" || !rt.Routes[1].Blackhole {
		t.Errorf("route table %+v", rt)
	}
	if p := n.Peerings["pcx-1"]; !p.Active() || p.RequesterRegion != "us-east-1" || p.AccepterRegion != "eu-west-1" {
		t.Errorf("peering %+v", p)
	}
	if _, ok := n.NATGateways["nat-gone"]; ok || len(n.NATGateways["nat-1"].ENIs) != 1 {
		t.Errorf("NAT gateways %+v", n.NATGateways)
	}
	if ep := n.Endpoints["vpce-1"]; ep.Type != "Interface" || ep.ENIs[0] != "eni-2" {
		t.Errorf("endpoint %+v", ep)
	}
	if n.TGWAttachments["tgw-attach-1"].RouteTableID != "tgw-rtb-1" || len(n.TGWRouteTables["tgw-rtb-1"].Routes) != 1 {
		t.Errorf("TGW %+v %+v", n.TGWAttachments, n.TGWRouteTables)
	}
}

var errThrottled = errors.New("throttled")

// A failure that is not a refusal ends the assembly, naming the kind.
func TestNetworkOfStopsOnOtherErrors(t *testing.T) {
	s := networkFixture(NewFixture())
	Put(s, VPCs, nil, errThrottled)
	if _, err := NetworkOf(context.Background(), s); !errors.Is(err, errThrottled) || err.Error() != "reading VPCs: throttled" {
		t.Fatalf("want the throttling error, got %v", err)
	}
	// A snapshot that lacks a kind says so.
	s = NewFixture().Scope(Account{ID: "111111111111"}, "us-east-1")
	var nc *NotCollectedError
	if _, err := NetworkOf(context.Background(), s); !errors.As(err, &nc) || nc.Kind != VPCs.Name {
		t.Fatalf("want NotCollected, got %v", err)
	}
}

// The network kinds' items survive a snapshot: the network assembled from
// the written folder, with no API call, is the one assembled live, refusals
// included (replayed with their codes).
func TestNetworkRoundTripsThroughASnapshot(t *testing.T) {
	ctx := context.Background()
	live := networkFixture(NewFixture())
	want, err := NetworkOf(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteScope(dir, live, errorCode); err != nil {
		t.Fatal(err)
	}
	if err := WriteManifest(dir, Manifest{CallerAccount: "111111111111"}); err != nil {
		t.Fatal(err)
	}
	snap, err := OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := NetworkOf(ctx, NewFromSnapshot(snap).Scope(Account{ID: "111111111111"}, "us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("from the snapshot:\n%+v\nlive:\n%+v", got, want)
	}
}

// RoutingOf reads the subnets and route tables and nothing else (the other
// kinds are not in the scope: reading one would fail), and returns a refusal
// of either rather than a network missing it.
func TestRoutingOfReadsOnlySubnetsAndRouteTables(t *testing.T) {
	full := networkFixture(NewFixture())
	subnets, _ := Subnets.Items(context.Background(), full)
	tables, _ := RouteTables.Items(context.Background(), full)
	s := NewFixture().Scope(Account{ID: "111111111111"}, "us-east-1")
	Put(s, Subnets, subnets, nil)
	Put(s, RouteTables, tables, nil)
	n, err := RoutingOf(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	sn := n.Subnets["subnet-2"]
	if len(n.Subnets) != 2 || sn.AZID != "use1-az2" {
		t.Fatalf("subnets %+v", n.Subnets)
	}
	if rt, ok := n.RouteTableOf(sn); !ok || rt.ID != "rtb-1" || !rt.Main || len(rt.Routes) != 2 {
		t.Errorf("route table of subnet-2: %+v %v", rt, ok)
	}
	if len(n.VPCs)+len(n.ENIs)+len(n.NATGateways)+len(n.TGWAttachments) != 0 || len(n.Unreadable) != 0 {
		t.Errorf("RoutingOf holds more than routing: %+v", n)
	}
	Put(s, RouteTables, tables[:0], denied)
	if _, err := RoutingOf(context.Background(), s); !IsAccessDenied(err) || !strings.HasPrefix(err.Error(), "reading route tables: ") {
		t.Fatalf("want the refusal, got %v", err)
	}
}
