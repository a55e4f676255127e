package inventory

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// EC2API holds exactly the read-only EC2 calls Load makes.
type EC2API interface {
	ec2.DescribeVpcsAPIClient
	ec2.DescribeSubnetsAPIClient
	ec2.DescribeNetworkInterfacesAPIClient
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeSecurityGroupRulesAPIClient
	ec2.DescribeNetworkAclsAPIClient
	ec2.DescribeRouteTablesAPIClient
	ec2.DescribeManagedPrefixListsAPIClient
	ec2.GetManagedPrefixListEntriesAPIClient
	ec2.DescribeVpcPeeringConnectionsAPIClient
	ec2.DescribeTransitGatewayVpcAttachmentsAPIClient
	ec2.DescribeTransitGatewayAttachmentsAPIClient
	ec2.DescribeTransitGatewayRouteTablesAPIClient
	SearchTransitGatewayRoutes(context.Context, *ec2.SearchTransitGatewayRoutesInput, ...func(*ec2.Options)) (*ec2.SearchTransitGatewayRoutesOutput, error)
	ec2.DescribeVpcEndpointsAPIClient
	ec2.DescribeNatGatewaysAPIClient
}

// Actions are the IAM actions Load calls, sorted.
var Actions = []string{
	"ec2:DescribeManagedPrefixLists",
	"ec2:DescribeNatGateways",
	"ec2:DescribeNetworkAcls",
	"ec2:DescribeNetworkInterfaces",
	"ec2:DescribeRouteTables",
	"ec2:DescribeSecurityGroupRules",
	"ec2:DescribeSecurityGroups",
	"ec2:DescribeSubnets",
	"ec2:DescribeTransitGatewayAttachments",
	"ec2:DescribeTransitGatewayRouteTables",
	"ec2:DescribeTransitGatewayVpcAttachments",
	"ec2:DescribeVpcEndpoints",
	"ec2:DescribeVpcPeeringConnections",
	"ec2:DescribeVpcs",
	"ec2:GetManagedPrefixListEntries",
	"ec2:SearchTransitGatewayRoutes",
}

// IsAccessDenied reports whether err is IAM (or an SCP) refusing the call.
func IsAccessDenied(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation", "UnauthorizedAccess":
		return true
	}
	return false
}

// Load reads the region's network inventory with paginated Describe calls.
// A call refused by IAM marks its kind Unreadable and loading goes on, so
// that answers which do not need that kind still come out; any other error
// ends the load.
func LoadNetwork(ctx context.Context, api EC2API, region string) (*Network, error) {
	inv := NewNetwork(region)
	steps := []struct {
		kind, action string
		load         func(context.Context, EC2API, *Network) error
	}{
		{KindVPCs, "ec2:DescribeVpcs", loadVPCs},
		{KindSubnets, "ec2:DescribeSubnets", loadNetSubnets},
		{KindENIs, "ec2:DescribeNetworkInterfaces", loadENIs},
		{KindSecurityGroups, "ec2:DescribeSecurityGroups", loadGroups},
		{KindSGRules, "ec2:DescribeSecurityGroupRules", loadGroupRules},
		{KindNACLs, "ec2:DescribeNetworkAcls", loadNACLs},
		{KindRouteTables, "ec2:DescribeRouteTables", loadRouteTables},
		{KindPrefixLists, "ec2:DescribeManagedPrefixLists", loadPrefixLists},
		{KindPeerings, "ec2:DescribeVpcPeeringConnections", loadPeerings},
		{KindTGWAttachments, "ec2:DescribeTransitGatewayAttachments", loadTGWAttachments},
		{KindTGWRouteTables, "ec2:DescribeTransitGatewayRouteTables", loadTGWRouteTables},
		{KindEndpoints, "ec2:DescribeVpcEndpoints", loadEndpoints},
		{KindNATGateways, "ec2:DescribeNatGateways", loadNATGateways},
	}
	for _, s := range steps {
		err := s.load(ctx, api, inv)
		switch {
		case err == nil:
		case IsAccessDenied(err):
			inv.Unreadable[s.kind] = s.action + ": " + errorCode(err)
		default:
			return nil, fmt.Errorf("reading %s: %w", s.kind, err)
		}
	}
	inv.Reindex()
	return inv, nil
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return err.Error()
}

func addr(s *string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(aws.ToString(s))
	return a, err == nil
}

func loadVPCs(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeVpcsPaginator(api, &ec2.DescribeVpcsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, v := range page.Vpcs {
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
			inv.VPCs[vpc.ID] = vpc
		}
	}
	return nil
}

func loadNetSubnets(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range page.Subnets {
			sn := &Subnet{ID: aws.ToString(s.SubnetId), VPCID: aws.ToString(s.VpcId), AZ: aws.ToString(s.AvailabilityZone),
				AZID: aws.ToString(s.AvailabilityZoneId), CIDR: prefix(s.CidrBlock)}
			for _, c := range s.Ipv6CidrBlockAssociationSet {
				sn.IPv6CIDRs = append(sn.IPv6CIDRs, prefix(c.Ipv6CidrBlock))
			}
			inv.Subnets[sn.ID] = sn
		}
	}
	return nil
}

func loadENIs(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeNetworkInterfacesPaginator(api, &ec2.DescribeNetworkInterfacesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range page.NetworkInterfaces {
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
	}
	return nil
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

func loadGroups(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeSecurityGroupsPaginator(api, &ec2.DescribeSecurityGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range page.SecurityGroups {
			id := aws.ToString(g.GroupId)
			inv.SecurityGroups[id] = &SecurityGroup{ID: id, VPCID: aws.ToString(g.VpcId), Name: aws.ToString(g.GroupName), OwnerID: aws.ToString(g.OwnerId)}
		}
	}
	return nil
}

// loadGroupRules reads every rule region-wide (DescribeSecurityGroupRules
// carries the rule IDs that explanations name).
func loadGroupRules(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeSecurityGroupRulesPaginator(api, &ec2.DescribeSecurityGroupRulesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.SecurityGroupRules {
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
			g, ok := inv.SecurityGroups[rule.GroupID]
			if !ok {
				g = &SecurityGroup{ID: rule.GroupID}
				inv.SecurityGroups[rule.GroupID] = g
			}
			if rule.Egress {
				g.Egress = append(g.Egress, rule)
			} else {
				g.Ingress = append(g.Ingress, rule)
			}
		}
	}
	return nil
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

func loadNACLs(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeNetworkAclsPaginator(api, &ec2.DescribeNetworkAclsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.NetworkAcls {
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
	}
	return nil
}

func loadRouteTables(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeRouteTablesPaginator(api, &ec2.DescribeRouteTablesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.RouteTables {
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
			inv.RouteTables[rt.ID] = rt
		}
	}
	return nil
}

func firstNonEmpty(values ...*string) string {
	for _, v := range values {
		if aws.ToString(v) != "" {
			return *v
		}
	}
	return ""
}

// loadPrefixLists reads every prefix list and its entries. A list whose
// entries are refused keeps the reason in Err: rules using it are unknown.
func loadPrefixLists(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeManagedPrefixListsPaginator(api, &ec2.DescribeManagedPrefixListsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, l := range page.PrefixLists {
			pl := &PrefixList{ID: aws.ToString(l.PrefixListId), Name: aws.ToString(l.PrefixListName)}
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
			inv.PrefixLists[pl.ID] = pl
		}
	}
	return nil
}

func loadPeerings(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeVpcPeeringConnectionsPaginator(api, &ec2.DescribeVpcPeeringConnectionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range page.VpcPeeringConnections {
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
					*r = inv.Region
				}
			}
			inv.Peerings[pc.ID] = pc
		}
	}
	return nil
}

// loadTGWAttachments reads VPC attachments (subnets, SG-referencing option)
// and joins the route-table association from the generic attachment list.
func loadTGWAttachments(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeTransitGatewayVpcAttachmentsPaginator(api, &ec2.DescribeTransitGatewayVpcAttachmentsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.TransitGatewayVpcAttachments {
			att := &TGWAttachment{ID: aws.ToString(a.TransitGatewayAttachmentId), TGWID: aws.ToString(a.TransitGatewayId),
				VPCID: aws.ToString(a.VpcId), State: string(a.State), Subnets: a.SubnetIds}
			if a.Options != nil {
				att.SGReferencing = a.Options.SecurityGroupReferencingSupport == ec2types.SecurityGroupReferencingSupportValueEnable
			}
			inv.TGWAttachments[att.ID] = att
		}
	}
	g := ec2.NewDescribeTransitGatewayAttachmentsPaginator(api, &ec2.DescribeTransitGatewayAttachmentsInput{})
	for g.HasMorePages() {
		page, err := g.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.TransitGatewayAttachments {
			att, ok := inv.TGWAttachments[aws.ToString(a.TransitGatewayAttachmentId)]
			if ok && a.Association != nil && a.Association.State == ec2types.TransitGatewayAssociationStateAssociated {
				att.RouteTableID = aws.ToString(a.Association.TransitGatewayRouteTableId)
			}
		}
	}
	return nil
}

// loadTGWRouteTables reads each TGW route table's active and blackhole
// routes. SearchTransitGatewayRoutes has no pagination: when it says more
// routes exist, the table is marked incomplete rather than half-read.
func loadTGWRouteTables(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeTransitGatewayRouteTablesPaginator(api, &ec2.DescribeTransitGatewayRouteTablesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.TransitGatewayRouteTables {
			rt := &TGWRouteTable{ID: aws.ToString(t.TransitGatewayRouteTableId), TGWID: aws.ToString(t.TransitGatewayId)}
			inv.TGWRouteTables[rt.ID] = rt
			out, err := api.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{
				TransitGatewayRouteTableId: t.TransitGatewayRouteTableId,
				Filters:                    []ec2types.Filter{{Name: aws.String("state"), Values: []string{"active", "blackhole"}}},
			})
			if IsAccessDenied(err) {
				rt.Err = "ec2:SearchTransitGatewayRoutes: " + errorCode(err)
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
		}
	}
	return nil
}

func loadEndpoints(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeVpcEndpointsPaginator(api, &ec2.DescribeVpcEndpointsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range page.VpcEndpoints {
			ep := &Endpoint{ID: aws.ToString(e.VpcEndpointId), Type: string(e.VpcEndpointType), VPCID: aws.ToString(e.VpcId),
				Service: aws.ToString(e.ServiceName), Subnets: e.SubnetIds, ENIs: e.NetworkInterfaceIds, RouteTables: e.RouteTableIds,
				Tags: tagMap(e.Tags)}
			for _, g := range e.Groups {
				ep.Groups = append(ep.Groups, aws.ToString(g.GroupId))
			}
			inv.Endpoints[ep.ID] = ep
		}
	}
	return nil
}

func loadNATGateways(ctx context.Context, api EC2API, inv *Network) error {
	p := ec2.NewDescribeNatGatewaysPaginator(api, &ec2.DescribeNatGatewaysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range page.NatGateways {
			if n.State == ec2types.NatGatewayStateDeleted || n.State == ec2types.NatGatewayStateDeleting {
				continue
			}
			nat := &NATGateway{ID: aws.ToString(n.NatGatewayId), SubnetID: aws.ToString(n.SubnetId), VPCID: aws.ToString(n.VpcId),
				Connectivity: string(n.ConnectivityType), Tags: tagMap(n.Tags)}
			for _, a := range n.NatGatewayAddresses {
				if id := aws.ToString(a.NetworkInterfaceId); id != "" {
					nat.ENIs = append(nat.ENIs, id)
				}
			}
			inv.NATGateways[nat.ID] = nat
		}
	}
	return nil
}
