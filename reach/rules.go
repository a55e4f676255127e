package reach

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/faultline/faultline/inventory"
)

// match is a three-valued answer: does a rule's peer cover an address?
type match int

const (
	no match = iota
	yes
	maybe // covers part of a prefix whose exact address is not known, or needs an unreadable fact
)

// coverage says whether rule prefix r covers all of p (yes), part of it
// (maybe: p is a subnet stand-in), or none, by the test routes use.
func coverage(r, p netip.Prefix) match {
	switch inventory.Covers(r, p) {
	case inventory.CoversAll:
		return yes
	case inventory.CoversPart:
		return maybe
	}
	return no
}

// prefixListCoverage is coverage over a prefix list's entries; a list that
// cannot be read is maybe, with the reason.
func prefixListCoverage(inv *inventory.Network, id string, p netip.Prefix) (match, string) {
	cidrs, why := inv.PrefixListEntries(id)
	if why != "" {
		return maybe, why
	}
	best := no
	for _, c := range cidrs {
		switch coverage(c, p) {
		case yes:
			return yes, ""
		case maybe:
			best = maybe
		}
	}
	if best == maybe {
		return maybe, "prefix list " + id + " covers part of " + p.String()
	}
	return no, ""
}

// sgProtocolMatches applies a rule's protocol and ports to the query
// (network-semantics S5): -1 is every protocol; a protocol other than TCP,
// UDP, ICMP and ICMPv6 allows all ports; for ICMP the ports are type and code.
func sgProtocolMatches(r inventory.SGRule, q Query) bool {
	if r.Protocol == "-1" {
		return true
	}
	if r.Protocol != strconv.Itoa(q.Protocol) {
		return false
	}
	switch q.Protocol {
	case ProtoTCP, ProtoUDP:
		if r.FromPort == -1 {
			return true
		}
		return int32(q.Port) >= r.FromPort && int32(q.Port) <= r.ToPort
	case ProtoICMP, ProtoICMPv6:
		return (r.FromPort == -1 || r.FromPort == int32(q.ICMPType)) && (r.ToPort == -1 || r.ToPort == int32(q.ICMPCode))
	}
	return true
}

// sgRuleTraffic describes what a rule lets through: "tcp 5432", "all traffic".
func sgRuleTraffic(r inventory.SGRule) string {
	if r.Protocol == "-1" {
		return "all traffic"
	}
	p, _ := strconv.Atoi(r.Protocol)
	switch p {
	case ProtoTCP, ProtoUDP:
		if r.FromPort == -1 || (r.FromPort == 0 && r.ToPort == 65535) {
			return protocolName(p) + " all ports"
		}
		return protocolName(p) + " " + PortRange{r.FromPort, r.ToPort}.String()
	case ProtoICMP, ProtoICMPv6:
		return fmt.Sprintf("%s type %d code %d", protocolName(p), r.FromPort, r.ToPort)
	}
	return "protocol " + r.Protocol
}

func sgRulePeer(r inventory.SGRule) string {
	switch {
	case r.ReferencedGroupID != "":
		return r.ReferencedGroupID
	case r.PrefixListID != "":
		return r.PrefixListID
	}
	return r.CIDR.String()
}

// sgCheck is the outcome of evaluating a set of security groups.
type sgCheck struct {
	decision Decision
	id, rule string
	detail   string
	hints    []string
}

// peerView is the other end as a security group rule sees it.
type peerView struct {
	addr netip.Prefix
	// groups are the peer's effective groups; nil with groupsUnknown set
	// when they cannot be known.
	groups        []string
	groupsUnknown string
	// refs: security group references can match this peer (same VPC, or a
	// same-region active peering, or a TGW with SG referencing on both
	// attachments); refsWhy says why not.
	refs    bool
	refsWhy string
	// refsUnknown: the route could not be followed, so whether references
	// survive it is unknown.
	refsUnknown bool
}

// evalGroups applies the rules of groups in one direction to the peer. The
// rules of all groups are aggregated (S3): any allowing rule allows.
func evalGroups(inv *inventory.Network, groups []string, egress bool, peer peerView, q Query) sgCheck {
	dir := "ingress"
	if egress {
		dir = "egress"
	}
	ids := strings.Join(groups, ",")
	if why := inv.Unreadable[inventory.KindSGRules]; why != "" {
		return sgCheck{decision: Unknown, id: ids, detail: "security group rules unreadable (" + why + ")"}
	}
	var unknowns, hints []string
	for _, gid := range groups {
		g, ok := inv.SecurityGroups[gid]
		if !ok {
			unknowns = append(unknowns, "security group "+gid+" not found")
			continue
		}
		rules := g.Ingress
		if egress {
			rules = g.Egress
		}
		for _, r := range rules {
			m, why := sgPeerMatch(inv, r, peer)
			proto := sgProtocolMatches(r, q)
			switch {
			case m == yes && proto:
				return sgCheck{decision: Allow, id: gid, rule: r.ID,
					detail: fmt.Sprintf("%s rule %s allows %s %s %s", gid, r.ID, sgRuleTraffic(r), map[bool]string{true: "to", false: "from"}[egress], sgRulePeer(r))}
			case m == maybe && proto:
				unknowns = append(unknowns, fmt.Sprintf("%s rule %s: %s", gid, r.ID, why))
			case m == yes:
				hints = append(hints, fmt.Sprintf("%s rule %s allows %s on %s, not %s", gid, r.ID, sgRulePeer(r), sgRuleTraffic(r), q))
			case r.ReferencedGroupID != "" && proto && contains(peer.groups, r.ReferencedGroupID) && !peer.refs:
				hints = append(hints, fmt.Sprintf("%s rule %s allows %s, but security group references do not match here: %s", gid, r.ID, r.ReferencedGroupID, peer.refsWhy))
			case r.ReferencedGroupID != "" && proto && peer.groups != nil:
				hints = append(hints, fmt.Sprintf("%s rule %s allows %s on %s, but the %s is in %s", gid, r.ID, r.ReferencedGroupID, sgRuleTraffic(r),
					map[bool]string{true: "target", false: "source"}[egress], strings.Join(peer.groups, ", ")))
			}
		}
	}
	if len(unknowns) > 0 {
		return sgCheck{decision: Unknown, id: ids, detail: strings.Join(unknowns, "; "), hints: hints}
	}
	if egress && len(hints) > 0 {
		hints = append(hints, fmt.Sprintf("egress of %s allows %s only", ids, egressSummary(inv, groups, peer)))
	}
	return sgCheck{decision: Deny, id: ids, rule: "no matching " + dir + " rule",
		detail: fmt.Sprintf("no %s rule of %s allows %s for %s", dir, ids, q, peer.addr), hints: hints}
}

// egressSummary lists what the egress rules that cover the peer allow.
func egressSummary(inv *inventory.Network, groups []string, peer peerView) string {
	var out []string
	for _, gid := range groups {
		if g, ok := inv.SecurityGroups[gid]; ok {
			for _, r := range g.Egress {
				if m, _ := sgPeerMatch(inv, r, peer); m == yes && !contains(out, sgRuleTraffic(r)) {
					out = append(out, sgRuleTraffic(r))
				}
			}
		}
	}
	return strings.Join(out, ", ")
}

// sgPeerMatch says whether rule r's source/destination covers the peer.
// Referenced groups match on the peer's group membership, not its address
// (S6), and only where references are preserved (S7, C2, C4).
func sgPeerMatch(inv *inventory.Network, r inventory.SGRule, peer peerView) (match, string) {
	switch {
	case r.ReferencedGroupID != "":
		if peer.refsUnknown && contains(peer.groups, r.ReferencedGroupID) {
			return maybe, "references " + r.ReferencedGroupID + ", but whether references survive the route is unknown"
		}
		if !peer.refs {
			return no, ""
		}
		if peer.groupsUnknown != "" {
			return maybe, "references " + r.ReferencedGroupID + " but the peer's groups are unknown: " + peer.groupsUnknown
		}
		if contains(peer.groups, r.ReferencedGroupID) {
			return yes, ""
		}
		return no, ""
	case r.PrefixListID != "":
		return prefixListCoverage(inv, r.PrefixListID, peer.addr)
	}
	m := coverage(r.CIDR, peer.addr)
	if m == maybe {
		return maybe, fmt.Sprintf("allows %s, part of %s; the interface's own address is unknown", r.CIDR, peer.addr)
	}
	return m, ""
}

// naclCheck is the outcome of one NACL direction.
type naclCheck struct {
	decision Decision
	rule     string
	detail   string
	hint     string
}

// evalNACL applies NACL acl in one direction to traffic with peer, over
// the port range ports (a single port for the request, the client's
// ephemeral range for a reply). Rules are taken lowest number first and
// the first match wins for each port (N4); unmatched ports hit the `*` deny.
// IPv4 rules never apply to IPv6 traffic (N7).
func evalNACL(acl *inventory.NACL, egress bool, peer netip.Prefix, protocol int, ports PortRange, icmpType, icmpCode int) naclCheck {
	dir := "inbound"
	if egress {
		dir = "outbound"
	}
	entries := make([]inventory.NACLEntry, 0, len(acl.Entries))
	for _, e := range acl.Entries {
		if e.Egress == egress {
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Number < entries[j].Number })
	if !hasPorts(protocol) {
		ports = PortRange{0, 0}
	}
	undecided := []PortRange{ports}
	var allowed, denied, unsure []PortRange
	var allowRules, denyRules []string
	for _, e := range entries {
		if len(undecided) == 0 {
			break
		}
		if e.Protocol != "-1" && e.Protocol != strconv.Itoa(protocol) {
			continue
		}
		hit := undecided
		switch {
		case e.Protocol == "-1":
		case hasPorts(protocol):
			hit = intersect(undecided, PortRange{e.PortFrom, e.PortTo})
		case protocol == ProtoICMP || protocol == ProtoICMPv6:
			if !(e.ICMPType == -1 || int(e.ICMPType) == icmpType) || !(e.ICMPCode == -1 || int(e.ICMPCode) == icmpCode) {
				hit = nil
			}
		}
		if len(hit) == 0 {
			continue
		}
		m := coverage(e.CIDR, peer)
		if m == no {
			continue
		}
		undecided = subtract(undecided, hit)
		num := ruleNumber(e.Number)
		switch {
		case m == maybe:
			unsure = append(unsure, hit...)
		case e.Allow:
			allowed = append(allowed, hit...)
			allowRules = appendOnce(allowRules, num)
		default:
			denied = append(denied, hit...)
			denyRules = appendOnce(denyRules, num)
		}
	}
	if len(undecided) > 0 {
		denied = append(denied, undecided...)
		denyRules = appendOnce(denyRules, "*")
	}
	what := fmt.Sprintf("%s %s %s", protocolName(protocol), map[bool]string{true: "to", false: "from"}[egress], peer)
	if hasPorts(protocol) {
		what = fmt.Sprintf("%s ports %s %s %s", protocolName(protocol), ports, map[bool]string{true: "to", false: "from"}[egress], peer)
	}
	switch {
	case len(denied) > 0 && len(allowed) == 0 && len(unsure) == 0:
		return naclCheck{decision: Deny, rule: strings.Join(denyRules, ","), detail: fmt.Sprintf("%s rule %s denies %s", acl.ID, denyRules[0], what),
			hint: naclHint(acl.ID, dir, ports, protocol, denyRules)}
	case len(denied) > 0:
		return naclCheck{decision: Deny, rule: strings.Join(denyRules, ","),
			detail: fmt.Sprintf("%s %s allows only %s of %s; rule %s denies the rest", acl.ID, dir, rangesString(allowed), what, denyRules[0]),
			hint:   fmt.Sprintf("NACL %s %s allows only ports %s of %s", acl.ID, dir, rangesString(allowed), ports)}
	case len(unsure) > 0:
		return naclCheck{decision: Unknown, rule: strings.Join(allowRules, ","),
			detail: fmt.Sprintf("%s: a rule covers only part of %s, whose exact address is unknown", acl.ID, peer)}
	}
	return naclCheck{decision: Allow, rule: strings.Join(allowRules, ","), detail: fmt.Sprintf("%s rule %s allows %s", acl.ID, strings.Join(allowRules, ","), what)}
}

func naclHint(id, dir string, ports PortRange, protocol int, denyRules []string) string {
	if hasPorts(protocol) && ports.From != ports.To {
		return fmt.Sprintf("NACL %s has no %s rule for ephemeral ports %s", id, dir, ports)
	}
	if len(denyRules) == 1 && denyRules[0] == "*" {
		return fmt.Sprintf("NACL %s has no %s rule that allows this traffic", id, dir)
	}
	return fmt.Sprintf("NACL %s %s rule %s denies this traffic before any allow", id, dir, denyRules[0])
}

func ruleNumber(n int32) string {
	if n == 32767 {
		return "*"
	}
	return strconv.Itoa(int(n))
}

func intersect(ranges []PortRange, r PortRange) []PortRange {
	var out []PortRange
	for _, x := range ranges {
		lo, hi := max(x.From, r.From), min(x.To, r.To)
		if lo <= hi {
			out = append(out, PortRange{lo, hi})
		}
	}
	return out
}

func subtract(ranges, cut []PortRange) []PortRange {
	out := ranges
	for _, c := range cut {
		var next []PortRange
		for _, x := range out {
			if c.To < x.From || c.From > x.To {
				next = append(next, x)
				continue
			}
			if x.From < c.From {
				next = append(next, PortRange{x.From, c.From - 1})
			}
			if x.To > c.To {
				next = append(next, PortRange{c.To + 1, x.To})
			}
		}
		out = next
	}
	return out
}

func rangesString(ranges []PortRange) string {
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].From < ranges[j].From })
	var parts []string
	for _, r := range ranges {
		parts = append(parts, r.String())
	}
	return strings.Join(parts, ",")
}

func appendOnce(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isPrivate reports RFC 1918 (and IPv6 ULA) addresses, which an internet
// gateway never routes to (C1).
func isPrivate(p netip.Prefix) bool { return p.Addr().IsPrivate() }
