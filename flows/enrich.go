package flows

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/faultline/faultline/inventory"
)

// Side is one end of a flow, in the seed document's shape. Arns is always
// present (empty when nothing is known).
type Side struct {
	Addr               string            `json:"Addr"`
	Port               int               `json:"Port"`
	Arns               []string          `json:"Arns"`
	InterfaceId        string            `json:"InterfaceId,omitempty"`
	SubnetId           string            `json:"SubnetId,omitempty"`
	VpcId              string            `json:"VpcId,omitempty"`
	AccountId          string            `json:"AccountId,omitempty"`
	SecurityGroupIds   []string          `json:"SecurityGroupIds,omitempty"`
	AvailabilityZone   string            `json:"AvailabilityZone,omitempty"`
	AvailabilityZoneId string            `json:"AvailabilityZoneId,omitempty"`
	Region             string            `json:"Region,omitempty"`
	Type               string            `json:"Type"`
	AwsService         string            `json:"AwsService,omitempty"`
	Rfc1918            bool              `json:"Rfc1918"`
	Tags               map[string]string `json:"Tags,omitempty"`

	flowLogged bool // the side's interface has a flow log of its own
}

// Scope is the inventory and facts of one account and region.
type Scope struct {
	Inv   *inventory.Network
	Facts *Facts
}

type eniRef struct {
	eni   *inventory.ENI
	scope *Scope
	side  *Side // built on first use
}

// Estate resolves addresses against every scope read.
type Estate struct {
	byID     map[string]*eniRef
	byIP     map[netip.Addr][]*eniRef // private addresses
	byPublic map[netip.Addr]*eniRef
	vpcs     map[string]*inventory.VPC
	scopes   []*Scope
	// subnetScope finds the inventory of a subnet, for route lookups.
	subnetScope map[string]*Scope
	ranges      *IPRanges
	// cache holds resolved sides; an Estate is used by one goroutine.
	cache map[sidesKey]*sidePair
}

// NewEstate indexes the interfaces of every scope. ranges may be nil.
func NewEstate(scopes []*Scope, ranges *IPRanges) *Estate {
	e := &Estate{byID: map[string]*eniRef{}, byIP: map[netip.Addr][]*eniRef{}, byPublic: map[netip.Addr]*eniRef{},
		vpcs: map[string]*inventory.VPC{}, scopes: scopes, ranges: ranges, subnetScope: map[string]*Scope{}}
	for _, s := range scopes {
		for _, id := range sortedIDs(s.Inv.ENIs) {
			n := s.Inv.ENIs[id]
			ref := &eniRef{eni: n, scope: s}
			e.byID[id] = ref
			for _, a := range n.Addresses {
				e.byIP[a.Unmap()] = append(e.byIP[a.Unmap()], ref)
			}
			for _, a := range n.PublicIPs {
				e.byPublic[a.Unmap()] = ref
			}
		}
		for id := range s.Inv.Subnets {
			e.subnetScope[id] = s
		}
		for id, v := range s.Inv.VPCs {
			e.vpcs[id] = v
		}
	}
	return e
}

func (r *eniRef) template() *Side {
	if r.side != nil {
		return r.side
	}
	n, s := r.eni, r.scope
	o := Attribute(s.Inv, s.Facts, n)
	acct := n.OwnerID
	if acct == "" {
		acct = s.Facts.Account
	}
	side := &Side{Arns: o.Arns, InterfaceId: n.ID, SubnetId: n.SubnetID, VpcId: n.VPCID, AccountId: acct,
		SecurityGroupIds: n.Groups, AvailabilityZone: n.AZ, Region: s.Inv.Region, Type: o.Type, Tags: o.Tags,
		flowLogged: s.Facts.FlowLogged[n.ID] || s.Facts.FlowLogged[n.SubnetID] || s.Facts.FlowLogged[n.VPCID]}
	if side.Arns == nil {
		side.Arns = []string{}
	}
	if o.Type == TypeEndpoint && o.Service != "" {
		side.AwsService = endpointService(o.Service)
	}
	if sn, ok := s.Inv.Subnets[n.SubnetID]; ok {
		side.AvailabilityZoneId = sn.AZID
		if side.AvailabilityZone == "" {
			side.AvailabilityZone = sn.AZ
		}
	}
	r.side = side
	return side
}

// endpointService turns com.amazonaws.us-east-1.s3 into s3.
func endpointService(name string) string {
	if rest, ok := strings.CutPrefix(name, "com.amazonaws."); ok {
		if _, svc, ok := strings.Cut(rest, "."); ok {
			return svc
		}
	}
	return name
}

func (r *eniRef) holds(a netip.Addr) bool {
	for _, x := range r.eni.Addresses {
		if x.Unmap() == a {
			return true
		}
	}
	for _, x := range r.eni.PublicIPs {
		if x.Unmap() == a {
			return true
		}
	}
	return false
}

var rfc1918 = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}

// IsRFC1918 reports whether a is in a private IPv4 range of RFC 1918.
func IsRFC1918(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range rfc1918 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// isPrivate: addresses an interface holds as private ones: RFC 1918, the
// 100.64/10 range some VPCs add, IPv6 ULA, and anything inside a VPC CIDR
// read (VPC IPv6 blocks are global unicast, yet private to the VPC).
func (e *Estate) isPrivate(a netip.Addr) bool {
	if a.IsPrivate() || cgnat.Contains(a) {
		return true
	}
	for _, v := range e.vpcs {
		for _, p := range v.CIDRs {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

// ownSide says which address of r belongs to the interface that logged it:
// 0 src, 1 dst, -1 unknown.
func (e *Estate) ownSide(r *Record, ref *eniRef) int {
	if r.Via {
		return -1 // both addresses are the packet's ends, neither the interface's
	}
	if ref != nil {
		switch {
		case ref.holds(r.SrcAddr):
			return 0
		case ref.holds(r.DstAddr):
			return 1
		}
	}
	switch r.FlowDirection {
	case "egress":
		return 0
	case "ingress":
		return 1
	}
	return -1
}

// cacheableLogger returns the inventory's ID of the interface that logged
// r when r's sides depend only on it and r's two addresses: the interface
// is known and holds one of them, or forwarded the packet (r.Via; it then
// holds neither, so the same three never come without Via).
func (e *Estate) cacheableLogger(r *Record) (string, bool) {
	ref := e.byID[r.InterfaceID]
	if ref != nil && (r.Via || ref.holds(r.SrcAddr) || ref.holds(r.DstAddr)) {
		return ref.eni.ID, true
	}
	return "", false
}

// usePacketAddrs puts the packet's addresses (pkt-srcaddr, pkt-dstaddr,
// when the format has them) in place of the logged ones: for its own side
// an interface always logs its primary address, even for a packet to or
// from another of its addresses (a pod's, say), or one it only forwards.
// When the logging interface holds neither packet address, it forwarded
// the packet: r.Via, and both addresses are peers. An interface not in the
// inventory cannot say which, so its records count as forwarded too, and
// their private addresses stay unknown (Sides).
func (e *Estate) usePacketAddrs(r *Record) {
	r.Via = false
	src, dst := r.SrcAddr, r.DstAddr
	if r.PktSrcAddr.IsValid() {
		src = r.PktSrcAddr
	}
	if r.PktDstAddr.IsValid() {
		dst = r.PktDstAddr
	}
	if src == r.SrcAddr && dst == r.DstAddr {
		return
	}
	ref := e.byID[r.InterfaceID]
	r.Via = ref == nil || (!ref.holds(src) && !ref.holds(dst))
	r.SrcAddr, r.DstAddr = src, dst
}

// Sides resolves the source and destination of r. The interface that
// logged r owns one of the two addresses: that side is the interface
// itself, or "unknown" if it no longer exists (its address may since belong
// to another interface: never name that one). The other address is looked
// up by IP, within the logging interface's VPC when it lies inside it.
func (e *Estate) Sides(r *Record) (src, dst Side) {
	pair := e.sides(r)
	src, dst = pair.side[0], pair.side[1]
	src.Port, dst.Port = r.SrcPort, r.DstPort
	return src, dst
}

// sidePair is the source and destination of a record, without the ports,
// shared between the flows of a connection: never modified once made.
type sidePair struct {
	side [2]Side
	// json holds each side encoded, made by the JSONL writer on first use.
	json [2]sideJSON
}

// sideJSON is a side in JSON, around its port: {"Addr":..,"Port": and
// the rest.
type sideJSON struct{ head, tail []byte }

// sides is Sides without the ports, shared: the caller must not modify it.
func (e *Estate) sides(r *Record) *sidePair {
	id, ok := e.cacheableLogger(r)
	if !ok {
		pair := new(sidePair)
		pair.side[0], pair.side[1] = e.resolve(r, e.byID[r.InterfaceID])
		return pair
	}
	// The common case depends on the interface and the two addresses
	// only: resolve each triple once. Flows repeat them all the time.
	k := sidesKey{id, r.SrcAddr, r.DstAddr}
	pair, ok := e.cache[k]
	if !ok {
		if e.cache == nil || len(e.cache) >= maxCachedSides {
			e.cache = make(map[sidesKey]*sidePair) // bounded: start afresh
		}
		pair = new(sidePair)
		pair.side[0], pair.side[1] = e.resolve(r, e.byID[id])
		e.cache[k] = pair
	}
	return pair
}

// maxCachedSides bounds the cache of resolved sides, so that memory does
// not grow with the number of distinct peers in the input.
const maxCachedSides = 1 << 16

type sidesKey struct {
	iface    string // the inventory's ID, never the record's
	src, dst netip.Addr
}

// resolve is Sides without the cache and the ports.
func (e *Estate) resolve(r *Record, ref *eniRef) (src, dst Side) {
	own := e.ownSide(r, ref)
	addrs := [2]netip.Addr{r.SrcAddr, r.DstAddr}
	var out [2]Side
	for i, a := range addrs {
		switch {
		case i == own && ref != nil && ref.holds(a):
			out[i] = *ref.template()
		case i == own:
			out[i] = e.goneSide(r, a)
		case own == -1 && ref == nil && e.isPrivate(a):
			// The logging interface is gone and the record does not say
			// which address was its own: either could be, so neither is
			// attributed to whoever holds it now.
			out[i] = e.goneSide(r, a)
		default:
			out[i] = e.peerSide(r, ref, a)
		}
		out[i].Addr = a.String()
		out[i].Rfc1918 = IsRFC1918(a)
	}
	return out[0], out[1]
}

// goneSide is the logging interface's side when the interface is not in
// the inventory: what the record itself says, Type unknown.
func (e *Estate) goneSide(r *Record, a netip.Addr) Side {
	// Clones: the record's strings share memory with the text read.
	s := Side{Arns: []string{}, Type: TypeUnknown, InterfaceId: strings.Clone(r.InterfaceID), SubnetId: strings.Clone(r.SubnetID),
		VpcId: strings.Clone(r.VpcID), AccountId: strings.Clone(r.AccountID), AvailabilityZoneId: strings.Clone(r.AZID),
		Region: strings.Clone(r.Region)}
	if s.AccountId == "unknown" {
		s.AccountId = ""
	}
	e.placeInSubnet(&s, a)
	return s
}

// placeInSubnet fills subnet, VPC and AZ from the subnet whose CIDR holds
// a, when exactly one scope's VPC matches the side's VPC (or any, if none).
func (e *Estate) placeInSubnet(s *Side, a netip.Addr) {
	for _, sc := range e.scopes {
		sn, ok := sc.Inv.SubnetContaining(a)
		if !ok || (s.VpcId != "" && sn.VPCID != s.VpcId) {
			continue
		}
		if s.SubnetId == "" {
			s.SubnetId = sn.ID
		}
		s.VpcId = sn.VPCID
		s.AvailabilityZone, s.AvailabilityZoneId = sn.AZ, sn.AZID
		if s.Region == "" {
			s.Region = sc.Inv.Region
		}
		return
	}
}

func (e *Estate) peerSide(r *Record, logger *eniRef, a netip.Addr) Side {
	vpc := strings.Clone(r.VpcID) // kept in the side: not the text read
	if logger != nil {
		vpc = logger.eni.VPCID
	}
	cands := e.byIP[a]
	inLoggerVPC := false
	if v, ok := e.vpcs[vpc]; ok {
		for _, p := range v.CIDRs {
			if p.Contains(a) {
				inLoggerVPC = true
			}
		}
	}
	var pick *eniRef
	switch {
	case inLoggerVPC:
		// Same VPC: only an interface of that VPC can hold the address.
		for _, c := range cands {
			if c.eni.VPCID == vpc {
				pick = c
				break
			}
		}
	case len(cands) == 1:
		pick = cands[0]
	case len(cands) > 1:
		// Overlapping CIDRs in several VPCs: the record cannot say which.
		s := Side{Arns: []string{}, Type: TypeUnknown}
		return s
	}
	if pick != nil {
		return *pick.template()
	}
	if ref, ok := e.byPublic[a]; ok {
		return *ref.template()
	}
	if e.isPrivate(a) {
		s := Side{Arns: []string{}, Type: TypeUnknown}
		if inLoggerVPC {
			s.VpcId = vpc
		}
		e.placeInSubnet(&s, a)
		return s
	}
	if svc, region, ok := e.ranges.Lookup(a); ok {
		return Side{Arns: []string{}, Type: TypeAWSService, AwsService: strings.ToLower(svc), Region: region}
	}
	return Side{Arns: []string{}, Type: TypeInternet}
}

// sortedTags lists tags as k=v, sorted, for flat outputs.
func sortedTags(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
