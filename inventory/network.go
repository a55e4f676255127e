package inventory

import (
	"net/netip"
	"sort"
)

// Kinds of facts the loader reads; a kind in Network.Unreadable could not
// be read (AccessDenied and the like), so any answer that needs it is unknown.
const (
	KindVPCs           = "VPCs"
	KindSubnets        = "subnets"
	KindENIs           = "network interfaces"
	KindSecurityGroups = "security groups"
	KindSGRules        = "security group rules"
	KindNACLs          = "network ACLs"
	KindRouteTables    = "route tables"
	KindPrefixLists    = "managed prefix lists"
	KindPeerings       = "VPC peering connections"
	KindTGWAttachments = "transit gateway attachments"
	KindTGWRouteTables = "transit gateway route tables"
	KindEndpoints      = "VPC endpoints"
	KindNATGateways    = "NAT gateways"
)

// Network is the network of one account and region: VPCs, subnets, network
// interfaces, security groups, network ACLs, route tables, prefix lists,
// peerings, transit gateways, endpoints and NAT gateways, as plain structs.
// `faultline reach` evaluates rules over it; `faultline flows` resolves
// flow-log addresses with its interface index. Maps are keyed by ID.
type Network struct {
	Region         string
	VPCs           map[string]*VPC
	Subnets        map[string]*Subnet
	ENIs           map[string]*ENI
	SecurityGroups map[string]*SecurityGroup
	NACLs          map[string]*NACL
	RouteTables    map[string]*RouteTable
	PrefixLists    map[string]*PrefixList
	Peerings       map[string]*Peering
	TGWAttachments map[string]*TGWAttachment
	TGWRouteTables map[string]*TGWRouteTable
	Endpoints      map[string]*Endpoint
	NATGateways    map[string]*NATGateway
	// Unreadable maps a Kind to why it could not be read ("ec2:DescribeNetworkAcls: AccessDenied").
	Unreadable map[string]string

	byIP map[netip.Addr]string
}

// NewNetwork returns an empty network for region.
func NewNetwork(region string) *Network {
	return &Network{
		Region:         region,
		VPCs:           map[string]*VPC{},
		Subnets:        map[string]*Subnet{},
		ENIs:           map[string]*ENI{},
		SecurityGroups: map[string]*SecurityGroup{},
		NACLs:          map[string]*NACL{},
		RouteTables:    map[string]*RouteTable{},
		PrefixLists:    map[string]*PrefixList{},
		Peerings:       map[string]*Peering{},
		TGWAttachments: map[string]*TGWAttachment{},
		TGWRouteTables: map[string]*TGWRouteTable{},
		Endpoints:      map[string]*Endpoint{},
		NATGateways:    map[string]*NATGateway{},
		Unreadable:     map[string]string{},
	}
}

// VPC is a VPC with its CIDR blocks.
type VPC struct {
	ID, OwnerID string
	CIDRs       []netip.Prefix // IPv4 and IPv6 blocks
}

// ENI is a network interface. Addresses holds every private IPv4 and IPv6
// address; PublicIPs the associated public IPv4 addresses.
type ENI struct {
	ID, SubnetID, VPCID, AZ string
	Description             string
	InterfaceType           string
	RequesterManaged        bool
	InstanceID              string
	Addresses               []netip.Addr
	PublicIPs               []netip.Addr
	Groups                  []string
	// OwnerID is the account that owns the interface; RequesterID the
	// principal or service that created it ("amazon-rds", "AIDA..."), and
	// InstanceOwnerID the owner of the attached instance (a service account
	// for requester-managed interfaces). flows attributes interfaces by them.
	OwnerID, RequesterID, InstanceOwnerID string
	Tags                                  map[string]string
}

// SecurityGroup is a group with its rules. Rules are nil when the group was
// listed but its rules could not be read.
type SecurityGroup struct {
	ID, VPCID, Name, OwnerID string
	Ingress, Egress          []SGRule
}

// IsDefault reports whether g is its VPC's default group.
func (g *SecurityGroup) IsDefault() bool { return g.Name == "default" }

// SGRule is one security group rule. Exactly one of CIDR, PrefixListID and
// ReferencedGroupID is set. Protocol is an IANA number as a string, or "-1".
// For ICMP, FromPort and ToPort are the type and code (-1: all).
type SGRule struct {
	ID, GroupID       string
	Egress            bool
	Protocol          string
	FromPort, ToPort  int32
	CIDR              netip.Prefix
	PrefixListID      string
	ReferencedGroupID string
	Description       string
}

// NACL is a network ACL and the subnets associated with it.
type NACL struct {
	ID, VPCID string
	IsDefault bool
	Subnets   []string
	Entries   []NACLEntry
}

// NACLEntry is one numbered rule. PortFrom/PortTo are set for TCP and UDP
// (0-65535 when the rule has no range); ICMPType/ICMPCode for ICMP (-1: all).
type NACLEntry struct {
	Number             int32
	Egress, Allow      bool
	Protocol           string
	CIDR               netip.Prefix
	PortFrom, PortTo   int32
	ICMPType, ICMPCode int32
}

// RouteTable is a route table, the subnets explicitly associated with it and
// whether it is its VPC's main table.
type RouteTable struct {
	ID, VPCID string
	Main      bool
	Subnets   []string
	Routes    []Route
}

// Route is one route. Destination or PrefixListID is set; Target is the ID
// of the next hop ("local", igw-, nat-, pcx-, tgw-, vpce-, eni-, ...).
type Route struct {
	Destination  netip.Prefix
	PrefixListID string
	Target       string
	Blackhole    bool
	Propagated   bool
}

// PrefixList is a managed prefix list; Err says why its entries could not be read.
type PrefixList struct {
	ID, Name string
	CIDRs    []netip.Prefix
	Err      string
}

// Peering is a VPC peering connection.
type Peering struct {
	ID, Status                  string
	RequesterVPC, AccepterVPC   string
	RequesterOwner, AccepterOwn string
	RequesterRegion             string
	AccepterRegion              string
}

// Active reports whether the peering carries traffic.
func (p *Peering) Active() bool { return p.Status == "active" }

// Other returns the VPC at the other end from vpc, or "".
func (p *Peering) Other(vpc string) string {
	switch vpc {
	case p.RequesterVPC:
		return p.AccepterVPC
	case p.AccepterVPC:
		return p.RequesterVPC
	}
	return ""
}

// TGWAttachment is a transit gateway VPC attachment.
type TGWAttachment struct {
	ID, TGWID, VPCID, State string
	Subnets                 []string
	RouteTableID            string // associated TGW route table, "" if none
	SGReferencing           bool   // SecurityGroupReferencingSupport enabled
}

// TGWRouteTable is a transit gateway route table with its routes; Err says
// why its routes could not be read (or are incomplete).
type TGWRouteTable struct {
	ID, TGWID string
	Routes    []TGWRoute
	Err       string
}

// TGWRoute is one TGW route. Attachments are the next hops.
type TGWRoute struct {
	Destination  netip.Prefix
	PrefixListID string
	Attachments  []string
	Blackhole    bool
	Propagated   bool
}

// Endpoint is a VPC endpoint: interface endpoints have ENIs, gateway
// endpoints have route tables.
type Endpoint struct {
	ID, Type, VPCID, Service string
	Subnets, ENIs, Groups    []string
	RouteTables              []string
	Tags                     map[string]string
}

// NATGateway is a NAT gateway.
type NATGateway struct {
	ID, SubnetID, VPCID, Connectivity string
	ENIs                              []string
	Tags                              map[string]string
}

// Reindex rebuilds the address index; the loader calls it, and so must
// anyone who builds or changes ENIs by hand.
func (inv *Network) Reindex() {
	inv.byIP = map[netip.Addr]string{}
	ids := make([]string, 0, len(inv.ENIs))
	for id := range inv.ENIs {
		ids = append(ids, id)
	}
	sort.Strings(ids) // deterministic when moto hands two ENIs one address
	for _, id := range ids {
		for _, a := range inv.ENIs[id].Addresses {
			if _, taken := inv.byIP[a]; !taken {
				inv.byIP[a] = id
			}
		}
	}
}

// ENIByIP returns the interface holding private address a.
func (inv *Network) ENIByIP(a netip.Addr) (*ENI, bool) {
	if inv.byIP == nil {
		inv.Reindex()
	}
	id, ok := inv.byIP[a.Unmap()]
	if !ok {
		return nil, false
	}
	return inv.ENIs[id], true
}

// SubnetContaining returns the subnet whose IPv4 or IPv6 CIDR holds a.
func (inv *Network) SubnetContaining(a netip.Addr) (*Subnet, bool) {
	for _, id := range sortedKeys(inv.Subnets) {
		s := inv.Subnets[id]
		if s.CIDR.IsValid() && s.CIDR.Contains(a) {
			return s, true
		}
		for _, p := range s.IPv6CIDRs {
			if p.Contains(a) {
				return s, true
			}
		}
	}
	return nil, false
}

// VPCContaining returns the VPC one of whose CIDR blocks holds a.
func (inv *Network) VPCContaining(a netip.Addr) (*VPC, bool) {
	for _, id := range sortedKeys(inv.VPCs) {
		for _, p := range inv.VPCs[id].CIDRs {
			if p.Contains(a) {
				return inv.VPCs[id], true
			}
		}
	}
	return nil, false
}

// DefaultGroup returns the default security group of vpc.
func (inv *Network) DefaultGroup(vpc string) (*SecurityGroup, bool) {
	for _, id := range sortedKeys(inv.SecurityGroups) {
		g := inv.SecurityGroups[id]
		if g.VPCID == vpc && g.IsDefault() {
			return g, true
		}
	}
	return nil, false
}

// NACLOf returns the network ACL of subnet: the associated one, else the
// VPC's default (every subnet has exactly one).
func (inv *Network) NACLOf(subnet *Subnet) (*NACL, bool) {
	var def *NACL
	for _, id := range sortedKeys(inv.NACLs) {
		n := inv.NACLs[id]
		for _, s := range n.Subnets {
			if s == subnet.ID {
				return n, true
			}
		}
		if n.VPCID == subnet.VPCID && n.IsDefault {
			def = n
		}
	}
	return def, def != nil
}

// RouteTableOf returns the route table of subnet: the explicitly associated
// one, else the VPC's main table.
func (inv *Network) RouteTableOf(subnet *Subnet) (*RouteTable, bool) {
	var main *RouteTable
	for _, id := range sortedKeys(inv.RouteTables) {
		t := inv.RouteTables[id]
		for _, s := range t.Subnets {
			if s == subnet.ID {
				return t, true
			}
		}
		if t.VPCID == subnet.VPCID && t.Main {
			main = t
		}
	}
	return main, main != nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
