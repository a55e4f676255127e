package reach

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
)

// The fixture: VPCs a (10.0/16 + IPv6), b (10.1/16), c (10.2/16), d (10.3/16),
// each with a default SG (self-referencing ingress, all egress), a default
// NACL allowing everything, and a main route table with the local route.
// Subnets a1 (10.0.1/24, 1a), a2 (10.0.2/24, 1b), b1, c1, d1 (all 1a).

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func fixture() *inventory.Network {
	inv := inventory.NewNetwork("us-east-1")
	vpcs := map[string][]string{"vpc-a": {"10.0.0.0/16", "2600:1f18::/56"}, "vpc-b": {"10.1.0.0/16"}, "vpc-c": {"10.2.0.0/16"}, "vpc-d": {"10.3.0.0/16"}}
	for id, cidrs := range vpcs {
		v := &inventory.VPC{ID: id, OwnerID: "111111111111"}
		for _, c := range cidrs {
			v.CIDRs = append(v.CIDRs, pfx(c))
		}
		inv.VPCs[id] = v
		sg := "sg-default-" + id[4:]
		inv.SecurityGroups[sg] = &inventory.SecurityGroup{ID: sg, VPCID: id, Name: "default",
			Ingress: []inventory.SGRule{{ID: "sgr-di-" + id[4:], GroupID: sg, Protocol: "-1", FromPort: -1, ToPort: -1, ReferencedGroupID: sg}},
			Egress:  []inventory.SGRule{{ID: "sgr-de-" + id[4:], GroupID: sg, Egress: true, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: pfx("0.0.0.0/0")}}}
		inv.NACLs["acl-"+id[4:]] = &inventory.NACL{ID: "acl-" + id[4:], VPCID: id, IsDefault: true, Entries: allowAll()}
		var routes []inventory.Route
		for _, c := range cidrs {
			routes = append(routes, inventory.Route{Destination: pfx(c), Target: "local"})
		}
		inv.RouteTables["rtb-"+id[4:]] = &inventory.RouteTable{ID: "rtb-" + id[4:], VPCID: id, Main: true, Routes: routes}
	}
	subnets := []struct{ id, vpc, cidr, az string }{
		{"subnet-a1", "vpc-a", "10.0.1.0/24", "us-east-1a"}, {"subnet-a2", "vpc-a", "10.0.2.0/24", "us-east-1b"},
		{"subnet-b1", "vpc-b", "10.1.1.0/24", "us-east-1a"}, {"subnet-c1", "vpc-c", "10.2.1.0/24", "us-east-1a"},
		{"subnet-d1", "vpc-d", "10.3.1.0/24", "us-east-1a"},
	}
	for _, s := range subnets {
		inv.Subnets[s.id] = &inventory.Subnet{ID: s.id, VPCID: s.vpc, CIDR: pfx(s.cidr), AZ: s.az}
	}
	inv.SecurityGroups["sg-src"] = &inventory.SecurityGroup{ID: "sg-src", VPCID: "vpc-a", Name: "src",
		Egress: []inventory.SGRule{{ID: "sgr-src-all", GroupID: "sg-src", Egress: true, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: pfx("0.0.0.0/0")},
			{ID: "sgr-src-all6", GroupID: "sg-src", Egress: true, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: pfx("::/0")}}}
	inv.SecurityGroups["sg-dst"] = &inventory.SecurityGroup{ID: "sg-dst", VPCID: "vpc-a", Name: "dst",
		Ingress: []inventory.SGRule{{ID: "sgr-dst-pg", GroupID: "sg-dst", Protocol: "6", FromPort: 5432, ToPort: 5432, ReferencedGroupID: "sg-src"}}}
	inv.SecurityGroups["sg-other"] = &inventory.SecurityGroup{ID: "sg-other", VPCID: "vpc-a", Name: "other"}
	inv.SecurityGroups["sg-b"] = &inventory.SecurityGroup{ID: "sg-b", VPCID: "vpc-b", Name: "b",
		Ingress: []inventory.SGRule{{ID: "sgr-b-src", GroupID: "sg-b", Protocol: "6", FromPort: 5432, ToPort: 5432, ReferencedGroupID: "sg-src"},
			{ID: "sgr-b-cidr", GroupID: "sg-b", Protocol: "6", FromPort: 22, ToPort: 22, CIDR: pfx("10.0.0.0/16")}}}
	inv.SecurityGroups["sg-open"] = &inventory.SecurityGroup{ID: "sg-open", VPCID: "vpc-d", Name: "open",
		Ingress: []inventory.SGRule{{ID: "sgr-open", GroupID: "sg-open", Protocol: "6", FromPort: 0, ToPort: 65535, CIDR: pfx("10.0.0.0/8")},
			{ID: "sgr-open-ref", GroupID: "sg-open", Protocol: "6", FromPort: 5432, ToPort: 5432, ReferencedGroupID: "sg-src"}}}
	inv.PrefixLists["pl-s3"] = &inventory.PrefixList{ID: "pl-s3", Name: "com.amazonaws.us-east-1.s3", CIDRs: []netip.Prefix{pfx("52.216.0.0/15")}}
	inv.Reindex()
	return inv
}

func allowAll() []inventory.NACLEntry {
	var out []inventory.NACLEntry
	for _, egress := range []bool{false, true} {
		out = append(out,
			inventory.NACLEntry{Number: 100, Egress: egress, Allow: true, Protocol: "-1", CIDR: pfx("0.0.0.0/0"), PortTo: 65535, ICMPType: -1, ICMPCode: -1},
			inventory.NACLEntry{Number: 101, Egress: egress, Allow: true, Protocol: "-1", CIDR: pfx("::/0"), PortTo: 65535, ICMPType: -1, ICMPCode: -1},
			inventory.NACLEntry{Number: 32767, Egress: egress, Allow: false, Protocol: "-1", CIDR: pfx("0.0.0.0/0"), PortTo: 65535, ICMPType: -1, ICMPCode: -1})
	}
	return out
}

func entry(n int32, egress, allow bool, proto, cidr string, from, to int32) inventory.NACLEntry {
	return inventory.NACLEntry{Number: n, Egress: egress, Allow: allow, Protocol: proto, CIDR: pfx(cidr), PortFrom: from, PortTo: to, ICMPType: -1, ICMPCode: -1}
}

func iface(label, subnet, vpc, addr string, groups ...string) Iface {
	return Iface{Label: label, ENIID: label, SubnetID: subnet, VPCID: vpc, Addrs: []netip.Prefix{pfx(addr)}, Groups: groups, Ephemeral: EphemeralGeneric, NoPublicIP: true}
}

var (
	srcA1 = iface("eni-src", "subnet-a1", "vpc-a", "10.0.1.10/32", "sg-src")
	dstA2 = iface("eni-dst", "subnet-a2", "vpc-a", "10.0.2.20/32", "sg-dst")
	dstB1 = iface("eni-b", "subnet-b1", "vpc-b", "10.1.1.20/32", "sg-b")
	dstD1 = iface("eni-d", "subnet-d1", "vpc-d", "10.3.1.20/32", "sg-open")
	pg    = Query{Protocol: ProtoTCP, Port: 5432}
)

func rule(id, group string, egress bool, proto string, from, to int32, peer string) inventory.SGRule {
	r := inventory.SGRule{ID: id, GroupID: group, Egress: egress, Protocol: proto, FromPort: from, ToPort: to}
	switch {
	case strings.HasPrefix(peer, "sg-"):
		r.ReferencedGroupID = peer
	case strings.HasPrefix(peer, "pl-"):
		r.PrefixListID = peer
	default:
		r.CIDR = pfx(peer)
	}
	return r
}

func setIngress(inv *inventory.Network, group string, rules ...inventory.SGRule) {
	inv.SecurityGroups[group].Ingress = rules
}

func setEgress(inv *inventory.Network, group string, rules ...inventory.SGRule) {
	inv.SecurityGroups[group].Egress = rules
}

func addRoute(inv *inventory.Network, rt, dest, target string) {
	r := inventory.Route{Target: target}
	if strings.HasPrefix(dest, "pl-") {
		r.PrefixListID = dest
	} else {
		r.Destination = pfx(dest)
	}
	inv.RouteTables[rt].Routes = append(inv.RouteTables[rt].Routes, r)
}

func peer(inv *inventory.Network, id, a, b, status string) {
	inv.Peerings[id] = &inventory.Peering{ID: id, Status: status, RequesterVPC: a, AccepterVPC: b, RequesterRegion: "us-east-1", AccepterRegion: "us-east-1"}
}

// tgw attaches vpc-a (subnet-a1) and vpc-d (subnet-d1) to tgw-1 with one
// route table routing each VPC's CIDR to its attachment, and routes each
// VPC to the other through the TGW.
func tgw(inv *inventory.Network, sgRefs bool) {
	inv.TGWAttachments["tgw-attach-a"] = &inventory.TGWAttachment{ID: "tgw-attach-a", TGWID: "tgw-1", VPCID: "vpc-a", State: "available", Subnets: []string{"subnet-a1"}, RouteTableID: "tgw-rtb-1", SGReferencing: sgRefs}
	inv.TGWAttachments["tgw-attach-d"] = &inventory.TGWAttachment{ID: "tgw-attach-d", TGWID: "tgw-1", VPCID: "vpc-d", State: "available", Subnets: []string{"subnet-d1"}, RouteTableID: "tgw-rtb-1", SGReferencing: sgRefs}
	inv.TGWRouteTables["tgw-rtb-1"] = &inventory.TGWRouteTable{ID: "tgw-rtb-1", TGWID: "tgw-1", Routes: []inventory.TGWRoute{
		{Destination: pfx("10.0.0.0/16"), Attachments: []string{"tgw-attach-a"}, Propagated: true},
		{Destination: pfx("10.3.0.0/16"), Attachments: []string{"tgw-attach-d"}, Propagated: true}}}
	addRoute(inv, "rtb-a", "10.3.0.0/16", "tgw-1")
	addRoute(inv, "rtb-d", "10.0.0.0/16", "tgw-1")
}

// privateNAT puts private NAT gateway nat-p (address 10.0.2.5) in
// subnet-a2, whose own table rtb-a2 has only the local routes, and sends
// vpc-a's main table's traffic for dest through it.
func privateNAT(inv *inventory.Network, dest string) {
	inv.ENIs["eni-nat"] = &inventory.ENI{ID: "eni-nat", SubnetID: "subnet-a2", VPCID: "vpc-a", Addresses: []netip.Addr{netip.MustParseAddr("10.0.2.5")}}
	inv.Reindex()
	inv.NATGateways["nat-p"] = &inventory.NATGateway{ID: "nat-p", SubnetID: "subnet-a2", VPCID: "vpc-a", Connectivity: "private", ENIs: []string{"eni-nat"}}
	inv.RouteTables["rtb-a2"] = &inventory.RouteTable{ID: "rtb-a2", VPCID: "vpc-a", Subnets: []string{"subnet-a2"},
		Routes: []inventory.Route{{Destination: pfx("10.0.0.0/16"), Target: "local"}, {Destination: pfx("2600:1f18::/56"), Target: "local"}}}
	addRoute(inv, "rtb-a", dest, "nat-p")
}

// natPeering is privateNAT for vpc-b with rtb-a2 routing vpc-b through
// pcx-ab, and vpc-b routing vpc-a back through it.
func natPeering(inv *inventory.Network) {
	privateNAT(inv, "10.1.0.0/16")
	peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
	addRoute(inv, "rtb-a2", "10.1.0.0/16", "pcx-ab")
	addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
}

type evalCase struct {
	name     string
	setup    func(inv *inventory.Network)
	src, dst Iface
	q        Query
	want     Verdict
	hop      string // "component decision rule-prefix"; empty: not checked
	hopID    string // the ID of the hop matched by hop; empty: not checked
	hint     string // substring of some hint
}

func TestEvaluatePair(t *testing.T) {
	stand := func(subnet, vpc, cidr string, groups ...string) Iface {
		i := iface(subnet+" (stand-in)", subnet, vpc, cidr, groups...)
		i.ENIID, i.Ephemeral = "", EphemeralAWS
		return i
	}
	lambdaA1 := stand("subnet-a1", "vpc-a", "10.0.1.0/24", "sg-src")
	internet := Iface{Label: "8.8.8.8", Addrs: []netip.Prefix{pfx("8.8.8.8/32")}, External: true, Ephemeral: EphemeralGeneric}
	s3 := Iface{Label: "s3", Addrs: []netip.Prefix{pfx("52.216.10.1/32")}, External: true}
	withPublic := srcA1
	withPublic.PublicIP, withPublic.NoPublicIP = netip.MustParseAddr("54.1.2.3"), false
	v6src := iface("eni-src6", "subnet-a1", "vpc-a", "2600:1f18::10/128", "sg-src")
	v6dst := iface("eni-dst6", "subnet-a2", "vpc-a", "2600:1f18::20/128", "sg-dst")

	cases := []evalCase{
		// Security groups: ports and protocols (S4, S5)
		{name: "SG referenced group on the port", src: srcA1, dst: dstA2, q: pg, want: Reachable, hop: "security group ingress allow sgr-dst-pg"},
		{name: "SG near miss: 5432 allowed, 3306 asked (seed README)", src: srcA1, dst: dstA2, q: Query{Protocol: ProtoTCP, Port: 3306}, want: Blocked,
			hop: "security group ingress deny no matching ingress rule", hint: "sg-dst rule sgr-dst-pg allows sg-src on tcp 5432, not tcp 3306"},
		{name: "SG port range lower edge", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 1000, 2000, "10.0.0.0/16"))
		},
			src: srcA1, dst: dstA2, q: Query{Protocol: ProtoTCP, Port: 1000}, want: Reachable},
		{name: "SG port range upper edge", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 1000, 2000, "10.0.0.0/16"))
		},
			src: srcA1, dst: dstA2, q: Query{Protocol: ProtoTCP, Port: 2000}, want: Reachable},
		{name: "SG port one past the range", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 1000, 2000, "10.0.0.0/16"))
		},
			src: srcA1, dst: dstA2, q: Query{Protocol: ProtoTCP, Port: 2001}, want: Blocked, hint: "allows 10.0.0.0/16 on tcp 1000-2000, not tcp 2001"},
		{name: "SG UDP rule does not allow TCP", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "17", 5432, 5432, "sg-src"))
		},
			src: srcA1, dst: dstA2, q: pg, want: Blocked, hint: "on udp 5432, not tcp 5432"},
		{name: "SG protocol -1 allows UDP", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "-1", -1, -1, "sg-src"))
		},
			src: srcA1, dst: dstA2, q: Query{Protocol: ProtoUDP, Port: 53}, want: Reachable},
		{name: "SG other protocol number ignores ports", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "50", 7, 7, "sg-src"))
		},
			src: srcA1, dst: dstA2, q: Query{Protocol: 50}, want: Reachable},
		{name: "SG ICMP echo allowed by type 8", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "1", 8, -1, "sg-src"))
		},
			src: srcA1, dst: dstA2, q: Query{Protocol: ProtoICMP, ICMPType: 8}, want: Reachable},
		{name: "SG ICMP type 0 rule does not allow echo request", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "1", 0, -1, "sg-src"))
		},
			src: srcA1, dst: dstA2, q: Query{Protocol: ProtoICMP, ICMPType: 8}, want: Blocked},
		{name: "SG ICMP rule is not read as ports for TCP", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "1", 8, -1, "sg-src"))
		},
			src: srcA1, dst: dstA2, q: pg, want: Blocked},
		// IPv4 / IPv6
		{name: "SG IPv6 rule never matches IPv4", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "-1", -1, -1, "::/0"))
		},
			src: srcA1, dst: dstA2, q: pg, want: Blocked},
		{name: "SG IPv6 rule matches IPv6", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 443, 443, "2600:1f18::/56"))
		},
			src: v6src, dst: v6dst, q: Query{Protocol: ProtoTCP, Port: 443}, want: Reachable},
		{name: "SG IPv4-only egress blocks IPv6", setup: func(inv *inventory.Network) {
			setEgress(inv, "sg-src", rule("e", "sg-src", true, "-1", -1, -1, "0.0.0.0/0"))
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "-1", -1, -1, "::/0"))
		}, src: v6src, dst: v6dst, q: pg, want: Blocked, hop: "security group egress deny"},
		// Referenced groups, several groups, default group (S3, S6, S8, S9)
		{name: "SG reference to a group the source is not in", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "sg-other"))
		},
			src: srcA1, dst: dstA2, q: pg, want: Blocked, hint: "allows sg-other on tcp 5432, but the source is in sg-src"},
		{name: "SG reference matches membership, not address", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "sg-other"))
		},
			src: iface("eni-multi", "subnet-a1", "vpc-a", "10.0.1.11/32", "sg-other", "sg-src"), dst: dstA2, q: pg, want: Reachable},
		{name: "several groups on the target aggregate", src: srcA1, dst: iface("eni-2sg", "subnet-a2", "vpc-a", "10.0.2.21/32", "sg-other", "sg-dst"), q: pg, want: Reachable, hop: "security group ingress allow sgr-dst-pg"},
		{name: "no groups: default group admits its own members", src: iface("eni-def1", "subnet-a1", "vpc-a", "10.0.1.12/32"), dst: iface("eni-def2", "subnet-a2", "vpc-a", "10.0.2.22/32"),
			q: Query{Protocol: ProtoTCP, Port: 3306}, want: Reachable, hop: "security group ingress allow sgr-di-a"},
		{name: "no groups: default group refuses other groups (RDS without SG)", src: srcA1, dst: iface("db", "subnet-a2", "vpc-a", "10.0.2.23/32"),
			q: Query{Protocol: ProtoTCP, Port: 3306}, want: Blocked, hint: "allows sg-default-a on all traffic, but the source is in sg-src"},
		// Egress
		{name: "SG without egress rules sends nothing", setup: func(inv *inventory.Network) { setEgress(inv, "sg-src") },
			src: srcA1, dst: dstA2, q: pg, want: Blocked, hop: "security group egress deny no matching egress rule"},
		{name: "SG egress referencing the target's group", setup: func(inv *inventory.Network) {
			setEgress(inv, "sg-src", rule("e", "sg-src", true, "6", 5432, 5432, "sg-dst"))
		},
			src: srcA1, dst: dstA2, q: pg, want: Reachable, hop: "security group egress allow e"},
		{name: "SG egress allows 443 only", setup: func(inv *inventory.Network) {
			setEgress(inv, "sg-src", rule("e443", "sg-src", true, "6", 443, 443, "0.0.0.0/0"))
		},
			src: srcA1, dst: dstA2, q: pg, want: Blocked, hint: "egress of sg-src allows tcp 443 only"},
		// Stand-ins (Hyperplane ENIs): no guessing
		{name: "SG /32 rule vs unknown address in a subnet is unknown", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "10.0.1.10/32"))
		},
			src: lambdaA1, dst: dstA2, q: pg, want: VerdictUnknown, hop: "security group ingress unknown"},
		{name: "SG CIDR covering the whole source subnet", setup: func(inv *inventory.Network) {
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "10.0.0.0/20"))
		},
			src: lambdaA1, dst: dstA2, q: pg, want: Reachable},
		// Prefix lists (S10)
		{name: "SG prefix list containing the source", setup: func(inv *inventory.Network) {
			inv.PrefixLists["pl-corp"] = &inventory.PrefixList{ID: "pl-corp", CIDRs: []netip.Prefix{pfx("192.168.0.0/16"), pfx("10.0.1.0/24")}}
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "pl-corp"))
		}, src: srcA1, dst: dstA2, q: pg, want: Reachable},
		{name: "SG prefix list not containing the source", setup: func(inv *inventory.Network) {
			inv.PrefixLists["pl-corp"] = &inventory.PrefixList{ID: "pl-corp", CIDRs: []netip.Prefix{pfx("192.168.0.0/16")}}
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "pl-corp"))
		}, src: srcA1, dst: dstA2, q: pg, want: Blocked},
		{name: "SG prefix list unreadable is unknown", setup: func(inv *inventory.Network) {
			inv.PrefixLists["pl-corp"] = &inventory.PrefixList{ID: "pl-corp", Err: "ec2:GetManagedPrefixListEntries: AccessDenied"}
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "pl-corp"))
		}, src: srcA1, dst: dstA2, q: pg, want: VerdictUnknown, hop: "security group ingress unknown"},
		{name: "SG rules unreadable is unknown", setup: func(inv *inventory.Network) {
			inv.Unreadable[inventory.KindSGRules] = "ec2:DescribeSecurityGroupRules: AccessDenied"
		},
			src: srcA1, dst: dstA2, q: pg, want: VerdictUnknown},
		// NACLs (N2, N4, N5, N6, N7)
		{name: "NACL lower-numbered deny wins", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-a"].Entries = append([]inventory.NACLEntry{entry(90, false, false, "6", "10.0.1.0/24", 5432, 5432)}, inv.NACLs["acl-a"].Entries...)
		}, src: srcA1, dst: dstA2, q: pg, want: Blocked, hop: "network ACL inbound deny 90"},
		{name: "NACL lower-numbered allow wins over a later deny", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-a"].Entries = []inventory.NACLEntry{entry(90, false, true, "6", "10.0.1.0/24", 5432, 5432), entry(100, false, false, "-1", "10.0.1.0/24", 0, 65535),
				entry(110, false, true, "-1", "0.0.0.0/0", 0, 65535), entry(100, true, true, "-1", "0.0.0.0/0", 0, 65535)}
		}, src: srcA1, dst: dstA2, q: pg, want: Reachable, hop: "network ACL inbound allow 90"},
		{name: "custom NACL without rules blocks both ways", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-custom"] = &inventory.NACL{ID: "acl-custom", VPCID: "vpc-a", Subnets: []string{"subnet-a2"}}
		}, src: srcA1, dst: dstA2, q: pg, want: Blocked, hop: "network ACL inbound deny *", hint: "NACL acl-custom has no outbound rule for ephemeral ports"},
		{name: "NACL return path: no outbound ephemeral rule", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-custom"] = &inventory.NACL{ID: "acl-custom", VPCID: "vpc-a", Subnets: []string{"subnet-a2"}, Entries: []inventory.NACLEntry{
				entry(100, false, true, "6", "10.0.0.0/16", 5432, 5432), entry(100, true, true, "6", "10.0.0.0/16", 443, 443)}}
		}, src: srcA1, dst: dstA2, q: pg, want: Blocked, hop: "network ACL outbound (return) deny", hint: "NACL acl-custom has no outbound rule for ephemeral ports 32768-65535"},
		{name: "NACL return path: Lambda needs 1024-65535", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-src"] = &inventory.NACL{ID: "acl-src", VPCID: "vpc-a", Subnets: []string{"subnet-a1"}, Entries: []inventory.NACLEntry{
				entry(100, true, true, "-1", "0.0.0.0/0", 0, 65535), entry(100, false, true, "6", "0.0.0.0/0", 32768, 65535)}}
		}, src: lambdaA1, dst: dstA2, q: pg, want: Blocked, hop: "network ACL inbound (return) deny", hint: "NACL acl-src inbound allows only ports 32768-65535 of 1024-65535"},
		{name: "NACL return path: 32768-65535 is enough for a generic client", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-src"] = &inventory.NACL{ID: "acl-src", VPCID: "vpc-a", Subnets: []string{"subnet-a1"}, Entries: []inventory.NACLEntry{
				entry(100, true, true, "-1", "0.0.0.0/0", 0, 65535), entry(100, false, true, "6", "0.0.0.0/0", 32768, 65535)}}
		}, src: srcA1, dst: dstA2, q: pg, want: Reachable},
		{name: "same subnet skips NACLs", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-custom"] = &inventory.NACL{ID: "acl-custom", VPCID: "vpc-a", Subnets: []string{"subnet-a1"}}
		}, src: srcA1, dst: iface("eni-same", "subnet-a1", "vpc-a", "10.0.1.30/32", "sg-dst"), q: pg, want: Reachable, hop: "network ACL inbound skip"},
		{name: "NACL IPv4 rules do not apply to IPv6", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-a"].Entries = []inventory.NACLEntry{entry(100, false, true, "-1", "0.0.0.0/0", 0, 65535), entry(100, true, true, "-1", "0.0.0.0/0", 0, 65535)}
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "-1", -1, -1, "::/0"))
		}, src: v6src, dst: v6dst, q: pg, want: Blocked, hop: "network ACL outbound deny *"},
		{name: "NACL UDP rule does not allow TCP", setup: func(inv *inventory.Network) {
			inv.NACLs["acl-a"].Entries = []inventory.NACLEntry{entry(100, false, true, "17", "0.0.0.0/0", 0, 65535), entry(100, true, true, "-1", "0.0.0.0/0", 0, 65535)}
		}, src: srcA1, dst: dstA2, q: pg, want: Blocked, hop: "network ACL inbound deny *"},
		{name: "NACLs unreadable is unknown", setup: func(inv *inventory.Network) {
			inv.NACLs = map[string]*inventory.NACL{}
			inv.Unreadable[inventory.KindNACLs] = "ec2:DescribeNetworkAcls: AccessDenied"
		}, src: srcA1, dst: dstA2, q: pg, want: VerdictUnknown, hop: "network ACL outbound unknown"},
		// Routes (R1-R4)
		{name: "no route to another VPC", src: srcA1, dst: dstB1, q: pg, want: Blocked, hop: "route table deny no route"},
		{name: "longest prefix wins: /24 blackhole over /16 peering", setup: func(inv *inventory.Network) {
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			addRoute(inv, "rtb-a", "10.1.0.0/16", "pcx-ab")
			addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
			inv.RouteTables["rtb-a"].Routes = append(inv.RouteTables["rtb-a"].Routes, inventory.Route{Destination: pfx("10.1.1.0/24"), Target: "pcx-old", Blackhole: true})
		}, src: srcA1, dst: dstB1, q: pg, want: Blocked, hop: "route table deny 10.1.1.0/24 -> pcx-old"},
		{name: "explicit subnet association beats the main table", setup: func(inv *inventory.Network) {
			inv.RouteTables["rtb-a1"] = &inventory.RouteTable{ID: "rtb-a1", VPCID: "vpc-a", Subnets: []string{"subnet-a1"}, Routes: []inventory.Route{{Destination: pfx("10.0.0.0/16"), Target: "local"}}}
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			addRoute(inv, "rtb-a", "10.1.0.0/16", "pcx-ab")
			addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: pg, want: Blocked, hop: "route table deny no route"},
		{name: "route through an unreadable prefix list is unknown", setup: func(inv *inventory.Network) {
			inv.PrefixLists["pl-x"] = &inventory.PrefixList{ID: "pl-x", Err: "AccessDenied"}
			addRoute(inv, "rtb-a", "pl-x", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: pg, want: VerdictUnknown, hop: "route table unknown"},
		// Peering (P2, P3, S7, P4)
		{name: "peering with routes both ways and a referenced group", setup: func(inv *inventory.Network) {
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			addRoute(inv, "rtb-a", "10.1.0.0/16", "pcx-ab")
			addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: pg, want: Reachable, hop: "security group ingress allow sgr-b-src"},
		{name: "peering route one way only", setup: func(inv *inventory.Network) {
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			addRoute(inv, "rtb-a", "10.1.0.0/16", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: pg, want: Blocked, hop: "route table (return) deny no route", hint: "route table rtb-b needs a route to 10.0.1.10/32 via pcx-ab"},
		{name: "peering not accepted", setup: func(inv *inventory.Network) {
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "pending-acceptance")
			addRoute(inv, "rtb-a", "10.1.0.0/16", "pcx-ab")
			addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: pg, want: Blocked, hop: "VPC peering deny status pending-acceptance"},
		{name: "peering is not transitive", setup: func(inv *inventory.Network) {
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			peer(inv, "pcx-bc", "vpc-b", "vpc-c", "active")
			addRoute(inv, "rtb-a", "10.2.0.0/16", "pcx-ab")
			addRoute(inv, "rtb-c", "10.0.0.0/16", "pcx-bc")
		}, src: srcA1, dst: iface("eni-c", "subnet-c1", "vpc-c", "10.2.1.20/32", "sg-default-c"), q: Query{Protocol: ProtoTCP, Port: 22}, want: Blocked, hop: "VPC peering deny not transitive"},
		{name: "inter-region peering drops SG references", setup: func(inv *inventory.Network) {
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			inv.Peerings["pcx-ab"].AccepterRegion = "eu-west-1"
			addRoute(inv, "rtb-a", "10.1.0.0/16", "pcx-ab")
			addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: pg, want: Blocked, hint: "inter-region peering pcx-ab does not carry security group references"},
		{name: "inter-region peering: CIDR rules still match", setup: func(inv *inventory.Network) {
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			inv.Peerings["pcx-ab"].AccepterRegion = "eu-west-1"
			addRoute(inv, "rtb-a", "10.1.0.0/16", "pcx-ab")
			addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Reachable, hop: "security group ingress allow sgr-b-cidr"},
		// Transit gateway (C4)
		{name: "TGW both ways", setup: func(inv *inventory.Network) { tgw(inv, false) }, src: srcA1, dst: dstD1, q: Query{Protocol: ProtoTCP, Port: 80}, want: Reachable, hop: "transit gateway route table allow 10.3.0.0/16 -> tgw-attach-d"},
		{name: "TGW blackhole", setup: func(inv *inventory.Network) {
			tgw(inv, false)
			inv.TGWRouteTables["tgw-rtb-1"].Routes = append(inv.TGWRouteTables["tgw-rtb-1"].Routes, inventory.TGWRoute{Destination: pfx("10.3.1.0/24"), Blackhole: true})
		}, src: srcA1, dst: dstD1, q: Query{Protocol: ProtoTCP, Port: 80}, want: Blocked, hop: "transit gateway route table deny 10.3.1.0/24 blackhole"},
		{name: "TGW attachment without a subnet in the source AZ", setup: func(inv *inventory.Network) {
			tgw(inv, false)
			inv.TGWAttachments["tgw-attach-a"].Subnets = []string{"subnet-a2"}
		}, src: srcA1, dst: dstD1, q: Query{Protocol: ProtoTCP, Port: 80}, want: Blocked, hop: "transit gateway deny no subnet in us-east-1a"},
		{name: "TGW return route missing in the target VPC", setup: func(inv *inventory.Network) {
			tgw(inv, false)
			inv.RouteTables["rtb-d"].Routes = inv.RouteTables["rtb-d"].Routes[:1]
		}, src: srcA1, dst: dstD1, q: Query{Protocol: ProtoTCP, Port: 80}, want: Blocked, hop: "route table (return) deny no route"},
		{name: "TGW without SG referencing support: reference does not match", setup: func(inv *inventory.Network) {
			tgw(inv, false)
			setIngress(inv, "sg-open", rule("r", "sg-open", false, "6", 5432, 5432, "sg-src"))
		}, src: srcA1, dst: dstD1, q: pg, want: Blocked, hint: "security group referencing support is not enabled"},
		{name: "TGW with SG referencing support: reference matches", setup: func(inv *inventory.Network) {
			tgw(inv, true)
			setIngress(inv, "sg-open", rule("r", "sg-open", false, "6", 5432, 5432, "sg-src"))
		}, src: srcA1, dst: dstD1, q: pg, want: Reachable},
		{name: "TGW route table unreadable", setup: func(inv *inventory.Network) {
			tgw(inv, false)
			inv.TGWRouteTables["tgw-rtb-1"].Err = "ec2:SearchTransitGatewayRoutes: AccessDenied"
		}, src: srcA1, dst: dstD1, q: Query{Protocol: ProtoTCP, Port: 80}, want: VerdictUnknown, hop: "transit gateway route table unknown"},
		// Gateway endpoint, IGW, NAT (R6, C1, C2, C3)
		{name: "gateway endpoint route to the S3 prefix list", setup: func(inv *inventory.Network) { addRoute(inv, "rtb-a", "pl-s3", "vpce-s3") },
			src: srcA1, dst: s3, q: Query{Protocol: ProtoTCP, Port: 443}, want: Reachable, hop: "route table allow pl-s3 -> vpce-s3"},
		{name: "gateway endpoint refuses UDP", setup: func(inv *inventory.Network) { addRoute(inv, "rtb-a", "pl-s3", "vpce-s3") },
			src: srcA1, dst: s3, q: Query{Protocol: ProtoUDP, Port: 443}, want: Blocked, hop: "gateway endpoint deny protocol"},
		{name: "IGW with a public IP", setup: func(inv *inventory.Network) { addRoute(inv, "rtb-a", "0.0.0.0/0", "igw-1") },
			src: withPublic, dst: internet, q: Query{Protocol: ProtoTCP, Port: 443}, want: Reachable},
		{name: "IGW without a public IP (Lambda)", setup: func(inv *inventory.Network) { addRoute(inv, "rtb-a", "0.0.0.0/0", "igw-1") },
			src: lambdaA1, dst: internet, q: Query{Protocol: ProtoTCP, Port: 443}, want: Blocked, hop: "internet gateway deny no public ip"},
		{name: "NAT gateway then IGW", setup: func(inv *inventory.Network) {
			inv.RouteTables["rtb-a2"] = &inventory.RouteTable{ID: "rtb-a2", VPCID: "vpc-a", Subnets: []string{"subnet-a2"},
				Routes: []inventory.Route{{Destination: pfx("10.0.0.0/16"), Target: "local"}, {Destination: pfx("0.0.0.0/0"), Target: "igw-1"}}}
			inv.NATGateways["nat-1"] = &inventory.NATGateway{ID: "nat-1", SubnetID: "subnet-a2", VPCID: "vpc-a"}
			addRoute(inv, "rtb-a", "0.0.0.0/0", "nat-1")
		}, src: lambdaA1, dst: internet, q: Query{Protocol: ProtoTCP, Port: 443}, want: Reachable, hop: "NAT gateway allow 0.0.0.0/0 -> igw-1"},
		{name: "NAT gateway in a subnet without an IGW route", setup: func(inv *inventory.Network) {
			inv.NATGateways["nat-1"] = &inventory.NATGateway{ID: "nat-1", SubnetID: "subnet-a2", VPCID: "vpc-a"}
			addRoute(inv, "rtb-a", "0.0.0.0/0", "nat-1")
		}, src: lambdaA1, dst: internet, q: Query{Protocol: ProtoTCP, Port: 443}, want: Blocked, hop: "NAT gateway deny no internet route"},
		{name: "private NAT gateway never reaches the internet", setup: func(inv *inventory.Network) {
			privateNAT(inv, "0.0.0.0/0")
			addRoute(inv, "rtb-a2", "0.0.0.0/0", "igw-1")
		}, src: lambdaA1, dst: internet, q: Query{Protocol: ProtoTCP, Port: 443}, want: Blocked, hop: "NAT gateway deny private NAT gateway"},
		// NAT gateway to an address in a VPC: onward by the NAT subnet's table
		{name: "NAT onward through peering", setup: natPeering,
			src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Reachable, hop: "route table allow 10.1.0.0/16 -> pcx-ab", hopID: "rtb-a2"},
		{name: "NAT onward: the NAT translates to its own address", setup: natPeering,
			src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Reachable, hop: "NAT gateway allow source 10.0.2.5/32", hopID: "nat-p"},
		{name: "NAT onward: security group references do not survive", setup: natPeering,
			src: srcA1, dst: dstB1, q: pg, want: Blocked, hop: "security group ingress deny", hint: "a NAT gateway rewrites the source"},
		{name: "NAT onward: the target's group sees the NAT's address, not the source's", setup: func(inv *inventory.Network) {
			natPeering(inv)
			setIngress(inv, "sg-b", rule("r", "sg-b", false, "6", 22, 22, "10.0.1.0/24"))
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Blocked, hop: "security group ingress deny no matching ingress rule"},
		{name: "NAT onward: the target routes replies to the NAT's address", setup: func(inv *inventory.Network) {
			natPeering(inv)
			inv.RouteTables["rtb-b"].Routes[1].Destination = pfx("10.0.1.0/24")
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Blocked, hop: "route table (return) deny no route", hopID: "rtb-b",
			hint: "route table rtb-b needs a route to 10.0.2.5/32 via pcx-ab"},
		{name: "NAT onward: the target's NACL answers the NAT on its ephemeral ports", setup: func(inv *inventory.Network) {
			natPeering(inv)
			inv.NACLs["acl-b"].Entries = []inventory.NACLEntry{entry(100, false, true, "-1", "0.0.0.0/0", 0, 65535), entry(100, true, true, "6", "0.0.0.0/0", 32768, 65535)}
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Blocked, hop: "network ACL outbound (return) deny", hint: "only ports 32768-65535 of 1024-65535"},
		{name: "NAT onward with the NAT's address unknown: its subnet stands in", setup: func(inv *inventory.Network) {
			natPeering(inv)
			inv.NATGateways["nat-p"].ENIs = nil
			setIngress(inv, "sg-b", rule("r", "sg-b", false, "6", 22, 22, "10.0.2.5/32"))
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: VerdictUnknown, hop: "NAT gateway allow source 10.0.2.0/24"},
		{name: "NAT onward through a transit gateway", setup: func(inv *inventory.Network) {
			tgw(inv, true)
			inv.TGWAttachments["tgw-attach-a"].Subnets = []string{"subnet-a1", "subnet-a2"}
			privateNAT(inv, "10.3.1.0/24")
			addRoute(inv, "rtb-a2", "10.3.0.0/16", "tgw-1")
		}, src: srcA1, dst: dstD1, q: Query{Protocol: ProtoTCP, Port: 80}, want: Reachable, hop: "transit gateway route table allow 10.3.0.0/16 -> tgw-attach-d"},
		{name: "NAT onward through a transit gateway: references do not survive even with SG referencing", setup: func(inv *inventory.Network) {
			tgw(inv, true)
			inv.TGWAttachments["tgw-attach-a"].Subnets = []string{"subnet-a1", "subnet-a2"}
			privateNAT(inv, "10.3.1.0/24")
			addRoute(inv, "rtb-a2", "10.3.0.0/16", "tgw-1")
			setIngress(inv, "sg-open", rule("r", "sg-open", false, "6", 5432, 5432, "sg-src"))
		}, src: srcA1, dst: dstD1, q: pg, want: Blocked, hint: "a NAT gateway rewrites the source"},
		{name: "NAT onward through a transit gateway: the attachment needs the NAT's zone", setup: func(inv *inventory.Network) {
			tgw(inv, true)
			privateNAT(inv, "10.3.1.0/24")
			addRoute(inv, "rtb-a2", "10.3.0.0/16", "tgw-1")
		}, src: srcA1, dst: dstD1, q: Query{Protocol: ProtoTCP, Port: 80}, want: Blocked, hop: "transit gateway deny no subnet in us-east-1b"},
		{name: "NAT onward by the local route (a route more specific than local)", setup: func(inv *inventory.Network) {
			inv.Subnets["subnet-a3"] = &inventory.Subnet{ID: "subnet-a3", VPCID: "vpc-a", CIDR: pfx("10.0.3.0/24"), AZ: "us-east-1a"}
			privateNAT(inv, "10.0.3.0/24")
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 5432, 5432, "10.0.2.0/24"))
		}, src: srcA1, dst: iface("eni-a3", "subnet-a3", "vpc-a", "10.0.3.30/32", "sg-dst"), q: pg, want: Reachable, hop: "route table allow 10.0.0.0/16 -> local", hopID: "rtb-a2"},
		{name: "NAT onward blocked: no route in the NAT subnet's table", setup: func(inv *inventory.Network) {
			privateNAT(inv, "10.1.0.0/16")
			peer(inv, "pcx-ab", "vpc-a", "vpc-b", "active")
			addRoute(inv, "rtb-b", "10.0.0.0/16", "pcx-ab")
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Blocked, hop: "route table deny no route", hopID: "rtb-a2"},
		{name: "NAT onward blocked: a blackhole in the NAT subnet's table beats a wider live route", setup: func(inv *inventory.Network) {
			natPeering(inv)
			inv.RouteTables["rtb-a2"].Routes = append(inv.RouteTables["rtb-a2"].Routes, inventory.Route{Destination: pfx("10.1.1.0/24"), Target: "pcx-old", Blackhole: true})
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Blocked, hop: "route table deny 10.1.1.0/24 -> pcx-old", hopID: "rtb-a2"},
		{name: "NAT onward blocked: an internet gateway does not route to a VPC", setup: func(inv *inventory.Network) {
			natPeering(inv)
			inv.NATGateways["nat-p"].Connectivity = "public"
			inv.RouteTables["rtb-a2"].Routes = inv.RouteTables["rtb-a2"].Routes[:2]
			addRoute(inv, "rtb-a2", "0.0.0.0/0", "igw-1")
		}, src: srcA1, dst: dstB1, q: Query{Protocol: ProtoTCP, Port: 22}, want: Blocked, hop: "route table deny 0.0.0.0/0 -> igw-1", hopID: "rtb-a2"},
		{name: "NAT onward for IPv6 is not modelled", setup: func(inv *inventory.Network) { privateNAT(inv, "2600:1f18::/64") },
			src: v6src, dst: v6dst, q: pg, want: VerdictUnknown, hop: "NAT gateway unknown", hopID: "nat-p"},
		{name: "from the internet to a public instance", setup: func(inv *inventory.Network) {
			addRoute(inv, "rtb-a", "0.0.0.0/0", "igw-1")
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 443, 443, "0.0.0.0/0"))
		}, src: internet, dst: func() Iface { d := dstA2; d.PublicIP, d.NoPublicIP = netip.MustParseAddr("54.9.9.9"), false; return d }(), q: Query{Protocol: ProtoTCP, Port: 443}, want: Reachable},
		{name: "from the internet to a private instance", setup: func(inv *inventory.Network) {
			addRoute(inv, "rtb-a", "0.0.0.0/0", "igw-1")
			setIngress(inv, "sg-dst", rule("r", "sg-dst", false, "6", 443, 443, "0.0.0.0/0"))
		}, src: internet, dst: dstA2, q: Query{Protocol: ProtoTCP, Port: 443}, want: Blocked, hop: "internet gateway deny no public ip"},
		{name: "address families in common", src: srcA1, dst: v6dst, q: pg, want: Blocked, hop: "address deny address family"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := fixture()
			if c.setup != nil {
				c.setup(inv)
			}
			p := EvaluatePair(inv, c.src, c.dst, c.q)
			if p.Verdict != c.want {
				t.Errorf("verdict %s, want %s\n%s", p.Verdict, c.want, dump(p))
			}
			if c.hop != "" && !hasHop(p, c.hop, c.hopID) {
				t.Errorf("no hop %q with ID %q\n%s", c.hop, c.hopID, dump(p))
			}
			if c.hint != "" && !hasHint(p.Hints, c.hint) {
				t.Errorf("no hint containing %q in %q", c.hint, p.Hints)
			}
		})
	}
	if len(cases) < 40 {
		t.Errorf("only %d cases", len(cases))
	}
}

func hasHop(p Path, want, id string) bool {
	for _, h := range p.Hops {
		if strings.HasPrefix(h.Component+" "+string(h.Decision)+" "+h.Rule, want) && (id == "" || h.ID == id) {
			return true
		}
	}
	return false
}

func hasHint(hints []string, want string) bool {
	for _, h := range hints {
		if strings.Contains(h, want) {
			return true
		}
	}
	return false
}

func dump(p Path) string {
	var b strings.Builder
	for _, h := range p.Hops {
		b.WriteString("  " + h.Component + " | " + h.ID + " | " + string(h.Decision) + " | " + h.Rule + " | " + h.Detail + "\n")
	}
	for _, h := range p.Hints {
		b.WriteString("  hint: " + h + "\n")
	}
	return b.String()
}

func TestCombine(t *testing.T) {
	cases := []struct {
		name  string
		paths []Verdict
		want  Verdict
	}{
		{"all reachable", []Verdict{Reachable, Reachable}, Reachable},
		{"all blocked", []Verdict{Blocked, Blocked}, Blocked},
		{"some of each", []Verdict{Reachable, Blocked}, Partial},
		{"unknown with reachable", []Verdict{Reachable, VerdictUnknown}, VerdictUnknown},
		{"unknown with blocked", []Verdict{Blocked, VerdictUnknown}, VerdictUnknown},
		{"mixed with unknown is still partial", []Verdict{Reachable, Blocked, VerdictUnknown}, Partial},
		{"no paths", nil, VerdictUnknown},
	}
	for _, c := range cases {
		var paths []Path
		for _, v := range c.paths {
			paths = append(paths, Path{Verdict: v})
		}
		if got := combine(paths); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestEvaluatePartialAcrossSubnets(t *testing.T) {
	inv := fixture()
	inv.NACLs["acl-custom"] = &inventory.NACL{ID: "acl-custom", VPCID: "vpc-a", Subnets: []string{"subnet-a2"}}
	src := Resource{Type: "lambda", ID: "fn", Ifaces: []Iface{srcA1, iface("eni-src2", "subnet-a2", "vpc-a", "10.0.2.10/32", "sg-src")}}
	dst := Resource{Type: "ec2", ID: "i-1", Ifaces: []Iface{iface("eni-dst3", "subnet-a1", "vpc-a", "10.0.1.20/32", "sg-dst")}}
	res := Evaluate(inv, src, dst, pg)
	if res.Verdict != Partial {
		t.Fatalf("verdict %s, want partial: %+v", res.Verdict, res.Paths)
	}
	if res.Paths[0].Verdict != Reachable || res.Paths[1].Verdict != Blocked {
		t.Errorf("paths %s, %s", res.Paths[0].Verdict, res.Paths[1].Verdict)
	}
}
