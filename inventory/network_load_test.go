package inventory

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// fakeEC2 serves subnets and ENIs one per page (so Load must paginate),
// refuses DescribeNetworkAcls and one prefix list's entries, and answers
// every other call with nothing.
type fakeEC2 struct {
	subnets []ec2types.Subnet
	enis    []ec2types.NetworkInterface
	calls   map[string]int
}

var denied = &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}

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

func (f *fakeEC2) count(op string) { f.calls[op]++ }

func (f *fakeEC2) DescribeVpcs(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	f.count("DescribeVpcs")
	return &ec2.DescribeVpcsOutput{Vpcs: []ec2types.Vpc{{VpcId: aws.String("vpc-1"), CidrBlock: aws.String("10.0.0.0/16")}}}, nil
}
func (f *fakeEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	f.count("DescribeSubnets")
	items, next := page(f.subnets, in.NextToken)
	return &ec2.DescribeSubnetsOutput{Subnets: items, NextToken: next}, nil
}
func (f *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	f.count("DescribeNetworkInterfaces")
	items, next := page(f.enis, in.NextToken)
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: items, NextToken: next}, nil
}
func (f *fakeEC2) DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	return &ec2.DescribeSecurityGroupsOutput{}, nil
}
func (f *fakeEC2) DescribeSecurityGroupRules(context.Context, *ec2.DescribeSecurityGroupRulesInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error) {
	return &ec2.DescribeSecurityGroupRulesOutput{SecurityGroupRules: []ec2types.SecurityGroupRule{
		{SecurityGroupRuleId: aws.String("sgr-1"), GroupId: aws.String("sg-1"), IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), CidrIpv4: aws.String("10.0.0.0/8")}}}, nil
}
func (f *fakeEC2) DescribeNetworkAcls(context.Context, *ec2.DescribeNetworkAclsInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkAclsOutput, error) {
	return nil, denied
}
func (f *fakeEC2) DescribeRouteTables(context.Context, *ec2.DescribeRouteTablesInput, ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	return &ec2.DescribeRouteTablesOutput{}, nil
}
func (f *fakeEC2) DescribeManagedPrefixLists(context.Context, *ec2.DescribeManagedPrefixListsInput, ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	return &ec2.DescribeManagedPrefixListsOutput{PrefixLists: []ec2types.ManagedPrefixList{{PrefixListId: aws.String("pl-ok")}, {PrefixListId: aws.String("pl-denied")}}}, nil
}
func (f *fakeEC2) GetManagedPrefixListEntries(_ context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	if aws.ToString(in.PrefixListId) == "pl-denied" {
		return nil, denied
	}
	return &ec2.GetManagedPrefixListEntriesOutput{Entries: []ec2types.PrefixListEntry{{Cidr: aws.String("192.168.0.0/16")}}}, nil
}
func (f *fakeEC2) DescribeVpcPeeringConnections(context.Context, *ec2.DescribeVpcPeeringConnectionsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcPeeringConnectionsOutput, error) {
	return &ec2.DescribeVpcPeeringConnectionsOutput{}, nil
}
func (f *fakeEC2) DescribeTransitGatewayVpcAttachments(context.Context, *ec2.DescribeTransitGatewayVpcAttachmentsInput, ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayVpcAttachmentsOutput, error) {
	return &ec2.DescribeTransitGatewayVpcAttachmentsOutput{}, nil
}
func (f *fakeEC2) DescribeTransitGatewayAttachments(context.Context, *ec2.DescribeTransitGatewayAttachmentsInput, ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayAttachmentsOutput, error) {
	return &ec2.DescribeTransitGatewayAttachmentsOutput{}, nil
}
func (f *fakeEC2) DescribeTransitGatewayRouteTables(context.Context, *ec2.DescribeTransitGatewayRouteTablesInput, ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayRouteTablesOutput, error) {
	return &ec2.DescribeTransitGatewayRouteTablesOutput{}, nil
}
func (f *fakeEC2) SearchTransitGatewayRoutes(context.Context, *ec2.SearchTransitGatewayRoutesInput, ...func(*ec2.Options)) (*ec2.SearchTransitGatewayRoutesOutput, error) {
	return &ec2.SearchTransitGatewayRoutesOutput{}, nil
}
func (f *fakeEC2) DescribeVpcEndpoints(context.Context, *ec2.DescribeVpcEndpointsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error) {
	return &ec2.DescribeVpcEndpointsOutput{}, nil
}
func (f *fakeEC2) DescribeNatGateways(context.Context, *ec2.DescribeNatGatewaysInput, ...func(*ec2.Options)) (*ec2.DescribeNatGatewaysOutput, error) {
	return &ec2.DescribeNatGatewaysOutput{}, nil
}

func TestLoadPaginatesAndRecordsAccessDenied(t *testing.T) {
	f := &fakeEC2{calls: map[string]int{},
		subnets: []ec2types.Subnet{
			{SubnetId: aws.String("subnet-1"), VpcId: aws.String("vpc-1"), CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String("us-east-1a"), AvailabilityZoneId: aws.String("use1-az1")},
			{SubnetId: aws.String("subnet-2"), VpcId: aws.String("vpc-1"), CidrBlock: aws.String("10.0.2.0/24"), AvailabilityZone: aws.String("us-east-1b"), AvailabilityZoneId: aws.String("use1-az2")}},
		enis: []ec2types.NetworkInterface{
			{NetworkInterfaceId: aws.String("eni-1"), SubnetId: aws.String("subnet-1"), PrivateIpAddress: aws.String("10.0.1.5"), Groups: []ec2types.GroupIdentifier{{GroupId: aws.String("sg-1")}}},
			{NetworkInterfaceId: aws.String("eni-2"), SubnetId: aws.String("subnet-2"), PrivateIpAddress: aws.String("10.0.2.5"),
				PrivateIpAddresses: []ec2types.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: aws.String("10.0.2.6")}}}},
	}
	inv, err := LoadNetwork(context.Background(), f, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if f.calls["DescribeSubnets"] != 2 || f.calls["DescribeNetworkInterfaces"] != 2 {
		t.Errorf("did not paginate: %v", f.calls)
	}
	if len(inv.Subnets) != 2 || inv.Subnets["subnet-2"].AZID != "use1-az2" {
		t.Errorf("subnets %+v", inv.Subnets)
	}
	if e, ok := inv.ENIByIP(netip.MustParseAddr("10.0.2.6")); !ok || e.ID != "eni-2" {
		t.Errorf("secondary address not indexed: %v %v", e, ok)
	}
	if got := inv.Unreadable[KindNACLs]; got != "ec2:DescribeNetworkAcls: UnauthorizedOperation" {
		t.Errorf("NACLs unreadable = %q", got)
	}
	if inv.PrefixLists["pl-denied"].Err == "" || len(inv.PrefixLists["pl-ok"].CIDRs) != 1 {
		t.Errorf("prefix lists %+v %+v", inv.PrefixLists["pl-denied"], inv.PrefixLists["pl-ok"])
	}
	if r := inv.SecurityGroups["sg-1"].Ingress; len(r) != 1 || r[0].Protocol != "6" || r[0].ID != "sgr-1" {
		t.Errorf("rules %+v", r)
	}
}

func TestLoadStopsOnOtherErrors(t *testing.T) {
	f := &failingVPCs{fakeEC2{calls: map[string]int{}}}
	if _, err := LoadNetwork(context.Background(), f, "us-east-1"); err == nil || !errors.Is(err, errThrottled) {
		t.Fatalf("want the throttling error, got %v", err)
	}
}

var errThrottled = errors.New("throttled")

type failingVPCs struct{ fakeEC2 }

func (f *failingVPCs) DescribeVpcs(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	return nil, errThrottled
}
