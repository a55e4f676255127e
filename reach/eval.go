package reach

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/faultline/faultline/inventory"
)

// Components as hops name them.
const (
	CompSGEgress      = "security group egress"
	CompSGIngress     = "security group ingress"
	CompNACLOut       = "network ACL outbound"
	CompNACLIn        = "network ACL inbound"
	CompNACLReturnIn  = "network ACL inbound (return)"
	CompNACLReturnOut = "network ACL outbound (return)"
	CompRoute         = "route table"
	CompReturnRoute   = "route table (return)"
	CompPeering       = "VPC peering"
	CompTGW           = "transit gateway"
	CompTGWRoute      = "transit gateway route table"
	CompIGW           = "internet gateway"
	CompNAT           = "NAT gateway"
	CompEndpoint      = "gateway endpoint"
	CompAddress       = "address"
)

// Evaluate answers the question for every pair of source and target
// interfaces and combines the pairs into one verdict.
func Evaluate(inv *inventory.Network, src, dst Resource, q Query) Result {
	res := Result{Source: src, Target: dst, Query: q}
	res.Notes = append(append(res.Notes, src.Notes...), dst.Notes...)
	for _, s := range src.Ifaces {
		for _, d := range dst.Ifaces {
			p := EvaluatePair(inv, s, d, q)
			res.Paths = append(res.Paths, p)
			for _, h := range p.Hints {
				res.Hints = appendOnce(res.Hints, h)
			}
		}
	}
	res.Verdict = combine(res.Paths)
	return res
}

// combine: all reachable is reachable, all blocked is blocked, a mix of
// reachable and blocked is partial; otherwise any unknown pair makes the
// answer unknown, because that pair might go either way.
func combine(paths []Path) Verdict {
	var r, b, u int
	for _, p := range paths {
		switch p.Verdict {
		case Reachable:
			r++
		case Blocked:
			b++
		default:
			u++
		}
	}
	switch {
	case len(paths) == 0:
		return VerdictUnknown
	case r > 0 && b > 0:
		return Partial
	case u > 0:
		return VerdictUnknown
	case r > 0:
		return Reachable
	}
	return Blocked
}

// pairEval holds the state of one source/target pair.
type pairEval struct {
	inv              *inventory.Network
	src, dst         Iface
	srcAddr, dstAddr netip.Prefix
	q                Query
	hops             []Hop
	hints            []string
}

func (e *pairEval) add(h Hop, hints ...string) {
	e.hops = append(e.hops, h)
	for _, x := range hints {
		if x != "" {
			e.hints = appendOnce(e.hints, x)
		}
	}
}

// EvaluatePair evaluates one source interface to one target interface:
// source SG egress, source NACL outbound, routing there and back, target
// NACL inbound, target SG ingress, and the stateless NACL return path.
// Every check runs, so a blocked path names every blocking component.
func EvaluatePair(inv *inventory.Network, src, dst Iface, q Query) Path {
	e := &pairEval{inv: inv, src: src, dst: dst, q: q}
	path := Path{Source: src.Label, Target: dst.Label}
	var ok bool
	e.srcAddr, e.dstAddr, ok = pickFamily(src.Addrs, dst.Addrs)
	if !ok {
		e.add(Hop{Component: CompAddress, Decision: Deny, Rule: "address family",
			Detail: "the two ends have no address family in common (IPv4 rules never match IPv6)"})
		path.Hops, path.Verdict = e.hops, Blocked
		return path
	}
	if e.q.Protocol == ProtoICMP && e.dstAddr.Addr().Is6() {
		e.q.Protocol = ProtoICMPv6
	}
	sameSubnet := src.SubnetID != "" && src.SubnetID == dst.SubnetID

	route := e.routing()
	// Behind a NAT gateway the target sees the NAT's address, and answers
	// it on the NAT's ephemeral ports.
	seenSrc, replyPorts := e.srcAddr, src.Ephemeral
	if route.natAddr.IsValid() {
		seenSrc, replyPorts = route.natAddr, EphemeralAWS
	}
	srcView := e.view(src, seenSrc, route)
	dstView := e.view(dst, e.dstAddr, route)

	if src.External {
		e.add(Hop{Component: CompSGEgress, Decision: Skip, Detail: "source is outside the region's VPCs"})
	} else {
		e.groupHop(CompSGEgress, src, true, dstView)
	}
	e.naclHop(CompNACLOut, src, sameSubnet, true, e.dstAddr, PortRange{int32(q.Port), int32(q.Port)}, e.q.ICMPType, e.q.ICMPCode)
	e.hops = append(e.hops, route.hops...)
	e.hints = append(e.hints, route.hints...)
	e.naclHop(CompNACLIn, dst, sameSubnet, false, seenSrc, PortRange{int32(q.Port), int32(q.Port)}, e.q.ICMPType, e.q.ICMPCode)
	if dst.External {
		e.add(Hop{Component: CompSGIngress, Decision: Skip, Detail: "target is outside the region's VPCs"})
	} else {
		e.groupHop(CompSGIngress, dst, false, srcView)
	}
	if replies(e.q) {
		rt, rc := replyICMP(e.q)
		e.naclHop(CompNACLReturnOut, dst, sameSubnet, true, seenSrc, replyPorts, rt, rc)
		e.naclHop(CompNACLReturnIn, src, sameSubnet, false, e.dstAddr, src.Ephemeral, rt, rc)
	}
	path.Hops, path.Hints = e.hops, e.hints
	path.Verdict = Reachable
	for _, h := range e.hops {
		switch {
		case h.Decision == Deny:
			path.Verdict = Blocked
		case h.Decision == Unknown && path.Verdict == Reachable:
			path.Verdict = VerdictUnknown
		}
	}
	return path
}

// replies reports whether the query's reply crosses the NACLs in reverse:
// TCP and UDP replies, and ICMP echo replies. Other ICMP types and
// protocols have no modelled reply.
func replies(q Query) bool {
	switch q.Protocol {
	case ProtoTCP, ProtoUDP:
		return true
	case ProtoICMP:
		return q.ICMPType == 8
	case ProtoICMPv6:
		return q.ICMPType == 128
	}
	return false
}

// replyICMP is the echo reply's type and code for an echo request.
func replyICMP(q Query) (int, int) {
	if q.Protocol == ProtoICMPv6 {
		return 129, 0
	}
	return 0, 0
}

// pickFamily chooses IPv4 when both ends have it, else IPv6.
func pickFamily(src, dst []netip.Prefix) (netip.Prefix, netip.Prefix, bool) {
	for _, v4 := range []bool{true, false} {
		s, sok := firstOfFamily(src, v4)
		d, dok := firstOfFamily(dst, v4)
		if sok && dok {
			return s, d, true
		}
	}
	return netip.Prefix{}, netip.Prefix{}, false
}

func firstOfFamily(list []netip.Prefix, v4 bool) (netip.Prefix, bool) {
	for _, p := range list {
		if p.Addr().Is4() == v4 {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// view is how iface looks to the security groups at the other end.
func (e *pairEval) view(iface Iface, addr netip.Prefix, route routeOutcome) peerView {
	v := peerView{addr: addr, refs: route.refs, refsWhy: route.refsWhy}
	for _, h := range route.hops {
		if h.Decision == Unknown {
			v.refsUnknown = true
		}
	}
	if iface.External {
		v.refs, v.refsWhy = false, "the peer is outside the region's VPCs"
		return v
	}
	if iface.Unfiltered {
		return v
	}
	groups, _, unknown := e.effectiveGroups(iface)
	v.groups, v.groupsUnknown = groups, unknown
	if !v.refs && v.refsWhy == "" {
		v.refsWhy = "no route carries the traffic"
	}
	return v
}

// effectiveGroups are the interface's groups, or its VPC's default group
// when it has none (S8, S9).
func (e *pairEval) effectiveGroups(iface Iface) (groups []string, note, unknown string) {
	if iface.GroupsUnknown != "" {
		return nil, "", iface.GroupsUnknown
	}
	if len(iface.Groups) > 0 {
		return iface.Groups, "", ""
	}
	if g, ok := e.inv.DefaultGroup(iface.VPCID); ok {
		return []string{g.ID}, "no security groups: the VPC's default group " + g.ID + " applies", ""
	}
	if why := e.inv.Unreadable[inventory.KindSecurityGroups]; why != "" {
		return nil, "", "security groups unreadable (" + why + ")"
	}
	return nil, "", "no security groups and no default group found for " + iface.VPCID
}

func (e *pairEval) groupHop(component string, iface Iface, egress bool, peer peerView) {
	if iface.Unfiltered {
		e.add(Hop{Component: component, Decision: Skip, Detail: "no security groups apply to this interface"})
		return
	}
	groups, note, unknown := e.effectiveGroups(iface)
	if unknown != "" {
		e.add(Hop{Component: component, Decision: Unknown, Detail: unknown})
		return
	}
	c := evalGroups(e.inv, groups, egress, peer, e.q)
	detail := c.detail
	if note != "" {
		detail = note + "; " + detail
	}
	e.add(Hop{Component: component, ID: c.id, Decision: c.decision, Rule: c.rule, Detail: detail}, c.hints...)
}

// naclHop checks the NACL of iface's subnet. Traffic within one subnet is
// not filtered by NACLs (N6); interfaces outside AWS have none.
func (e *pairEval) naclHop(component string, iface Iface, sameSubnet, egress bool, peer netip.Prefix, ports PortRange, icmpType, icmpCode int) {
	switch {
	case iface.External:
		e.add(Hop{Component: component, Decision: Skip, Detail: "outside the region's VPCs"})
		return
	case sameSubnet:
		e.add(Hop{Component: component, ID: iface.SubnetID, Decision: Skip, Detail: "same subnet: network ACLs do not filter traffic within a subnet"})
		return
	}
	subnet, ok := e.inv.Subnets[iface.SubnetID]
	if !ok {
		e.add(Hop{Component: component, ID: iface.SubnetID, Decision: Unknown, Detail: "subnet " + iface.SubnetID + " not found" + unreadable(e.inv, inventory.KindSubnets)})
		return
	}
	acl, ok := e.inv.NACLOf(subnet)
	if !ok {
		e.add(Hop{Component: component, ID: subnet.ID, Decision: Unknown, Detail: "no network ACL found for " + subnet.ID + unreadable(e.inv, inventory.KindNACLs)})
		return
	}
	c := evalNACL(acl, egress, peer, e.q.Protocol, ports, icmpType, icmpCode)
	e.add(Hop{Component: component, ID: acl.ID, Decision: c.decision, Rule: c.rule, Detail: c.detail}, c.hint)
}

func unreadable(inv *inventory.Network, kind string) string {
	if why := inv.Unreadable[kind]; why != "" {
		return " (" + kind + " unreadable: " + why + ")"
	}
	return ""
}

// routeOutcome is the routing part of a path: its hops and whether
// security group references survive it.
type routeOutcome struct {
	hops    []Hop
	hints   []string
	refs    bool
	refsWhy string
	// natAddr is the source address the target sees when a NAT gateway on
	// the way translates it; invalid when none does.
	natAddr netip.Prefix
}

func (r *routeOutcome) add(h Hop) { r.hops = append(r.hops, h) }

// routeRule names a chosen route as hops do: "10.1.0.0/16 -> pcx-ab".
func routeRule(c inventory.RouteChoice) string { return c.Destination + " -> " + c.Target }

// routing follows the route tables from the source subnet to the target
// and back.
func (e *pairEval) routing() routeOutcome {
	var out routeOutcome
	switch {
	case e.src.External && e.dst.External:
		out.add(Hop{Component: CompRoute, Decision: Unknown, Detail: "both ends are outside the region's VPCs"})
		return out
	case e.src.External:
		e.inbound(&out)
		return out
	}
	subnet, rt, hop := e.tableOf(e.src, CompRoute)
	if hop != nil {
		out.add(*hop)
		return out
	}
	choice := e.inv.LookupRoute(rt.Candidates(), e.dstAddr)
	base := Hop{Component: CompRoute, ID: rt.ID}
	switch {
	case choice.Unknown != "":
		base.Decision, base.Detail = Unknown, choice.Unknown
		out.add(base)
		return out
	case !choice.Found:
		base.Decision, base.Rule, base.Detail = Deny, "no route", fmt.Sprintf("%s has no route to %s", rt.ID, e.dstAddr)
		out.add(base)
		return out
	case choice.Blackhole:
		base.Decision, base.Rule, base.Detail = Deny, routeRule(choice), fmt.Sprintf("%s sends %s to %s, which is a blackhole", rt.ID, e.dstAddr, choice.Target)
		out.add(base)
		return out
	}
	base.Decision, base.Rule = Allow, routeRule(choice)
	base.Detail = fmt.Sprintf("%s sends %s to %s (longest match %s)", rt.ID, e.dstAddr, choice.Target, choice.Destination)
	out.add(base)
	switch t := choice.Target; {
	case t == "local":
		e.local(&out)
	case strings.HasPrefix(t, "pcx-"):
		e.peering(&out, t)
	case strings.HasPrefix(t, "tgw-"):
		e.transitGateway(&out, subnet, t)
	case strings.HasPrefix(t, "igw-"):
		e.internet(&out, t, e.src)
	case strings.HasPrefix(t, "nat-"):
		e.nat(&out, t)
	case strings.HasPrefix(t, "vpce-"):
		e.gatewayEndpoint(&out, t)
	default:
		out.add(Hop{Component: CompRoute, ID: t, Decision: Unknown, Detail: "route target " + t + " (appliance, VPN, local or carrier gateway) is not modelled"})
	}
	return out
}

// tableOf finds iface's subnet and route table, or a hop saying why not.
func (e *pairEval) tableOf(iface Iface, component string) (*inventory.Subnet, *inventory.RouteTable, *Hop) {
	subnet, ok := e.inv.Subnets[iface.SubnetID]
	if !ok {
		return nil, nil, &Hop{Component: component, ID: iface.SubnetID, Decision: Unknown, Detail: "subnet " + iface.SubnetID + " not found" + unreadable(e.inv, inventory.KindSubnets)}
	}
	rt, ok := e.inv.RouteTableOf(subnet)
	if !ok {
		return nil, nil, &Hop{Component: component, ID: subnet.ID, Decision: Unknown, Detail: "no route table found for " + subnet.ID + unreadable(e.inv, inventory.KindRouteTables)}
	}
	return subnet, rt, nil
}

// local: the VPC's local route delivers inside the VPC, and references work.
func (e *pairEval) local(out *routeOutcome) {
	if !e.dst.External && e.dst.VPCID != e.src.VPCID {
		out.add(Hop{Component: CompRoute, Decision: Deny, Rule: "local", Detail: fmt.Sprintf("the local route stays in %s but the target is in %s", e.src.VPCID, e.dst.VPCID)})
		return
	}
	out.refs = true
}

// returnRoute checks that the target's subnet sends replies to the source
// through want (peering and TGW routes are one-way: both sides need them).
func (e *pairEval) returnRoute(out *routeOutcome, want string) bool {
	_, rt, hop := e.tableOf(e.dst, CompReturnRoute)
	if hop != nil {
		out.add(*hop)
		return false
	}
	choice := e.inv.LookupRoute(rt.Candidates(), e.srcAddr)
	h := Hop{Component: CompReturnRoute, ID: rt.ID}
	switch {
	case choice.Unknown != "":
		h.Decision, h.Detail = Unknown, choice.Unknown
	case !choice.Found:
		h.Decision, h.Rule, h.Detail = Deny, "no route", fmt.Sprintf("%s has no route back to %s", rt.ID, e.srcAddr)
		out.hints = append(out.hints, fmt.Sprintf("route table %s needs a route to %s via %s", rt.ID, e.srcAddr, want))
	case choice.Blackhole || choice.Target != want:
		h.Decision, h.Rule = Deny, routeRule(choice)
		h.Detail = fmt.Sprintf("%s sends replies for %s to %s, not %s", rt.ID, e.srcAddr, choice.Target, want)
	default:
		h.Decision, h.Rule = Allow, routeRule(choice)
		h.Detail = fmt.Sprintf("%s sends replies for %s back through %s", rt.ID, e.srcAddr, want)
	}
	out.add(h)
	return h.Decision == Allow
}

// peering: active, the target in the peer VPC (not transitive, P2; no
// edge-to-edge, P3), a return route, and SG references only within one
// region (S7, P4).
func (e *pairEval) peering(out *routeOutcome, id string) {
	p, ok := e.inv.Peerings[id]
	if !ok {
		out.add(Hop{Component: CompPeering, ID: id, Decision: Unknown, Detail: "peering " + id + " not found" + unreadable(e.inv, inventory.KindPeerings)})
		return
	}
	if !p.Active() {
		out.add(Hop{Component: CompPeering, ID: id, Decision: Deny, Rule: "status " + p.Status, Detail: id + " is " + p.Status + ", not active"})
		return
	}
	peerVPC := p.Other(e.src.VPCID)
	if e.dst.External || peerVPC != e.dst.VPCID {
		where := "outside the region's VPCs"
		if !e.dst.External {
			where = "in " + e.dst.VPCID
		}
		out.add(Hop{Component: CompPeering, ID: id, Decision: Deny, Rule: "not transitive",
			Detail: fmt.Sprintf("%s joins %s and %s only; the target is %s (peering is not transitive and gives no edge-to-edge routing)", id, e.src.VPCID, peerVPC, where)})
		return
	}
	out.add(Hop{Component: CompPeering, ID: id, Decision: Allow, Rule: "active", Detail: fmt.Sprintf("%s joins %s and %s", id, e.src.VPCID, peerVPC)})
	e.returnRoute(out, id)
	if p.RequesterRegion != p.AccepterRegion {
		out.refsWhy = "inter-region peering " + id + " does not carry security group references"
		return
	}
	out.refs = true
}

// attachmentOf returns vpc's available attachment to tgw.
func (e *pairEval) attachmentOf(tgw, vpc string) (*inventory.TGWAttachment, bool) {
	for _, id := range sortedIDs(e.inv.TGWAttachments) {
		a := e.inv.TGWAttachments[id]
		if a.TGWID == tgw && a.VPCID == vpc && (a.State == "" || a.State == "available") {
			return a, true
		}
	}
	return nil, false
}

// transitGateway: the source VPC's attachment (with a subnet in the source
// AZ, C4), its route table's route to the target VPC's attachment, and the
// same on the way back. SG references cross only when both attachments
// have SG referencing support (C4).
func (e *pairEval) transitGateway(out *routeOutcome, srcSubnet *inventory.Subnet, tgw string) {
	if why := e.inv.Unreadable[inventory.KindTGWAttachments]; why != "" {
		out.add(Hop{Component: CompTGW, ID: tgw, Decision: Unknown, Detail: "transit gateway attachments unreadable (" + why + ")"})
		return
	}
	att, ok := e.attachmentOf(tgw, e.src.VPCID)
	if !ok {
		out.add(Hop{Component: CompTGW, ID: tgw, Decision: Deny, Rule: "no attachment", Detail: e.src.VPCID + " has no available attachment to " + tgw})
		return
	}
	if !e.attachmentInAZ(att, srcSubnet.AZ) {
		out.add(Hop{Component: CompTGW, ID: att.ID, Decision: Deny, Rule: "no subnet in " + srcSubnet.AZ,
			Detail: fmt.Sprintf("%s has no subnet in %s, the source's Availability Zone", att.ID, srcSubnet.AZ)})
		return
	}
	out.add(Hop{Component: CompTGW, ID: att.ID, Decision: Allow, Rule: "attachment", Detail: fmt.Sprintf("%s attaches %s to %s", att.ID, e.src.VPCID, tgw)})
	dstAtt, ok := e.tgwHop(out, att, e.dstAddr)
	if !ok {
		return
	}
	if e.dst.External || dstAtt.VPCID != e.dst.VPCID {
		out.add(Hop{Component: CompTGWRoute, ID: att.RouteTableID, Decision: Deny, Rule: "wrong attachment",
			Detail: fmt.Sprintf("%s sends %s to %s (%s), not to the target's VPC", att.RouteTableID, e.dstAddr, dstAtt.ID, dstAtt.VPCID)})
		return
	}
	if !e.returnRoute(out, tgw) {
		return
	}
	if back, ok := e.tgwHop(out, dstAtt, e.srcAddr); ok && back.ID != att.ID {
		out.add(Hop{Component: CompTGWRoute, ID: dstAtt.RouteTableID, Decision: Deny, Rule: "wrong attachment",
			Detail: fmt.Sprintf("%s sends replies for %s to %s, not %s", dstAtt.RouteTableID, e.srcAddr, back.ID, att.ID)})
	}
	if att.SGReferencing && dstAtt.SGReferencing {
		out.refs = true
	} else {
		out.refsWhy = "security group referencing support is not enabled on both attachments of " + tgw
	}
}

func (e *pairEval) attachmentInAZ(att *inventory.TGWAttachment, az string) bool {
	for _, s := range att.Subnets {
		if sn, ok := e.inv.Subnets[s]; ok && sn.AZ == az {
			return true
		}
	}
	return false
}

// tgwHop looks dst up in the route table associated with attachment from.
func (e *pairEval) tgwHop(out *routeOutcome, from *inventory.TGWAttachment, dst netip.Prefix) (*inventory.TGWAttachment, bool) {
	if from.RouteTableID == "" {
		out.add(Hop{Component: CompTGWRoute, ID: from.ID, Decision: Deny, Rule: "no association", Detail: from.ID + " is not associated with a transit gateway route table"})
		return nil, false
	}
	rt, ok := e.inv.TGWRouteTables[from.RouteTableID]
	switch {
	case !ok:
		out.add(Hop{Component: CompTGWRoute, ID: from.RouteTableID, Decision: Unknown, Detail: from.RouteTableID + " not found" + unreadable(e.inv, inventory.KindTGWRouteTables)})
		return nil, false
	case rt.Err != "":
		out.add(Hop{Component: CompTGWRoute, ID: rt.ID, Decision: Unknown, Detail: rt.ID + " routes unreadable (" + rt.Err + ")"})
		return nil, false
	}
	choice := e.inv.LookupRoute(rt.Candidates(), dst)
	h := Hop{Component: CompTGWRoute, ID: rt.ID}
	switch {
	case choice.Unknown != "":
		h.Decision, h.Detail = Unknown, choice.Unknown
	case !choice.Found:
		h.Decision, h.Rule, h.Detail = Deny, "no route", fmt.Sprintf("%s has no route to %s", rt.ID, dst)
	case choice.Blackhole:
		h.Decision, h.Rule, h.Detail = Deny, choice.Destination+" blackhole", fmt.Sprintf("%s drops %s (blackhole route %s)", rt.ID, dst, choice.Destination)
	default:
		next, ok := e.inv.TGWAttachments[choice.Target]
		if choice.Target == "" {
			h.Decision, h.Detail = Unknown, fmt.Sprintf("%s has a route to %s (%s) that names no attachment", rt.ID, dst, choice.Destination)
			out.add(h)
			return nil, false
		}
		if !ok {
			h.Decision, h.Detail = Unknown, fmt.Sprintf("%s sends %s to %s, which is not a VPC attachment in this region (peering, VPN and Connect attachments are not modelled)", rt.ID, dst, choice.Target)
			out.add(h)
			return nil, false
		}
		h.Decision, h.Rule = Allow, routeRule(choice)
		h.Detail = fmt.Sprintf("%s sends %s to %s (%s)", rt.ID, dst, next.ID, next.VPCID)
		out.add(h)
		return next, true
	}
	out.add(h)
	return nil, false
}

// internet: an IGW reaches public addresses only (C1) and needs a public
// IPv4 on the source; references never survive it.
func (e *pairEval) internet(out *routeOutcome, igw string, src Iface) {
	out.refsWhy = "traffic through an internet gateway loses security group identity"
	switch {
	case !e.dst.External || (e.dstAddr.Addr().Is4() && isPrivate(e.dstAddr)):
		out.add(Hop{Component: CompIGW, ID: igw, Decision: Deny, Rule: "private destination", Detail: igw + " does not route to private address " + e.dstAddr.String()})
	case e.dstAddr.Addr().Is6():
		out.add(Hop{Component: CompIGW, ID: igw, Decision: Allow, Rule: "ipv6", Detail: "IPv6 leaves through " + igw + " without translation"})
	case src.PublicIP.IsValid():
		out.add(Hop{Component: CompIGW, ID: igw, Decision: Allow, Rule: "public ip " + src.PublicIP.String(), Detail: "the source's public IP " + src.PublicIP.String() + " is used at " + igw})
	case src.NoPublicIP:
		out.add(Hop{Component: CompIGW, ID: igw, Decision: Deny, Rule: "no public ip", Detail: "the source has no public IPv4 address, so " + igw + " cannot carry its traffic (use a NAT gateway)"})
	default:
		out.add(Hop{Component: CompIGW, ID: igw, Decision: Unknown, Detail: "whether the source has a public IPv4 address cannot be known"})
	}
}

// natRefsWhy: the target sees the NAT's address, never the source's groups.
const natRefsWhy = "a NAT gateway rewrites the source, so security group references do not match"

// nat: a NAT gateway sends traffic on by the route table of its own subnet.
// To the internet that takes a public NAT gateway and a route to an
// internet gateway (C2); to an address in a VPC, see natOnward.
func (e *pairEval) nat(out *routeOutcome, id string) {
	out.refsWhy = natRefsWhy
	nat, ok := e.inv.NATGateways[id]
	if !ok {
		out.add(Hop{Component: CompNAT, ID: id, Decision: Unknown, Detail: id + " not found" + unreadable(e.inv, inventory.KindNATGateways)})
		return
	}
	subnet, rt, hop := e.tableOf(Iface{SubnetID: nat.SubnetID, VPCID: nat.VPCID}, CompNAT)
	if hop != nil {
		out.add(*hop)
		return
	}
	choice := e.inv.LookupRoute(rt.Candidates(), e.dstAddr)
	if !e.dst.External {
		e.natOnward(out, nat, subnet, rt, choice)
		return
	}
	switch {
	case nat.Connectivity == "private":
		out.add(Hop{Component: CompNAT, ID: id, Decision: Deny, Rule: "private NAT gateway",
			Detail: id + " is a private NAT gateway, which never reaches the internet"})
		return
	case choice.Unknown != "":
		out.add(Hop{Component: CompNAT, ID: id, Decision: Unknown, Detail: fmt.Sprintf("route table %s of %s's subnet: %s", rt.ID, id, choice.Unknown)})
		return
	case !choice.Found || choice.Blackhole || !strings.HasPrefix(choice.Target, "igw-"):
		out.add(Hop{Component: CompNAT, ID: id, Decision: Deny, Rule: "no internet route",
			Detail: fmt.Sprintf("%s is in %s, whose route table %s does not send %s to an internet gateway", id, nat.SubnetID, rt.ID, e.dstAddr)})
		return
	}
	out.add(Hop{Component: CompNAT, ID: id, Decision: Allow, Rule: routeRule(choice),
		Detail: fmt.Sprintf("%s translates the source and sends %s through %s", id, e.dstAddr, choice.Target)})
	if isPrivate(e.dstAddr) {
		out.add(Hop{Component: CompIGW, ID: choice.Target, Decision: Deny, Rule: "private destination", Detail: choice.Target + " does not route to private address " + e.dstAddr.String()})
	}
}

// natOnward follows NATed traffic to an address in a VPC. The route table
// of the NAT's subnet must deliver it (a blackhole, no route or an
// internet gateway blocks it there); the rest of the path is the one the
// NAT's own traffic takes, from the NAT's subnet and address, and the
// target must route its replies back to that address.
func (e *pairEval) natOnward(out *routeOutcome, nat *inventory.NATGateway, subnet *inventory.Subnet, rt *inventory.RouteTable, choice inventory.RouteChoice) {
	if e.dstAddr.Addr().Is6() {
		out.add(Hop{Component: CompNAT, ID: nat.ID, Decision: Unknown,
			Detail: nat.ID + " translates IPv4 (and NAT64 to IPv4); IPv6 to " + e.dstAddr.String() + " through a NAT gateway is not modelled"})
		return
	}
	natAddr := e.natAddress(nat, subnet)
	out.natAddr = natAddr
	out.add(Hop{Component: CompNAT, ID: nat.ID, Decision: Allow, Rule: "source " + natAddr.String(),
		Detail: fmt.Sprintf("%s replaces the source address with its own (%s), which the target sees and answers", nat.ID, natAddr)})
	table := fmt.Sprintf("%s (the route table of %s's subnet %s)", rt.ID, nat.ID, subnet.ID)
	h := Hop{Component: CompRoute, ID: rt.ID}
	switch {
	case choice.Unknown != "":
		h.Decision, h.Detail = Unknown, table+": "+choice.Unknown
	case !choice.Found:
		h.Decision, h.Rule, h.Detail = Deny, "no route", fmt.Sprintf("%s has no route to %s", table, e.dstAddr)
	case choice.Blackhole:
		h.Decision, h.Rule, h.Detail = Deny, routeRule(choice), fmt.Sprintf("%s sends %s to %s, which is a blackhole", table, e.dstAddr, choice.Target)
	case strings.HasPrefix(choice.Target, "igw-"):
		h.Decision, h.Rule, h.Detail = Deny, routeRule(choice), fmt.Sprintf("%s sends %s to %s, which does not route to private addresses", table, e.dstAddr, choice.Target)
	default:
		h.Decision, h.Rule = Allow, routeRule(choice)
		h.Detail = fmt.Sprintf("%s sends %s on to %s (longest match %s)", table, e.dstAddr, choice.Target, choice.Destination)
	}
	out.add(h)
	if h.Decision != Allow {
		return
	}
	onward := *e
	onward.src = Iface{Label: nat.ID, SubnetID: nat.SubnetID, VPCID: nat.VPCID}
	onward.srcAddr = natAddr
	switch t := choice.Target; {
	case t == "local":
		onward.local(out)
	case strings.HasPrefix(t, "pcx-"):
		onward.peering(out, t)
	case strings.HasPrefix(t, "tgw-"):
		onward.transitGateway(out, subnet, t)
	default:
		out.add(Hop{Component: CompRoute, ID: t, Decision: Unknown, Detail: "route target " + t + " after a NAT gateway is not modelled"})
	}
	// The onward leg's own verdict on references does not matter: they
	// never survive the translation.
	out.refs, out.refsWhy = false, natRefsWhy
}

// natAddress is the NAT gateway's private IPv4 address. When it is not
// known, or the NAT has several (a private NAT gateway with secondary
// addresses uses any of them), its subnet's CIDR stands in for it, so only
// routes and rules that cover the whole subnet count.
func (e *pairEval) natAddress(nat *inventory.NATGateway, subnet *inventory.Subnet) netip.Prefix {
	var v4 []netip.Addr
	for _, id := range nat.ENIs {
		if eni, ok := e.inv.ENIs[id]; ok {
			for _, a := range eni.Addresses {
				if a.Is4() {
					v4 = append(v4, a)
				}
			}
		}
	}
	if len(v4) == 1 {
		return netip.PrefixFrom(v4[0], 32)
	}
	return subnet.CIDR
}

// gatewayEndpoint: S3/DynamoDB gateway endpoints carry only TCP and ICMP
// echo (C3) to the service's prefix list.
func (e *pairEval) gatewayEndpoint(out *routeOutcome, id string) {
	out.refsWhy = "a gateway endpoint leads to an AWS service"
	if !(e.q.Protocol == ProtoTCP || (e.q.Protocol == ProtoICMP && e.q.ICMPType == 8)) {
		out.add(Hop{Component: CompEndpoint, ID: id, Decision: Deny, Rule: "protocol", Detail: id + " accepts only TCP and ICMP echo"})
		return
	}
	if !e.dst.External {
		out.add(Hop{Component: CompEndpoint, ID: id, Decision: Deny, Rule: "destination", Detail: id + " leads to an AWS service, not to " + e.dstAddr.String()})
		return
	}
	svc := ""
	if ep, ok := e.inv.Endpoints[id]; ok {
		svc = " (" + ep.Service + ")"
	}
	out.add(Hop{Component: CompEndpoint, ID: id, Decision: Allow, Rule: "gateway endpoint", Detail: "delivered to the service through " + id + svc + "; the endpoint policy is not evaluated"})
}

// inbound: from outside AWS to a VPC interface, through an internet
// gateway to the target's public IP; private sources (VPN, Direct Connect,
// other regions) are not modelled.
func (e *pairEval) inbound(out *routeOutcome) {
	out.refsWhy = "the source is outside the region's VPCs"
	if e.srcAddr.Addr().Is4() && isPrivate(e.srcAddr) {
		out.add(Hop{Component: CompRoute, Decision: Unknown, Detail: e.srcAddr.String() + " is a private address outside the region's VPCs; VPN, Direct Connect and other regions are not modelled"})
		return
	}
	_, rt, hop := e.tableOf(e.dst, CompReturnRoute)
	if hop != nil {
		out.add(*hop)
		return
	}
	choice := e.inv.LookupRoute(rt.Candidates(), e.srcAddr)
	if choice.Unknown != "" || !choice.Found || choice.Blackhole || !strings.HasPrefix(choice.Target, "igw-") {
		out.add(Hop{Component: CompReturnRoute, ID: rt.ID, Decision: Deny, Rule: "no internet route",
			Detail: fmt.Sprintf("%s does not send %s to an internet gateway, so the target is not reachable from the internet", rt.ID, e.srcAddr)})
		return
	}
	h := Hop{Component: CompIGW, ID: choice.Target}
	switch {
	case e.dst.PublicIP.IsValid():
		h.Decision, h.Rule, h.Detail = Allow, "public ip "+e.dst.PublicIP.String(), "reachable at the public IP "+e.dst.PublicIP.String()+" through "+choice.Target
	case e.dst.NoPublicIP:
		h.Decision, h.Rule, h.Detail = Deny, "no public ip", "the target has no public IPv4 address"
	default:
		h.Decision, h.Detail = Unknown, "whether the target has a public IPv4 address cannot be known"
	}
	out.add(h)
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
