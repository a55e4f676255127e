package inventory

import (
	"context"
	"fmt"
	"net/netip"
	"reflect"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// The network kinds of a region: each one listing, read once per scope
// whoever asks (reach, flows, an analyser) and kept in snapshots. Items are
// the SDK's types, except where a kind joins several calls (prefix lists
// with their entries, transit gateway attachments with their route table,
// transit gateway route tables with their routes): those are the model's
// own structs. NetworkOf assembles the Network from them.

// The narrow read-only client of each network kind.
type (
	prefixListsAPI interface {
		ec2.DescribeManagedPrefixListsAPIClient
		ec2.GetManagedPrefixListEntriesAPIClient
	}
	tgwAttachmentsAPI interface {
		ec2.DescribeTransitGatewayVpcAttachmentsAPIClient
		ec2.DescribeTransitGatewayAttachmentsAPIClient
	}
	tgwRouteTablesAPI interface {
		ec2.DescribeTransitGatewayRouteTablesAPIClient
		SearchTransitGatewayRoutes(context.Context, *ec2.SearchTransitGatewayRoutesInput, ...func(*ec2.Options)) (*ec2.SearchTransitGatewayRoutesOutput, error)
	}
)

// ec2Client is the scope's EC2 client.
func ec2Client(s *Scope) *ec2.Client { return ec2.NewFromConfig(s.Config()) }

// VPCs are the region's VPCs.
var VPCs = &Kind[ec2types.Vpc]{
	Name:    "ec2/vpcs",
	Actions: []string{"ec2:DescribeVpcs"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeVpcsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.Vpc)) error {
		return loadVPCs(ctx, ec2Client(s), add)
	},
}

func loadVPCs(ctx context.Context, api ec2.DescribeVpcsAPIClient, add func(ec2types.Vpc)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeVpcsPaginator(api, &ec2.DescribeVpcsInput{}),
		func(o *ec2.DescribeVpcsOutput) []ec2types.Vpc { return o.Vpcs }, add)
}

// NetworkInterfaces are the region's network interfaces.
var NetworkInterfaces = &Kind[ec2types.NetworkInterface]{
	Name:    "ec2/network-interfaces",
	Actions: []string{"ec2:DescribeNetworkInterfaces"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeNetworkInterfacesAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.NetworkInterface)) error {
		return loadNetworkInterfaces(ctx, ec2Client(s), add)
	},
}

func loadNetworkInterfaces(ctx context.Context, api ec2.DescribeNetworkInterfacesAPIClient, add func(ec2types.NetworkInterface)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeNetworkInterfacesPaginator(api, &ec2.DescribeNetworkInterfacesInput{}),
		func(o *ec2.DescribeNetworkInterfacesOutput) []ec2types.NetworkInterface { return o.NetworkInterfaces }, add)
}

// SecurityGroups are the region's security groups.
var SecurityGroups = &Kind[ec2types.SecurityGroup]{
	Name:    "ec2/security-groups",
	Actions: []string{"ec2:DescribeSecurityGroups"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeSecurityGroupsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.SecurityGroup)) error {
		return loadSecurityGroups(ctx, ec2Client(s), add)
	},
}

func loadSecurityGroups(ctx context.Context, api ec2.DescribeSecurityGroupsAPIClient, add func(ec2types.SecurityGroup)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeSecurityGroupsPaginator(api, &ec2.DescribeSecurityGroupsInput{}),
		func(o *ec2.DescribeSecurityGroupsOutput) []ec2types.SecurityGroup { return o.SecurityGroups }, add)
}

// SecurityGroupRules are every security group rule of the region
// (DescribeSecurityGroupRules carries the rule IDs that explanations name).
var SecurityGroupRules = &Kind[ec2types.SecurityGroupRule]{
	Name:    "ec2/security-group-rules",
	Actions: []string{"ec2:DescribeSecurityGroupRules"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeSecurityGroupRulesAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.SecurityGroupRule)) error {
		return loadSecurityGroupRules(ctx, ec2Client(s), add)
	},
}

func loadSecurityGroupRules(ctx context.Context, api ec2.DescribeSecurityGroupRulesAPIClient, add func(ec2types.SecurityGroupRule)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeSecurityGroupRulesPaginator(api, &ec2.DescribeSecurityGroupRulesInput{}),
		func(o *ec2.DescribeSecurityGroupRulesOutput) []ec2types.SecurityGroupRule {
			return o.SecurityGroupRules
		}, add)
}

// NetworkACLs are the region's network ACLs with their entries and subnets.
var NetworkACLs = &Kind[ec2types.NetworkAcl]{
	Name:    "ec2/network-acls",
	Actions: []string{"ec2:DescribeNetworkAcls"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeNetworkAclsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.NetworkAcl)) error {
		return loadNetworkACLs(ctx, ec2Client(s), add)
	},
}

func loadNetworkACLs(ctx context.Context, api ec2.DescribeNetworkAclsAPIClient, add func(ec2types.NetworkAcl)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeNetworkAclsPaginator(api, &ec2.DescribeNetworkAclsInput{}),
		func(o *ec2.DescribeNetworkAclsOutput) []ec2types.NetworkAcl { return o.NetworkAcls }, add)
}

// RouteTables are the region's route tables with their routes and
// associations.
var RouteTables = &Kind[ec2types.RouteTable]{
	Name:    "ec2/route-tables",
	Actions: []string{"ec2:DescribeRouteTables"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeRouteTablesAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.RouteTable)) error {
		return loadRouteTables(ctx, ec2Client(s), add)
	},
}

func loadRouteTables(ctx context.Context, api ec2.DescribeRouteTablesAPIClient, add func(ec2types.RouteTable)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeRouteTablesPaginator(api, &ec2.DescribeRouteTablesInput{}),
		func(o *ec2.DescribeRouteTablesOutput) []ec2types.RouteTable { return o.RouteTables }, add)
}

// PrefixLists are the region's managed prefix lists, each with its entries.
// A list whose entries are refused keeps the reason in Err (rules using it
// are unknown) and the listing goes on.
var PrefixLists = &Kind[PrefixList]{
	Name:    "ec2/prefix-lists",
	Actions: []string{"ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"},
	APIs:    []reflect.Type{APIOf[prefixListsAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(PrefixList)) error {
		return loadPrefixLists(ctx, ec2Client(s), add)
	},
}

func loadPrefixLists(ctx context.Context, api prefixListsAPI, add func(PrefixList)) error {
	p := ec2.NewDescribeManagedPrefixListsPaginator(api, &ec2.DescribeManagedPrefixListsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, l := range page.PrefixLists {
			pl := PrefixList{ID: aws.ToString(l.PrefixListId), Name: aws.ToString(l.PrefixListName)}
			entries := ec2.NewGetManagedPrefixListEntriesPaginator(api, &ec2.GetManagedPrefixListEntriesInput{PrefixListId: l.PrefixListId})
			for entries.HasMorePages() {
				ep, err := entries.NextPage(ctx)
				if IsAccessDenied(err) {
					pl.Err, pl.CIDRs = "ec2:GetManagedPrefixListEntries: "+errorCode(err), nil
					break
				}
				if err != nil {
					return err
				}
				for _, e := range ep.Entries {
					pl.CIDRs = append(pl.CIDRs, prefix(e.Cidr))
				}
			}
			add(pl)
		}
	}
	return nil
}

// VPCPeerings are the region's VPC peering connections.
var VPCPeerings = &Kind[ec2types.VpcPeeringConnection]{
	Name:    "ec2/vpc-peering-connections",
	Actions: []string{"ec2:DescribeVpcPeeringConnections"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeVpcPeeringConnectionsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.VpcPeeringConnection)) error {
		return loadVPCPeerings(ctx, ec2Client(s), add)
	},
}

func loadVPCPeerings(ctx context.Context, api ec2.DescribeVpcPeeringConnectionsAPIClient, add func(ec2types.VpcPeeringConnection)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeVpcPeeringConnectionsPaginator(api, &ec2.DescribeVpcPeeringConnectionsInput{}),
		func(o *ec2.DescribeVpcPeeringConnectionsOutput) []ec2types.VpcPeeringConnection {
			return o.VpcPeeringConnections
		}, add)
}

// TGWAttachments are the region's transit gateway VPC attachments (subnets,
// SG-referencing option), each joined with its route-table association from
// the generic attachment list.
var TGWAttachments = &Kind[TGWAttachment]{
	Name:    "ec2/transit-gateway-vpc-attachments",
	Actions: []string{"ec2:DescribeTransitGatewayAttachments", "ec2:DescribeTransitGatewayVpcAttachments"},
	APIs:    []reflect.Type{APIOf[tgwAttachmentsAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(TGWAttachment)) error {
		return loadTGWAttachments(ctx, ec2Client(s), add)
	},
}

// loadTGWAttachments hands the attachments over once both listings are read;
// when the association listing fails, the attachments come without their
// route table, with the error.
func loadTGWAttachments(ctx context.Context, api tgwAttachmentsAPI, add func(TGWAttachment)) error {
	var atts []*TGWAttachment
	byID := map[string]*TGWAttachment{}
	err := pages[*ec2.Options](ctx, ec2.NewDescribeTransitGatewayVpcAttachmentsPaginator(api, &ec2.DescribeTransitGatewayVpcAttachmentsInput{}),
		func(o *ec2.DescribeTransitGatewayVpcAttachmentsOutput) []ec2types.TransitGatewayVpcAttachment {
			return o.TransitGatewayVpcAttachments
		},
		func(a ec2types.TransitGatewayVpcAttachment) {
			att := &TGWAttachment{ID: aws.ToString(a.TransitGatewayAttachmentId), TGWID: aws.ToString(a.TransitGatewayId),
				VPCID: aws.ToString(a.VpcId), State: string(a.State), Subnets: a.SubnetIds}
			if a.Options != nil {
				att.SGReferencing = a.Options.SecurityGroupReferencingSupport == ec2types.SecurityGroupReferencingSupportValueEnable
			}
			atts = append(atts, att)
			byID[att.ID] = att
		})
	if err == nil {
		err = pages[*ec2.Options](ctx, ec2.NewDescribeTransitGatewayAttachmentsPaginator(api, &ec2.DescribeTransitGatewayAttachmentsInput{}),
			func(o *ec2.DescribeTransitGatewayAttachmentsOutput) []ec2types.TransitGatewayAttachment {
				return o.TransitGatewayAttachments
			},
			func(a ec2types.TransitGatewayAttachment) {
				att, ok := byID[aws.ToString(a.TransitGatewayAttachmentId)]
				if ok && a.Association != nil && a.Association.State == ec2types.TransitGatewayAssociationStateAssociated {
					att.RouteTableID = aws.ToString(a.Association.TransitGatewayRouteTableId)
				}
			})
	}
	for _, att := range atts {
		add(*att)
	}
	return err
}

// TGWRouteTables are the region's transit gateway route tables, each with
// its active and blackhole routes. SearchTransitGatewayRoutes has no
// pagination: when it says more routes exist, the table is marked
// incomplete (Err) rather than half-read; a refused search marks it too.
var TGWRouteTables = &Kind[TGWRouteTable]{
	Name:    "ec2/transit-gateway-route-tables",
	Actions: []string{"ec2:DescribeTransitGatewayRouteTables", "ec2:SearchTransitGatewayRoutes"},
	APIs:    []reflect.Type{APIOf[tgwRouteTablesAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(TGWRouteTable)) error {
		return loadTGWRouteTables(ctx, ec2Client(s), add)
	},
}

func loadTGWRouteTables(ctx context.Context, api tgwRouteTablesAPI, add func(TGWRouteTable)) error {
	p := ec2.NewDescribeTransitGatewayRouteTablesPaginator(api, &ec2.DescribeTransitGatewayRouteTablesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.TransitGatewayRouteTables {
			rt := TGWRouteTable{ID: aws.ToString(t.TransitGatewayRouteTableId), TGWID: aws.ToString(t.TransitGatewayId)}
			out, err := api.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{
				TransitGatewayRouteTableId: t.TransitGatewayRouteTableId,
				Filters:                    []ec2types.Filter{{Name: aws.String("state"), Values: []string{"active", "blackhole"}}},
			})
			if IsAccessDenied(err) {
				rt.Err = "ec2:SearchTransitGatewayRoutes: " + errorCode(err)
				add(rt)
				continue
			}
			if err != nil {
				return err
			}
			if aws.ToBool(out.AdditionalRoutesAvailable) {
				rt.Err = "ec2:SearchTransitGatewayRoutes returned only part of the routes"
			}
			for _, r := range out.Routes {
				route := TGWRoute{Destination: prefix(r.DestinationCidrBlock), PrefixListID: aws.ToString(r.PrefixListId),
					Blackhole: r.State == ec2types.TransitGatewayRouteStateBlackhole, Propagated: r.Type == ec2types.TransitGatewayRouteTypePropagated}
				for _, a := range r.TransitGatewayAttachments {
					route.Attachments = append(route.Attachments, aws.ToString(a.TransitGatewayAttachmentId))
				}
				rt.Routes = append(rt.Routes, route)
			}
			add(rt)
		}
	}
	return nil
}

// VPCEndpoints are the region's VPC endpoints, in every state (the vpce
// analyser reads the same kind).
var VPCEndpoints = &Kind[ec2types.VpcEndpoint]{
	Name:    "ec2/vpc-endpoints",
	Actions: []string{"ec2:DescribeVpcEndpoints"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeVpcEndpointsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.VpcEndpoint)) error {
		return loadVPCEndpoints(ctx, ec2Client(s), add)
	},
}

func loadVPCEndpoints(ctx context.Context, api ec2.DescribeVpcEndpointsAPIClient, add func(ec2types.VpcEndpoint)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeVpcEndpointsPaginator(api, &ec2.DescribeVpcEndpointsInput{}),
		func(o *ec2.DescribeVpcEndpointsOutput) []ec2types.VpcEndpoint { return o.VpcEndpoints }, add)
}

// NATGateways are the region's NAT gateways, in every state (the Network
// leaves out the deleted and deleting ones).
var NATGateways = &Kind[ec2types.NatGateway]{
	Name:    "ec2/nat-gateways",
	Actions: []string{"ec2:DescribeNatGateways"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeNatGatewaysAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.NatGateway)) error {
		return loadNATGateways(ctx, ec2Client(s), add)
	},
}

func loadNATGateways(ctx context.Context, api ec2.DescribeNatGatewaysAPIClient, add func(ec2types.NatGateway)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeNatGatewaysPaginator(api, &ec2.DescribeNatGatewaysInput{}),
		func(o *ec2.DescribeNatGatewaysOutput) []ec2types.NatGateway { return o.NatGateways }, add)
}

// NetworkKinds are the kinds NetworkOf reads.
var NetworkKinds = []Loader{VPCs, Subnets, NetworkInterfaces, SecurityGroups, SecurityGroupRules, NetworkACLs, RouteTables,
	PrefixLists, VPCPeerings, TGWAttachments, TGWRouteTables, VPCEndpoints, NATGateways}

// networkStep is one kind of the Network: its label in Unreadable, the
// action named when IAM refuses it, and how its items join the model.
type networkStep struct {
	label, action string
	read          func(context.Context, *Scope, *Network) error
}

// step reads kind k and hands every item read, the items of a read that
// failed part-way included, to put.
func step[T any](label, action string, k *Kind[T], put func(*Network, T)) networkStep {
	return networkStep{label, action, func(ctx context.Context, s *Scope, n *Network) error {
		items, err := k.Items(ctx, s)
		for _, it := range items {
			put(n, it)
		}
		return err
	}}
}

var networkSteps = []networkStep{
	step(KindVPCs, "ec2:DescribeVpcs", VPCs, putVPC),
	step(KindSubnets, "ec2:DescribeSubnets", Subnets, func(n *Network, sn Subnet) { n.Subnets[sn.ID] = &sn }),
	step(KindENIs, "ec2:DescribeNetworkInterfaces", NetworkInterfaces, putENI),
	step(KindSecurityGroups, "ec2:DescribeSecurityGroups", SecurityGroups, func(n *Network, g ec2types.SecurityGroup) {
		id := aws.ToString(g.GroupId)
		n.SecurityGroups[id] = &SecurityGroup{ID: id, VPCID: aws.ToString(g.VpcId), Name: aws.ToString(g.GroupName), OwnerID: aws.ToString(g.OwnerId)}
	}),
	step(KindSGRules, "ec2:DescribeSecurityGroupRules", SecurityGroupRules, putSGRule),
	step(KindNACLs, "ec2:DescribeNetworkAcls", NetworkACLs, putNACL),
	step(KindRouteTables, "ec2:DescribeRouteTables", RouteTables, putRouteTable),
	step(KindPrefixLists, "ec2:DescribeManagedPrefixLists", PrefixLists, func(n *Network, pl PrefixList) { n.PrefixLists[pl.ID] = &pl }),
	step(KindPeerings, "ec2:DescribeVpcPeeringConnections", VPCPeerings, putPeering),
	step(KindTGWAttachments, "ec2:DescribeTransitGatewayAttachments", TGWAttachments, func(n *Network, a TGWAttachment) { n.TGWAttachments[a.ID] = &a }),
	step(KindTGWRouteTables, "ec2:DescribeTransitGatewayRouteTables", TGWRouteTables, func(n *Network, t TGWRouteTable) { n.TGWRouteTables[t.ID] = &t }),
	step(KindEndpoints, "ec2:DescribeVpcEndpoints", VPCEndpoints, putEndpoint),
	step(KindNATGateways, "ec2:DescribeNatGateways", NATGateways, putNATGateway),
}

// NetworkOf assembles the network of s from its kinds, read in order. A kind
// IAM refuses marks its label Unreadable (with what was read before the
// refusal) and the rest goes on, so that answers which do not need it still
// come out; any other error ends it.
func NetworkOf(ctx context.Context, s *Scope) (*Network, error) {
	n := NewNetwork(s.Region)
	for _, st := range networkSteps {
		err := st.read(ctx, s, n)
		switch {
		case err == nil:
		case IsAccessDenied(err):
			n.Unreadable[st.label] = st.action + ": " + errorCode(err)
		default:
			return nil, fmt.Errorf("reading %s: %w", st.label, err)
		}
	}
	n.Reindex()
	return n, nil
}

// RoutingOf is the part of the network that routing rules need, the
// subnets and route tables, read from those two kinds only (NetworkOf reads
// all thirteen). Unlike NetworkOf it returns any error of either read, with
// no network: a subnet whose route table was not read would be placed on its
// VPC's main table, a wrong answer rather than an unknown one.
func RoutingOf(ctx context.Context, s *Scope) (*Network, error) {
	n := NewNetwork(s.Region)
	for _, st := range networkSteps {
		if st.label != KindSubnets && st.label != KindRouteTables {
			continue
		}
		if err := st.read(ctx, s, n); err != nil {
			return nil, fmt.Errorf("reading %s: %w", st.label, err)
		}
	}
	return n, nil
}

func putVPC(n *Network, v ec2types.Vpc) {
	vpc := &VPC{ID: aws.ToString(v.VpcId), OwnerID: aws.ToString(v.OwnerId)}
	for _, c := range v.CidrBlockAssociationSet {
		if c.CidrBlockState == nil || c.CidrBlockState.State == ec2types.VpcCidrBlockStateCodeAssociated {
			vpc.CIDRs = append(vpc.CIDRs, prefix(c.CidrBlock))
		}
	}
	if len(vpc.CIDRs) == 0 && v.CidrBlock != nil {
		vpc.CIDRs = append(vpc.CIDRs, prefix(v.CidrBlock))
	}
	for _, c := range v.Ipv6CidrBlockAssociationSet {
		vpc.CIDRs = append(vpc.CIDRs, prefix(c.Ipv6CidrBlock))
	}
	n.VPCs[vpc.ID] = vpc
}

func addr(s *string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(aws.ToString(s))
	return a, err == nil
}

func putENI(inv *Network, n ec2types.NetworkInterface) {
	e := &ENI{ID: aws.ToString(n.NetworkInterfaceId), SubnetID: aws.ToString(n.SubnetId), VPCID: aws.ToString(n.VpcId),
		AZ: aws.ToString(n.AvailabilityZone), Description: aws.ToString(n.Description),
		InterfaceType: string(n.InterfaceType), RequesterManaged: aws.ToBool(n.RequesterManaged),
		OwnerID: aws.ToString(n.OwnerId), RequesterID: aws.ToString(n.RequesterId), Tags: tagMap(n.TagSet)}
	if n.Attachment != nil {
		e.InstanceID = aws.ToString(n.Attachment.InstanceId)
		e.InstanceOwnerID = aws.ToString(n.Attachment.InstanceOwnerId)
	}
	if a, ok := addr(n.PrivateIpAddress); ok {
		e.Addresses = append(e.Addresses, a)
	}
	for _, ip := range n.PrivateIpAddresses {
		if a, ok := addr(ip.PrivateIpAddress); ok && !containsAddr(e.Addresses, a) {
			e.Addresses = append(e.Addresses, a)
		}
		if ip.Association != nil {
			if a, ok := addr(ip.Association.PublicIp); ok && !containsAddr(e.PublicIPs, a) {
				e.PublicIPs = append(e.PublicIPs, a)
			}
		}
	}
	if n.Association != nil {
		if a, ok := addr(n.Association.PublicIp); ok && !containsAddr(e.PublicIPs, a) {
			e.PublicIPs = append(e.PublicIPs, a)
		}
	}
	for _, ip := range n.Ipv6Addresses {
		if a, ok := addr(ip.Ipv6Address); ok {
			e.Addresses = append(e.Addresses, a)
		}
	}
	for _, g := range n.Groups {
		e.Groups = append(e.Groups, aws.ToString(g.GroupId))
	}
	inv.ENIs[e.ID] = e
}

// tagMap turns EC2 tags into a map; nil when there are none.
func tagMap(tags []ec2types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// putSGRule adds a rule to its group (a group the listing lacks is made).
func putSGRule(n *Network, r ec2types.SecurityGroupRule) {
	rule := SGRule{ID: aws.ToString(r.SecurityGroupRuleId), GroupID: aws.ToString(r.GroupId), Egress: aws.ToBool(r.IsEgress),
		Protocol: NormaliseProtocol(aws.ToString(r.IpProtocol)), FromPort: aws.ToInt32(r.FromPort), ToPort: aws.ToInt32(r.ToPort),
		PrefixListID: aws.ToString(r.PrefixListId), Description: aws.ToString(r.Description)}
	switch {
	case r.CidrIpv4 != nil:
		rule.CIDR = prefix(r.CidrIpv4)
	case r.CidrIpv6 != nil:
		rule.CIDR = prefix(r.CidrIpv6)
	case r.ReferencedGroupInfo != nil:
		rule.ReferencedGroupID = aws.ToString(r.ReferencedGroupInfo.GroupId)
	}
	g, ok := n.SecurityGroups[rule.GroupID]
	if !ok {
		g = &SecurityGroup{ID: rule.GroupID}
		n.SecurityGroups[rule.GroupID] = g
	}
	if rule.Egress {
		g.Egress = append(g.Egress, rule)
	} else {
		g.Ingress = append(g.Ingress, rule)
	}
}

// NormaliseProtocol turns protocol names the APIs return ("tcp", "udp",
// "icmp", "icmpv6", "all") into IANA numbers as strings; "-1" stays.
func NormaliseProtocol(p string) string {
	switch p {
	case "tcp":
		return "6"
	case "udp":
		return "17"
	case "icmp":
		return "1"
	case "icmpv6":
		return "58"
	case "all", "":
		return "-1"
	}
	if n, err := strconv.Atoi(p); err == nil {
		return strconv.Itoa(n)
	}
	return p
}

func putNACL(inv *Network, a ec2types.NetworkAcl) {
	n := &NACL{ID: aws.ToString(a.NetworkAclId), VPCID: aws.ToString(a.VpcId), IsDefault: aws.ToBool(a.IsDefault)}
	for _, as := range a.Associations {
		n.Subnets = append(n.Subnets, aws.ToString(as.SubnetId))
	}
	for _, e := range a.Entries {
		entry := NACLEntry{Number: aws.ToInt32(e.RuleNumber), Egress: aws.ToBool(e.Egress), Allow: e.RuleAction == ec2types.RuleActionAllow,
			Protocol: NormaliseProtocol(aws.ToString(e.Protocol)), PortFrom: 0, PortTo: 65535, ICMPType: -1, ICMPCode: -1}
		if e.CidrBlock != nil {
			entry.CIDR = prefix(e.CidrBlock)
		} else {
			entry.CIDR = prefix(e.Ipv6CidrBlock)
		}
		if e.PortRange != nil {
			entry.PortFrom, entry.PortTo = aws.ToInt32(e.PortRange.From), aws.ToInt32(e.PortRange.To)
		}
		if e.IcmpTypeCode != nil {
			entry.ICMPType, entry.ICMPCode = aws.ToInt32(e.IcmpTypeCode.Type), aws.ToInt32(e.IcmpTypeCode.Code)
		}
		n.Entries = append(n.Entries, entry)
	}
	inv.NACLs[n.ID] = n
}

func putRouteTable(n *Network, t ec2types.RouteTable) {
	rt := &RouteTable{ID: aws.ToString(t.RouteTableId), VPCID: aws.ToString(t.VpcId)}
	for _, as := range t.Associations {
		if aws.ToBool(as.Main) {
			rt.Main = true
		}
		if as.SubnetId != nil {
			rt.Subnets = append(rt.Subnets, aws.ToString(as.SubnetId))
		}
	}
	for _, r := range t.Routes {
		route := Route{PrefixListID: aws.ToString(r.DestinationPrefixListId), Blackhole: r.State == ec2types.RouteStateBlackhole,
			Propagated: r.Origin == ec2types.RouteOriginEnableVgwRoutePropagation}
		switch {
		case r.DestinationCidrBlock != nil:
			route.Destination = prefix(r.DestinationCidrBlock)
		case r.DestinationIpv6CidrBlock != nil:
			route.Destination = prefix(r.DestinationIpv6CidrBlock)
		}
		route.Target = firstNonEmpty(r.GatewayId, r.NatGatewayId, r.VpcPeeringConnectionId, r.TransitGatewayId,
			r.NetworkInterfaceId, r.InstanceId, r.EgressOnlyInternetGatewayId, r.LocalGatewayId, r.CarrierGatewayId, r.CoreNetworkArn)
		rt.Routes = append(rt.Routes, route)
	}
	n.RouteTables[rt.ID] = rt
}

func firstNonEmpty(values ...*string) string {
	for _, v := range values {
		if aws.ToString(v) != "" {
			return *v
		}
	}
	return ""
}

// putPeering: an end whose region is not said is in the network's region.
func putPeering(n *Network, c ec2types.VpcPeeringConnection) {
	pc := &Peering{ID: aws.ToString(c.VpcPeeringConnectionId)}
	if c.Status != nil {
		pc.Status = string(c.Status.Code)
	}
	if r := c.RequesterVpcInfo; r != nil {
		pc.RequesterVPC, pc.RequesterOwner, pc.RequesterRegion = aws.ToString(r.VpcId), aws.ToString(r.OwnerId), aws.ToString(r.Region)
	}
	if a := c.AccepterVpcInfo; a != nil {
		pc.AccepterVPC, pc.AccepterOwn, pc.AccepterRegion = aws.ToString(a.VpcId), aws.ToString(a.OwnerId), aws.ToString(a.Region)
	}
	for _, r := range []*string{&pc.RequesterRegion, &pc.AccepterRegion} {
		if *r == "" {
			*r = n.Region
		}
	}
	n.Peerings[pc.ID] = pc
}

func putEndpoint(n *Network, e ec2types.VpcEndpoint) {
	ep := &Endpoint{ID: aws.ToString(e.VpcEndpointId), Type: string(e.VpcEndpointType), VPCID: aws.ToString(e.VpcId),
		Service: aws.ToString(e.ServiceName), Subnets: e.SubnetIds, ENIs: e.NetworkInterfaceIds, RouteTables: e.RouteTableIds,
		Tags: tagMap(e.Tags)}
	for _, g := range e.Groups {
		ep.Groups = append(ep.Groups, aws.ToString(g.GroupId))
	}
	n.Endpoints[ep.ID] = ep
}

// putNATGateway leaves out gateways that are deleted or being deleted.
func putNATGateway(n *Network, g ec2types.NatGateway) {
	if g.State == ec2types.NatGatewayStateDeleted || g.State == ec2types.NatGatewayStateDeleting {
		return
	}
	nat := &NATGateway{ID: aws.ToString(g.NatGatewayId), SubnetID: aws.ToString(g.SubnetId), VPCID: aws.ToString(g.VpcId),
		Connectivity: string(g.ConnectivityType), Tags: tagMap(g.Tags)}
	for _, a := range g.NatGatewayAddresses {
		if id := aws.ToString(a.NetworkInterfaceId); id != "" {
			nat.ENIs = append(nat.ENIs, id)
		}
	}
	n.NATGateways[nat.ID] = nat
}
